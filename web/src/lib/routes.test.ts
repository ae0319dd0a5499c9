import { describe, expect, it } from "vitest";
import { firstScreen } from "./routes";

describe("the first screen of a URL", () => {
  it("is the member home for a program's root, the programs list for /", () => {
    expect(firstScreen("/p/prog-1")).toBe("home");
    expect(firstScreen("/p/prog-1/")).toBe("home");
    expect(firstScreen("/")).toBe("programs");
  });

  it("is none of them elsewhere (that screen loads with its route)", () => {
    expect(firstScreen("/p/prog-1/goals")).toBeNull();
    expect(firstScreen("/p/prog-1/admin/health")).toBeNull();
    expect(firstScreen("/callback")).toBeNull();
  });
});
