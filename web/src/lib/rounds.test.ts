import { describe, expect, it } from "vitest";
import { compareRuns, toggle } from "./rounds";

const pair = (mentor: string, mentee: string, score = 0.5) => ({
  mentor_id: mentor,
  mentee_id: mentee,
  score,
  pinned: false,
  explanation: { summary: "", reasons: [], shared: {}, contributions: [], excluded_by: [], exclusions: [] },
});

describe("rounds", () => {
  it("toggles a pair in and out of a list", () => {
    const once = toggle([], { mentor_id: "a", mentee_id: "x" });
    expect(once).toEqual([{ mentor_id: "a", mentee_id: "x" }]);
    expect(toggle(once, pair("a", "x"))).toEqual([]);
  });

  it("compares two runs by pair", () => {
    const cmp = compareRuns([pair("a", "x"), pair("b", "y")], [pair("a", "x"), pair("b", "z")]);
    expect(cmp.both.map((p) => p.mentee_id)).toEqual(["x"]);
    expect(cmp.onlyA.map((p) => p.mentee_id)).toEqual(["y"]);
    expect(cmp.onlyB.map((p) => p.mentee_id)).toEqual(["z"]);
  });
});
