// First load of the member home with a cold HTTP cache, in headless Chromium, against the
// edge at EDGE_URL. Signs in once (the issuer's session cookie is kept, as for a returning
// member), then for each of RUNS fresh browser contexts (empty cache) times: navigation
// start -> the home's heading and its mentorships card rendered. Baseline in the same run:
// a fresh context loading the edge's /config.json (the floor of context + navigation).
// Prints one JSON object: {"home_ms": [...], "baseline_ms": [...], "first_screen_js": [...]}.
import { createRequire } from "node:module";

const require = createRequire(new URL("../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const BASE = process.env.EDGE_URL;
const USER = process.env.USER_ID;
const HOME = process.env.HOME_PATH;
const RUNS = Number(process.env.RUNS ?? "15");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const signIn = await browser.newContext();
const page = await signIn.newPage();
await page.goto(`${BASE}/`);
await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
await page.getByRole("button", { name: new RegExp(`\\(${USER},`) }).click();
await page.getByRole("button", { name: "Sign out" }).waitFor();
const cookies = (await signIn.cookies()).filter((c) => c.name === "dev_issuer_session");
await signIn.close();

const result = { home_ms: [], baseline_ms: [], first_screen_js: [] };
for (let i = 0; i < RUNS; i++) {
  for (const kind of ["baseline", "home"]) {
    const context = await browser.newContext();
    await context.addCookies(cookies);
    const p = await context.newPage();
    const scripts = new Set();
    p.on("response", (r) => {
      if (r.request().resourceType() === "script") scripts.add(r.url());
    });
    const began = Date.now();
    if (kind === "baseline") {
      await p.goto(`${BASE}/config.json`);
      result.baseline_ms.push(Date.now() - began);
    } else {
      await p.goto(`${BASE}${HOME}`);
      await p.getByTestId("mentorships").getByText(/./).first().waitFor({ timeout: 30_000 });
      result.home_ms.push(Date.now() - began);
      if (i === 0) result.first_screen_js = [...scripts].map((u) => new URL(u).pathname);
    }
    await context.close();
  }
}
await browser.close();
console.log(JSON.stringify(result));
