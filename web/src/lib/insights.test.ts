import { describe, expect, it } from "vitest";
import {
  activityBars,
  goalSlices,
  headline,
  isSuppressed,
  moved,
  notYetKnown,
  parseDueInDays,
  parseMilestones,
  parseRound,
  scoreBars,
  scoreLine,
  sortGoals,
  splitRounds,
  takesManualProgress,
  type CheckInReport,
  type Goal,
  type HealthReport,
} from "./insights";

const goal = (over: Partial<Goal>): Goal => ({
  goal_id: "g",
  title: "t",
  description: "",
  due_in_days: null,
  due_on: null,
  progress_percent: 0,
  status: "open",
  milestones: [],
  ...over,
});

const health = (over: Partial<HealthReport["mentorships"]> = {}, goals = { total: 0, completed: 0 }): HealthReport => ({
  program_id: "p",
  program_name: null,
  as_of: null,
  rules: { quiet_after_days: 14, inactive_after_days: 30, first_check_in_days: 30, check_in_every_days: 60, check_in_at_close: true, check_in_grace_days: 7 },
  members: { total: 3, mentors: 1, mentees: 2, mentors_approved: 1, mentors_paused: 0, mentor_applications_pending: 0 },
  requests: { total: 1, accepted: 1, declined: 0, info_requested: 0, unanswered: 0, response_hours_median: 1, response_hours_p90: 1 },
  mentorships: { made: 2, active: 1, quiet: 0, inactive: 0, ended: 1, on_track: 1, needs_check_in: 0, mentor_silent: 0, ended_by_reason: [], ...over },
  activity: { messages: 4, meetings_held: 0, meetings_upcoming: 1, meetings_cancelled: 0, documents_shared: 0 },
  goals: { ...goals, overdue: 0, completion_rate: null, mean_progress_percent: null },
  check_ins: { suppressed: true },
});

describe("goals", () => {
  it("reads milestones one a line, blanks dropped, at most 20", () => {
    expect(parseMilestones(" Read the SRE book \n\n  Shadow an on-call \n")).toEqual(["Read the SRE book", "Shadow an on-call"]);
    expect(parseMilestones(Array.from({ length: 25 }, (_, i) => `m${i}`).join("\n"))).toHaveLength(20);
  });

  it("takes a manual percentage only without milestones", () => {
    expect(takesManualProgress(goal({}))).toBe(true);
    expect(takesManualProgress(goal({ milestones: [{ milestone_id: "m", title: "x", done: false }] }))).toBe(false);
  });

  it("reads a due date in days after the match", () => {
    expect(parseDueInDays("")).toBeNull();
    expect(parseDueInDays(" 90 ")).toBe(90);
    expect(parseDueInDays("-1")).toBe("invalid");
    expect(parseDueInDays("4000")).toBe("invalid");
    expect(parseDueInDays("1.5")).toBe("invalid");
  });

  it("lists open goals first, nearest due first, undated last", () => {
    const sorted = sortGoals([
      goal({ goal_id: "done", status: "completed", due_on: "2026-01-01" }),
      goal({ goal_id: "undated" }),
      goal({ goal_id: "late", due_on: "2027-03-01" }),
      goal({ goal_id: "soon", due_on: "2027-01-01" }),
    ]);
    expect(sorted.map((g) => g.goal_id)).toEqual(["soon", "late", "undated", "done"]);
  });
});

describe("a mentorship insights has not read yet", () => {
  it("is retried on 404 for a while, never on other errors", () => {
    expect(notYetKnown(0, { status: 404 })).toBe(true);
    expect(notYetKnown(40, { status: 404 })).toBe(false);
    expect(notYetKnown(0, { status: 403 })).toBe(false);
    expect(notYetKnown(0, new Error("network"))).toBe(false);
  });
});

describe("check-ins", () => {
  it("names rounds", () => {
    expect(parseRound("day_30")).toEqual({ kind: "day", days: 30 });
    expect(parseRound("close")).toEqual({ kind: "close" });
    expect(parseRound("weird")).toEqual({ kind: "other", name: "weird" });
  });

  it("splits the rounds I still owe from those I answered, oldest first", () => {
    const round = (name: string, due: string, mine: boolean) => ({ round: name, due_at: due, mine: mine ? { score: 4 } : null, answers: 0, public: [] });
    const { toAnswer, answered } = splitRounds([round("close", "2027-05-01T00:00:00Z", false), round("day_30", "2027-02-01T00:00:00Z", false), round("day_90", "2027-04-01T00:00:00Z", true)]);
    expect(toAnswer.map((r) => r.round)).toEqual(["day_30", "close"]);
    expect(answered.map((r) => r.round)).toEqual(["day_90"]);
  });
});

describe("reports", () => {
  it("recognises a suppressed group", () => {
    expect(isSuppressed({ suppressed: true })).toBe(true);
    expect(isSuppressed({ answers: 5, respondents: 5, mean_score: 4, distribution: {} })).toBe(false);
    expect(isSuppressed(null)).toBe(false);
  });

  it("gives a suppressed month a gap in the line, not a zero", () => {
    const report = {
      by_month: [
        { month: "2027-01", answers: 6, respondents: 5, mean_score: 4.2, distribution: {} },
        { month: "2027-02", suppressed: true },
      ],
    } as unknown as CheckInReport;
    expect(scoreLine(report)).toEqual([
      { month: "2027-01", score: 4.2, suppressed: false },
      { month: "2027-02", score: null, suppressed: true },
    ]);
  });

  it("counts answers per score, nothing for a suppressed group", () => {
    expect(scoreBars({ answers: 5, respondents: 5, mean_score: 4, distribution: { "4": 3, "5": 2 } }).map((b) => b.answers)).toEqual([0, 0, 0, 3, 2]);
    expect(scoreBars({ suppressed: true })).toEqual([]);
  });

  it("charts mentorships by activity and goals by completion", () => {
    expect(activityBars(health())).toEqual([
      { activity: "active", mentorships: 1 },
      { activity: "quiet", mentorships: 0 },
      { activity: "inactive", mentorships: 0 },
      { activity: "ended", mentorships: 1 },
    ]);
    expect(goalSlices(health())).toEqual([]);
    expect(goalSlices(health({}, { total: 3, completed: 1 }))).toEqual([
      { key: "completed", value: 1 },
      { key: "open", value: 2 },
    ]);
  });

  it("marks the headline numbers that moved since the last reading", () => {
    const before = headline(health());
    const now = headline(health({ made: 3 }, { total: 1, completed: 0 }));
    expect(moved(null, now)).toEqual(new Set());
    expect(moved(before, now)).toEqual(new Set(["made", "goals"]));
  });
});
