import { describe, expect, it } from "vitest";
import { toForm, toPatch } from "./profile";

describe("profile form", () => {
  const program = {
    custom_fields: [
      { key: "track", label: "Track", type: "single_choice" as const, options: ["A", "B"] },
      { key: "years_in_role", label: "Years", type: "number" as const },
    ],
  };

  it("round-trips lists, custom fields and visibility", () => {
    const form = toForm({ display_name: "Amélie", skills: ["python", "ml"], custom_fields: { track: "A" } }, { location: "matches" });
    expect(form.lists.skills).toBe("python, ml");
    form.lists.skills = "python, , kubernetes ";
    form.custom.years_in_role = "4";
    const patch = toPatch(form, program, false) as Record<string, unknown>;
    expect(patch.skills).toEqual(["python", "kubernetes"]);
    expect(patch.custom_fields).toEqual({ track: "A", years_in_role: 4 });
    expect(patch.visibility).toEqual({ location: "matches" });
    expect(patch.display_name).toBe("Amélie");
  });

  it("clears emptied fields and leaves mentor fields to mentors", () => {
    const form = toForm({ display_name: "A", headline: "old", capacity: 2 }, null);
    form.text.headline = "  ";
    const patch = toPatch(form, { custom_fields: [] }, false) as Record<string, unknown>;
    expect(patch.headline).toBeNull();
    expect("capacity" in patch).toBe(false);
    expect((toPatch(form, { custom_fields: [] }, true) as Record<string, unknown>).capacity).toBe(2);
  });
});
