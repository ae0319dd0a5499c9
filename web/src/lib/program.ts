// The program settings form <-> the ProgramSpec the profiles API takes.
import type { P } from "../api/client";

export const WEIGHT_FIELDS = ["skills", "expertise", "goals", "interests", "keywords", "semantic", "industry", "job_function", "years_experience", "languages", "timezone"] as const;

export interface ProgramForm {
  name: string;
  description: string;
  kind: "informal" | "formal";
  startsOn: string;
  endsOn: string;
  modes: ("one_to_one" | "group")[];
  approval: boolean;
  capacity: number;
  partners: string[];
  customFields: P["CustomFieldDef"][];
  questions: P["MentorQuestion"][];
  weights: Record<string, number>;
  sharedLanguage: boolean;
  maxTz: number | null;
}

export function emptyProgram(): ProgramForm {
  return {
    name: "",
    description: "",
    kind: "informal",
    startsOn: "",
    endsOn: "",
    modes: ["one_to_one"],
    approval: true,
    capacity: 3,
    partners: [],
    customFields: [],
    questions: [],
    weights: { skills: 3, expertise: 2, semantic: 1, languages: 0.5, timezone: 0.5 },
    sharedLanguage: false,
    maxTz: null,
  };
}

export function fromProgram(p: P["ProgramOut"]): ProgramForm {
  return {
    name: p.name,
    description: p.description ?? "",
    kind: p.kind ?? "informal",
    startsOn: p.starts_on ?? "",
    endsOn: p.ends_on ?? "",
    modes: [...(p.modes ?? ["one_to_one"])],
    approval: p.requires_mentor_approval ?? true,
    capacity: p.default_capacity ?? 3,
    partners: [...(p.partner_organization_ids ?? [])],
    customFields: (p.custom_fields ?? []).map((f) => ({ ...f })),
    questions: (p.mentor_questions ?? []).map((q) => ({ ...q })),
    weights: { ...((p.matching_weights ?? {}) as Record<string, number>) },
    sharedLanguage: p.constraints?.require_shared_language ?? false,
    maxTz: p.constraints?.max_timezone_difference_hours ?? null,
  };
}

export function toSpec(form: ProgramForm): P["ProgramSpec"] {
  const weights = Object.fromEntries(Object.entries(form.weights).filter(([, w]) => w > 0));
  return {
    name: form.name.trim(),
    description: form.description.trim() || null,
    kind: form.kind,
    starts_on: form.startsOn || null,
    ends_on: form.endsOn || null,
    modes: form.modes.length ? form.modes : ["one_to_one"],
    requires_mentor_approval: form.approval,
    default_capacity: form.capacity,
    partner_organization_ids: form.partners,
    custom_fields: form.customFields.map((f) => ({
      key: f.key,
      label: f.label,
      type: f.type,
      required: !!f.required,
      ...(f.type === "single_choice" || f.type === "multi_choice" ? { options: f.options ?? [] } : {}),
    })),
    mentor_questions: form.questions.filter((q) => q.text.trim()).map((q, i) => ({ key: q.key || `q${i + 1}`, text: q.text.trim(), required: q.required ?? true })),
    matching_weights: weights,
    constraints: { require_shared_language: form.sharedLanguage, max_timezone_difference_hours: form.maxTz },
  };
}
