// What the documents screen decides without the network: which player shows a type, the
// conversation and space of a mentorship, sizes and durations in the viewer's locale.
import { locale } from "./format";

export type Kind = "pdf" | "image" | "video" | "audio" | "other";

/** How the browser shows a document of this type (inline PDF, image, player, or a download). */
export function kindOf(contentType: string | null | undefined): Kind {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/pdf") return "pdf";
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("video/")) return "video";
  if (type.startsWith("audio/")) return "audio";
  return "other";
}

interface MatchLike {
  match_id: string;
  group_id?: string | null;
}

/** A mentorship's conversation in messaging: one per group, else one per match. */
export function conversationOf(match: MatchLike): string {
  return match.group_id ? `g-${match.group_id}` : `m-${match.match_id}`;
}

/** The mentorship a conversation belongs to, among mine. */
export function matchOfConversation<T extends MatchLike>(conversationId: string, matches: readonly T[]): T | undefined {
  return matches.find((m) => conversationOf(m) === conversationId);
}

/** 1536 -> "1.5 KB" (decimal units; French writes octets: "1,5 ko"). */
export function formatBytes(bytes: number, lang: string): string {
  const units = lang.startsWith("fr") ? ["o", "ko", "Mo", "Go", "To"] : ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(locale(lang), { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

/** 75.4 -> "1:15"; 3725 -> "1:02:05". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "";
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The edge path of a signed link the service answered (it names its own `/v1/...` path). */
export function edgeUrl(servicePath: string): string {
  return servicePath.startsWith("/api/") ? servicePath : `/api/documents${servicePath}`;
}
