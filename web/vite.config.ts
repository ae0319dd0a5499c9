import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The app is served by the local edge (deploy/local/edge.py) on the same origin as the
// APIs; `npm run dev` proxies them to the ports `make up` uses.
const services = ["profiles", "matching", "messaging", "documents", "scheduling", "insights", "knowledge"];
const proxy = Object.fromEntries(
  services.map((name, i) => [
    `/api/${name}/`,
    { target: `http://127.0.0.1:${8001 + i}`, rewrite: (p: string) => p.replace(`/api/${name}`, ""), ws: true },
  ]),
);

export default defineConfig({
  plugins: [react()],
  build: {
    target: "es2022",
    sourcemap: true,
    rollupOptions: { input: { main: "index.html", silent: "silent-callback.html" } },
  },
  server: {
    proxy: {
      ...proxy,
      "/mentorship-dev-issuer/": { target: "http://127.0.0.1:8009" },
      "/config.json": { target: "http://127.0.0.1:8080" },
    },
  },
  test: { environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"] },
});
