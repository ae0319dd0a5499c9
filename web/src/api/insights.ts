// The insights service's typed client (goals, check-ins, program reports), with the same
// bearer token as the others (kept apart from client.ts, which lists the other services).
import createClient from "openapi-fetch";
import { accessToken } from "./client";
import type { paths as InsightsPaths } from "./generated/insights";

export const insights = createClient<InsightsPaths>({ baseUrl: "/api/insights" });
insights.use({
  onRequest({ request }) {
    const token = accessToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
});
