// Goals, check-ins and program health: what the screens compute from insights' answers.
// The reports are JSON the service builds by hand (no response model in its OpenAPI), so
// their shapes are written down here, as far as the screens read them.
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
export interface Suppressed {
  suppressed: true;
}

export interface ScoreGroup {
  answers: number;
  respondents: number;
  mean_score: number;
  distribution: Record<string, number>;
}

export type Scores = ScoreGroup | Suppressed;

export function isSuppressed(group: object | null | undefined): group is Suppressed {
  return !!group && (group as Partial<Suppressed>).suppressed === true;
}

export type EndedRow = ({ reason: string } & Suppressed) | { reason: string; mentorships: number; people: number };

export interface HealthReport {
  program_id: string;
  program_name?: string | null;
  as_of: string | null;
  members: { total: number; mentors: number; mentees: number; mentors_approved: number; mentors_paused: number; mentor_applications_pending: number };
  requests: { total: number; accepted: number; declined: number; info_requested: number; unanswered: number; response_hours_median: number | null; response_hours_p90: number | null };
  mentorships: {
    made: number;
    active: number;
    quiet: number;
    inactive: number;
    ended: number;
    on_track: number;
    needs_check_in: number;
    mentor_silent: number;
    ended_by_reason: EndedRow[];
  };
  activity: { messages: number; meetings_held: number; meetings_upcoming: number; meetings_cancelled: number; documents_shared: number };
  goals: { total: number; completed: number; overdue: number; completion_rate: number | null; mean_progress_percent: number | null };
  check_ins: Scores;
}

export interface MentorshipRow {
  match_id: string;
  mentor_user_id: string;
  mentee_user_ids: string[];
  matched_at: string | null;
  status: "on_track" | "needs_check_in" | "inactive" | "ended";
  activity: "active" | "quiet" | "inactive" | "ended";
  rule: string;
  mentor_silent: boolean;
  quiet_days: number;
  messages: number;
  meetings_held: number;
  goals: number;
  goals_completed: number;
  check_ins_answered: number;
}

export interface MentorshipsReport {
  as_of: string | null;
  items: MentorshipRow[];
}

export type Grouped<K extends string> = { [key in K]: string } & Scores;

export interface CheckInReport {
  as_of: string | null;
  k_anonymity: number;
  overall: Scores;
  by_month: Grouped<"month">[];
  by_round: Grouped<"round">[];
  by_role: Grouped<"role">[];
  comments_by_round: { round: string; comments: { score: number; visibility: string; comment: string }[] }[];
}

export interface GoalsReport {
  goals: number;
  completed: number;
  completion_rate: number | null;
  mentorships: { match_id: string; goals: number; completed: number; mean_progress_percent: number }[];
}

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
    score: isSuppressed(row) ? null : (row as ScoreGroup).mean_score,
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
