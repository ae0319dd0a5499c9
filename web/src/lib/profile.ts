// The profile editor's form model: what the API returns <-> what the inputs hold.
import type { P } from "../api/client";

export const TEXT_FIELDS = ["display_name", "headline", "location", "timezone", "industry", "job_function"] as const;
export const LIST_FIELDS = ["languages", "skills", "expertise", "goals", "interests", "keywords"] as const;
export const ALL_FIELDS = [...TEXT_FIELDS, "bio", ...LIST_FIELDS, "years_experience", "capacity", "accepting_mentees"] as const;
export type Visibility = "program" | "matches" | "private";

export interface ProfileForm {
  text: Record<string, string>;
  lists: Record<string, string>;
  bio: string;
  years: string;
  capacity: string;
  accepting: boolean;
  custom: Record<string, string | string[]>;
  visibility: Record<string, Visibility>;
}

const listToText = (v: unknown) => (Array.isArray(v) ? (v as string[]).join(", ") : "");

export function toForm(profile: Record<string, unknown>, visibility: Record<string, string> | null | undefined): ProfileForm {
  const custom = (profile.custom_fields ?? {}) as Record<string, unknown>;
  return {
    text: Object.fromEntries(TEXT_FIELDS.map((f) => [f, (profile[f] as string | undefined) ?? ""])),
    lists: Object.fromEntries(LIST_FIELDS.map((f) => [f, listToText(profile[f])])),
    bio: (profile.bio as string | undefined) ?? "",
    years: profile.years_experience == null ? "" : String(profile.years_experience),
    capacity: profile.capacity == null ? "" : String(profile.capacity),
    accepting: profile.accepting_mentees !== false,
    custom: Object.fromEntries(
      Object.entries(custom).map(([k, v]) => [k, Array.isArray(v) ? (v as string[]) : v == null ? "" : String(v)]),
    ),
    visibility: { ...(visibility ?? {}) } as Record<string, Visibility>,
  };
}

const split = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** The PATCH body: only fields the program uses; empty inputs clear their field. */
export function toPatch(form: ProfileForm, program: Pick<P["ProgramOut"], "custom_fields">, isMentor: boolean): P["ProfileInput"] {
  const body: Record<string, unknown> = {};
  for (const f of TEXT_FIELDS) body[f] = form.text[f]?.trim() || null;
  if (!body.display_name) delete body.display_name;
  for (const f of LIST_FIELDS) body[f] = split(form.lists[f] ?? "");
  body.bio = form.bio.trim() || null;
  body.years_experience = form.years.trim() === "" ? null : Number(form.years);
  if (isMentor) {
    body.capacity = form.capacity.trim() === "" ? null : Number(form.capacity);
    body.accepting_mentees = form.accepting;
  }
  const custom: Record<string, unknown> = {};
  for (const def of program.custom_fields ?? []) {
    const value = form.custom[def.key];
    if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) continue;
    custom[def.key] = def.type === "number" ? Number(value) : value;
  }
  body.custom_fields = custom;
  body.visibility = form.visibility;
  return body as P["ProfileInput"];
}
