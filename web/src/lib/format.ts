// Dates and numbers in the viewer's locale and time zone.

export function formatDateTime(iso: string | null | undefined, lang: string, timeZone?: string): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: "medium", timeStyle: "short", timeZone }).format(date);
}

export function formatDate(iso: string | null | undefined, lang: string, timeZone?: string): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: "medium", timeZone }).format(date);
}

export function percent(score: number): number {
  return Math.round(Math.max(0, Math.min(1, score)) * 100);
}

export function locale(lang: string): string {
  return lang.startsWith("fr") ? "fr-CA" : "en-CA";
}

/** "a, b ,c" -> ["a", "b", "c"] (empty entries dropped). */
export function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function joinList(items: readonly string[] | null | undefined): string {
  return (items ?? []).join(", ");
}
