// Typed clients for each service behind the edge (/api/<service>), from generated types.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths as DocumentsPaths, components as DocumentsComponents } from "./generated/documents";
import type { paths as InsightsPaths } from "./generated/insights";
import type { paths as MatchingPaths, components as MatchingComponents } from "./generated/matching";
import type { paths as MessagingPaths, components as MessagingComponents } from "./generated/messaging";
import type { paths as ProfilesPaths, components as ProfilesComponents } from "./generated/profiles";
import type { paths as SchedulingPaths, components as SchedulingComponents } from "./generated/scheduling";

export type P = ProfilesComponents["schemas"];
export type M = MatchingComponents["schemas"];
export type Msg = MessagingComponents["schemas"];
export type S = SchedulingComponents["schemas"];
export type D = DocumentsComponents["schemas"];

/** A problem+json answer (RFC 9457) as an Error the screens can show. */
export class ApiError extends Error {
  readonly status: number;
  readonly field?: string | null;
  constructor(status: number, detail: string, field?: string | null) {
    super(detail);
    this.status = status;
    this.field = field;
  }
}

let currentToken: () => string | null = () => null;

/** The auth provider tells the clients where the (in-memory) access token is. */
export function useTokenSource(source: () => string | null): void {
  currentToken = source;
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = currentToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
};

export const profiles = createClient<ProfilesPaths>({ baseUrl: "/api/profiles" });
export const matching = createClient<MatchingPaths>({ baseUrl: "/api/matching" });
export const messaging = createClient<MessagingPaths>({ baseUrl: "/api/messaging" });
export const scheduling = createClient<SchedulingPaths>({ baseUrl: "/api/scheduling" });
export const documents = createClient<DocumentsPaths>({ baseUrl: "/api/documents" });
// JSON answers only: the reports also document text/csv (asked for with parseAs: "text").
export const insights = createClient<InsightsPaths, `${string}/json`>({ baseUrl: "/api/insights" });
for (const client of [profiles, matching, messaging, scheduling, documents, insights]) client.use(auth);

/** The current access token (for the chat socket's hello frame). */
export function accessToken(): string | null {
  return currentToken();
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call, or an ApiError with the problem's detail. */
export async function ok<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const problem = (error ?? {}) as { field?: string | null };
    throw new ApiError(response.status, problemDetail(error, response), problem.field);
  }
  return data as T;
}

/** What a problem+json answer says went wrong: its detail, else its title, else the status. */
export function problemDetail(error: unknown, response: { status: number; statusText?: string }): string {
  const problem = (error ?? {}) as { detail?: unknown; title?: string };
  if (typeof problem.detail === "string") return problem.detail;
  return problem.title ?? `${response.status} ${response.statusText ?? ""}`.trim();
}

/** A fresh Idempotency-Key for one create. */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
