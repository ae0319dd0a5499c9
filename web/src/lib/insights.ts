// Goals, check-ins and program health: what the screens compute from insights' answers.
// The shapes, reports included, come from insights' OpenAPI (src/api/generated/insights).
import type { components } from "../api/generated/insights";

export type I = components["schemas"];
export type Goal = I["Goal"];
export type CheckInRound = I["CheckInRound"];

/** insights learns of a match from the topics, a moment after matching made it: a 404 on
 * a mentorship then means "not yet", so its queries retry for a minute before saying so. */
export function notYetKnown(failures: number, error: unknown): boolean {
  return (error as { status?: unknown } | null)?.status === 404 && failures < 40;
}

// --------------------------------------------------------------------------- goals

/** Milestone titles from a text area: one a line, blanks dropped, at most 20 (the API's cap). */
export function parseMilestones(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 20);
}

/** A goal with milestones moves as they are done; only one without takes a manual percentage. */
export function takesManualProgress(goal: Goal): boolean {
  return goal.milestones.length === 0;
}

export function milestonesDone(goal: Goal): { done: number; total: number } {
  return { done: goal.milestones.filter((m) => m.done).length, total: goal.milestones.length };
}

/** Due in N days after the match, from a form field ("" = no due date). */
export function parseDueInDays(text: string): number | null | "invalid" {
  const trimmed = text.trim();
  if (!trimmed) return null;
  if (!/^\d+$/.test(trimmed)) return "invalid";
  const days = Number(trimmed);
  return days <= 3650 ? days : "invalid";
}

/** Open goals first (nearest due date first, undated last), then completed ones. */
export function sortGoals(goals: readonly Goal[]): Goal[] {
  const due = (g: Goal) => g.due_on ?? "9999-12-31";
  return [...goals].sort(
    (a, b) => Number(a.status === "completed") - Number(b.status === "completed") || due(a).localeCompare(due(b)) || a.title.localeCompare(b.title),
  );
}

// --------------------------------------------------------------------------- check-ins

export type RoundName = { kind: "day"; days: number } | { kind: "close" } | { kind: "other"; name: string };

/** "day_30" is the check-in 30 days after the match; "close" the one when it ended. */
export function parseRound(name: string): RoundName {
  const day = /^day_(\d+)$/.exec(name);
  if (day) return { kind: "day", days: Number(day[1]) };
  if (name === "close") return { kind: "close" };
  return { kind: "other", name };
}

/** The rounds I still have to answer (oldest first), and those I answered. */
export function splitRounds(rounds: readonly CheckInRound[]): { toAnswer: CheckInRound[]; answered: CheckInRound[] } {
  const byDue = [...rounds].sort((a, b) => (a.due_at ?? "").localeCompare(b.due_at ?? ""));
  return { toAnswer: byDue.filter((r) => !r.mine), answered: byDue.filter((r) => !!r.mine) };
}

// --------------------------------------------------------------------------- reports

/** A group of fewer than k people: the report gives no number for it (k-anonymity). */
export type Suppressed = I["Suppressed"];
export type ScoreGroup = I["Scores"];
export type Scores = ScoreGroup | Suppressed;

export function isSuppressed(group: object | null | undefined): group is Suppressed {
  return !!group && (group as Partial<Suppressed>).suppressed === true;
}

export type EndedRow = I["EndedCount"] | I["EndedSuppressed"];
export type HealthReport = I["HealthReport"];
export type MentorshipRow = I["MentorshipRow"];
export type MentorshipsReport = I["MentorshipsReport"];
export type CheckInReport = I["CheckInsReport"];
export type GoalsReport = I["GoalsReport"];

export const ACTIVITIES = ["active", "quiet", "inactive", "ended"] as const;
export const STATUSES = ["on_track", "needs_check_in", "inactive", "ended"] as const;

/** Bars of mentorships by activity (the chart's data; its table shows the same numbers). */
export function activityBars(report: HealthReport): { activity: (typeof ACTIVITIES)[number]; mentorships: number }[] {
  return ACTIVITIES.map((activity) => ({ activity, mentorships: report.mentorships[activity] }));
}

export function statusBars(report: HealthReport): { status: (typeof STATUSES)[number]; mentorships: number }[] {
  return STATUSES.map((status) => ({ status, mentorships: report.mentorships[status] }));
}

/** Mean check-in score per month: a suppressed month has no point (a gap in the line, not 0). */
export function scoreLine(report: CheckInReport): { month: string; score: number | null; suppressed: boolean }[] {
  return report.by_month.map((row) => ({
    month: row.month,
    score: isSuppressed(row) ? null : row.mean_score,
    suppressed: isSuppressed(row),
  }));
}

/** How many answers gave each score, 1 to 5 (none when the group is suppressed). */
export function scoreBars(group: Scores): { score: string; answers: number }[] {
  if (isSuppressed(group)) return [];
  return ["1", "2", "3", "4", "5"].map((score) => ({ score, answers: group.distribution[score] ?? 0 }));
}

/** Completed and open goals, for the donut (empty when there are none). */
export function goalSlices(report: HealthReport): { key: "completed" | "open"; value: number }[] {
  const { total, completed } = report.goals;
  if (total === 0) return [];
  return [
    { key: "completed", value: completed },
    { key: "open", value: total - completed },
  ];
}

/** Headline numbers whose change a reload shows (the dashboard marks what moved). */
export function headline(report: HealthReport): Record<string, number> {
  return {
    members: report.members.total,
    mentorsApproved: report.members.mentors_approved,
    requests: report.requests.total,
    made: report.mentorships.made,
    active: report.mentorships.active,
    messages: report.activity.messages,
    meetings: report.activity.meetings_held + report.activity.meetings_upcoming,
    goals: report.goals.total,
    goalsCompleted: report.goals.completed,
  };
}

/** Which headline numbers differ from the previous reading (none on the first one). */
export function moved(before: Record<string, number> | null, now: Record<string, number>): Set<string> {
  if (!before) return new Set();
  return new Set(Object.keys(now).filter((k) => before[k] !== undefined && before[k] !== now[k]));
}
