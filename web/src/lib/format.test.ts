import { describe, expect, it } from "vitest";
import { formatDateTime, percent, splitList } from "./format";

describe("format", () => {
  it("shows times in the viewer's zone and language", () => {
    const iso = "2026-12-02T03:30:00Z";
    expect(formatDateTime(iso, "en", "America/Toronto")).toMatch(/Dec 1, 2026.*10:30/);
    expect(formatDateTime(iso, "fr", "America/Toronto")).toMatch(/1 déc\.? 2026.*22 h 30/);
  });

  it("clamps scores to percents and splits lists", () => {
    expect(percent(0.804)).toBe(80);
    expect(percent(1.7)).toBe(100);
    expect(splitList(" a, ,b ,")).toEqual(["a", "b"]);
  });
});
