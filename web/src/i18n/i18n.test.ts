import { describe, expect, it } from "vitest";
import { en } from "./en";
import { fr } from "./fr";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function leaf(dict: unknown, key: string): string {
  return key.split(".").reduce((v: unknown, k) => (v as Record<string, unknown>)[k], dict) as string;
}

describe("translations", () => {
  it("French has every English key and no other", () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort());
  });

  it("every French string is translated and keeps the English placeholders", () => {
    for (const key of keys(en)) {
      const english = leaf(en, key);
      const french = leaf(fr, key);
      expect(french.trim(), key).not.toBe("");
      const placeholders = (s: string) => (s.match(/\{\{\w+\}\}/g) ?? []).sort();
      expect(placeholders(french), key).toEqual(placeholders(english));
    }
  });
});
