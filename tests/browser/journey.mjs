// The web app's journey in headless Chromium (playwright-core, Debian's /usr/bin/chromium)
// against the real stack behind the edge. Run by tests/browser/test_web_journey.py, which
// starts the services, the dev issuer and nginx, and passes:
//   EDGE_URL, TENANT, ARTIFACTS (screenshots), CHROMIUM (executable path)
// Every screen is screenshotted and checked with axe-core (no serious or critical
// violation); one pass runs in French; the mentor accepts with the keyboard only.
import { createHash, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

const require = createRequire(new URL("../../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const { AxeBuilder } = require("@axe-core/playwright");

const BASE = process.env.EDGE_URL ?? "http://127.0.0.1:8080";
const TENANT = process.env.TENANT ?? "demo";
const ARTIFACTS = process.env.ARTIFACTS ?? "tests/browser/artifacts";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const STEP_TIMEOUT = 30_000;
const user = (name) => `${name}-${TENANT}`;

mkdirSync(ARTIFACTS, { recursive: true });
const report = { screens: [], violations: [], steps: [] };
const started = Date.now();

function step(name) {
  report.steps.push({ name, at_ms: Date.now() - started });
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${name}`);
}

/** Screenshot + axe-core on the current screen; serious/critical violations fail the run. */
async function screen(page, name) {
  await page.locator(".mantine-Loader-root").first().waitFor({ state: "detached", timeout: 10_000 }).catch(() => {});
  const began = Date.now();
  await page.screenshot({ path: join(ARTIFACTS, `${String(report.screens.length + 1).padStart(2, "0")}-${name}.png`), animations: "disabled" });
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).options({ resultTypes: ["violations"] }).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  report.screens.push({ name, url: page.url(), violations: bad.length, check_ms: Date.now() - began });
  for (const v of bad)
    report.violations.push({ screen: name, id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) });
}

async function newContext(browser, locale = "en-CA") {
  const context = await browser.newContext({ locale, timezoneId: "America/Toronto", viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  page.on("pageerror", (e) => console.log(`pageerror: ${e.message}`));
  return { context, page };
}

/** Sign in through the app: the app sends us to the dev issuer, we pick the user there. */
async function signIn(page, userId, { keyboard = false } = {}) {
  await page.goto(`${BASE}/`);
  const button = page.getByRole("main").getByRole("button", { name: /sign in|se connecter/i });
  if (keyboard) {
    await tabTo(page, button);
    await page.keyboard.press("Enter");
  } else await button.click();
  await page.waitForURL(/mentorship-dev-issuer\/authorize/);
  const choice = page.getByRole("button", { name: new RegExp(`\\(${userId},`) });
  if (keyboard) {
    await tabTo(page, choice, 200);
    await page.keyboard.press("Enter");
  } else await choice.click();
  await page.waitForURL((u) => u.origin === new URL(BASE).origin && !u.pathname.startsWith("/callback") && !u.pathname.includes("dev-issuer"));
  await page.getByRole("button", { name: /sign out|se déconnecter/i }).waitFor();
}

/** Press Tab until the locator has the focus (keyboard-only use). */
async function tabTo(page, locator, max = 80) {
  const handle = await locator.elementHandle();
  for (let i = 0; i < max; i++) {
    if (await handle.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`keyboard: could not reach ${locator} with Tab`);
}

// --------------------------------------------------------------------------- API set-up

/** A token through the issuer's real code + PKCE flow (for set-up steps without a browser). */
async function tokenFor(userId) {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const redirect = `${BASE}/callback`;
  const form = new URLSearchParams({ user_id: userId, client_id: "mentorship-web", redirect_uri: redirect, response_type: "code", code_challenge: challenge, code_challenge_method: "S256", state: "x" });
  const auth = await fetch(`${BASE}/mentorship-dev-issuer/authorize`, { method: "POST", body: form, redirect: "manual" });
  const code = new URL(auth.headers.get("location")).searchParams.get("code");
  const token = await fetch(`${BASE}/mentorship-dev-issuer/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: redirect, client_id: "mentorship-web" }),
  });
  if (!token.ok) throw new Error(`token for ${userId}: ${token.status} ${await token.text()}`);
  return (await token.json()).access_token;
}

async function api(userId, method, path, body) {
  const token = await tokenFor(userId);
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} as ${userId}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const MENTORS = {
  ada: { display_name: "Ada Tremblay", headline: "Staff SRE, Kubernetes and on-call", skills: ["kubernetes", "terraform", "incident response"], expertise: ["site reliability"], languages: ["en", "fr"], timezone: "America/Toronto", years_experience: 14, industry: "Software" },
  grace: { display_name: "Grace Okafor", headline: "ML engineering lead", skills: ["machine learning", "python", "mlops"], expertise: ["machine learning"], languages: ["en"], timezone: "America/Vancouver", years_experience: 11, industry: "Software" },
};

async function mentorsApply(programId) {
  for (const [name, profile] of Object.entries(MENTORS)) {
    await api(user(name), "POST", `/api/profiles/v1/programs/${programId}/members`, { roles: ["mentor"], ...profile, custom_fields: { track: "Technical" } });
    await api(user(name), "POST", `/api/profiles/v1/programs/${programId}/mentor-applications`, { answers: { q1: `I want to help: ${name}.` } });
  }
  // A second mentee, for the bulk round to have more than one person to place.
  await api(user("noor"), "POST", `/api/profiles/v1/programs/${programId}/members`, {
    roles: ["mentee"], display_name: "Noor Haddad", skills: ["python", "machine learning"], goals: ["move into ML"], languages: ["en"], timezone: "America/Toronto", custom_fields: { track: "Technical" },
  });
}

async function waitFor(what, check, timeout = 150_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeout / 1000}s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The files the documents step uploads: a small PDF, a 6 s video (ffmpeg), a 12 MiB blob. */
function documentFiles() {
  const dir = mkdtempSync(join(tmpdir(), "journey-docs-"));
  const objects = [
    "<</Type/Catalog/Pages 2 0 R>>",
    "<</Type/Pages/Kids[3 0 R]/Count 1>>",
    "<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 396]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
    "<</Length 55>>stream\nBT /F1 28 Tf 72 200 Td (Our mentoring plan, 2027) Tj ET\nendstream",
    "<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
  ];
  let pdf = "%PDF-1.4\n";
  const offsets = objects.map((body, i) => {
    const at = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  pdf += `trailer\n<</Size ${objects.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  const files = { pdf: join(dir, "mentoring-plan.pdf"), video: join(dir, "first-session.mp4"), big: join(dir, "recording.bin") };
  writeFileSync(files.pdf, pdf, "latin1");
  execFileSync("ffmpeg", ["-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=6:size=320x240:rate=25", "-pix_fmt", "yuv420p", files.video]);
  const big = randomBytes(12 * 1024 * 1024 + 12_345);
  writeFileSync(files.big, big);
  return { ...files, dir, bigSize: big.length, bigSha256: createHash("sha256").update(big).digest("hex") };
}

// --------------------------------------------------------------------------- journey

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = null;
try {
  // 1. The admin creates a program.
  step("admin signs in and creates a program");
  const admin = await newContext(browser);
  await signIn(admin.page, user("admin"));
  await screen(admin.page, "programs");
  await admin.page.getByRole("link", { name: /create a program/i }).click();
  await admin.page.getByLabel(/^Name/).fill(`Cloud careers ${TENANT}`);
  await admin.page.getByLabel("Description").fill("Mentors in cloud and ML coach early-career people across Canada.");
  await admin.page.getByRole("button", { name: "Add a field" }).click();
  await admin.page.getByRole("textbox", { name: "Key", exact: true }).fill("track");
  await admin.page.getByRole("textbox", { name: "Label", exact: true }).fill("Mentoring track");
  await admin.page.getByLabel("Type").selectOption("single_choice");
  await admin.page.getByLabel("Options (comma-separated)").fill("Technical, Leadership");
  await admin.page.getByRole("button", { name: "Add a question" }).click();
  await admin.page.getByLabel(/^Question 1/).fill("Why do you want to mentor?");
  await screen(admin.page, "admin-create-program");
  await admin.page.getByRole("button", { name: "Create a program" }).click();
  await admin.page.waitForURL(/\/p\/[^/]+\/admin\/settings/);
  const programId = admin.page.url().split("/p/")[1].split("/")[0];
  await admin.page.getByRole("heading", { name: "Program settings" }).waitFor();
  await screen(admin.page, "admin-program-settings");

  // 2. Mentors apply (set-up through the API); the admin approves them in the queue.
  step("mentors apply; admin approves them");
  await mentorsApply(programId);
  await admin.page.getByRole("link", { name: "Mentor applications" }).click();
  await admin.page.getByTestId("application").first().waitFor();
  await screen(admin.page, "admin-applications");
  for (const name of ["Ada Tremblay", "Grace Okafor"]) {
    await admin.page.getByRole("listitem", { name }).getByRole("button", { name: "Approve" }).click();
    await admin.page.getByRole("listitem", { name }).waitFor({ state: "detached" });
  }
  await admin.page.getByText("No application is waiting.").waitFor();

  step("admin imports members from CSV (dry run, per-row report)");
  await admin.page.getByRole("link", { name: "Members" }).click();
  await admin.page.getByLabel("Or paste CSV").fill(`user_id,display_name,roles,languages\n${user("csv1")},Camille Roy,mentee,fr;en\n,No Id,mentee,en\n`);
  await admin.page.getByRole("button", { name: "Check (dry run)" }).click();
  await admin.page.getByTestId("import-summary").waitFor();
  if ((await admin.page.getByTestId("import-row").count()) < 2) throw new Error("the dry run should report every row");
  await screen(admin.page, "admin-members-import");

  // 3. A mentee signs in, joins, edits her profile, sees recommendations change.
  step("mentee joins and edits her profile");
  const mentee = await newContext(browser);
  await signIn(mentee.page, user("amelie"));
  await mentee.page.getByRole("link", { name: /join: cloud careers/i }).click();
  await mentee.page.getByRole("button", { name: "Join the program" }).click();
  await mentee.page.waitForURL(/\/profile$/);
  await mentee.page.getByRole("textbox", { name: "Skills", exact: true }).fill("python, machine learning");
  await mentee.page.getByRole("textbox", { name: /^Languages/ }).fill("en, fr");
  await mentee.page.getByRole("combobox", { name: /^Mentoring track/ }).selectOption("Technical");
  await mentee.page.getByLabel("Who sees City").selectOption("matches");
  await mentee.page.getByRole("textbox", { name: "City", exact: true }).fill("Montréal");
  await mentee.page.getByRole("button", { name: "Save" }).click();
  await mentee.page.getByText("Your profile is saved.").waitFor();
  await screen(mentee.page, "member-profile");

  step("mentee sees recommendations; an edit changes them");
  await mentee.page.getByRole("link", { name: "Find a mentor" }).click();
  const first = () => mentee.page.getByTestId("recommendation").first().getByRole("link").innerText();
  const before = await waitFor("first recommendation", async () => {
    const text = await first();
    return text.includes("Grace") || text.includes("Ada") ? text : null;
  });
  await screen(mentee.page, "member-recommendations");
  await mentee.page.getByRole("link", { name: "My profile" }).click();
  await mentee.page.getByRole("textbox", { name: "Skills", exact: true }).fill("kubernetes, terraform, incident response");
  await mentee.page.getByRole("textbox", { name: "Goals", exact: true }).fill("become an SRE");
  await mentee.page.getByRole("button", { name: "Save" }).click();
  await mentee.page.getByText("Your profile is saved.").waitFor();
  await mentee.page.getByRole("link", { name: "Find a mentor" }).click();
  const after = await waitFor("recommendations to follow the edit", async () => {
    const text = await first();
    return text !== before && text.includes("Ada") ? text : null;
  });
  console.log(`  recommendations: first was ${JSON.stringify(before)}, now ${JSON.stringify(after)}`);
  await mentee.page.getByRole("textbox", { name: "Keywords", exact: true }).fill("kubernetes");
  await mentee.page.getByRole("button", { name: "Search", exact: true }).click();
  await mentee.page.getByTestId("search-hit").first().waitFor();
  await screen(mentee.page, "member-mentor-search");

  step("mentee asks Ada for mentorship");
  await mentee.page.getByTestId("recommendation").first().getByRole("link").click();
  await mentee.page.getByRole("heading", { name: "Ada Tremblay", level: 1 }).waitFor();
  await mentee.page.getByLabel(/your message to ada/i).fill("I am moving into SRE and would love your advice on on-call and Kubernetes.");
  await screen(mentee.page, "member-mentor-page");
  await mentee.page.getByRole("button", { name: "Send the request" }).click();
  await mentee.page.getByText("Your request was sent.").waitFor();

  // 4. The mentor accepts in another browser context, with the keyboard only.
  step("mentor accepts with the keyboard only (another context)");
  const mentor = await newContext(browser);
  await signIn(mentor.page, user("ada"), { keyboard: true });
  const open = mentor.page.getByRole("link", { name: /open: cloud careers/i });
  await tabTo(mentor.page, open);
  await mentor.page.keyboard.press("Enter");
  const requestsLink = mentor.page.getByRole("link", { name: "Requests" });
  await tabTo(mentor.page, requestsLink);
  await mentor.page.keyboard.press("Enter");
  const request = mentor.page.getByRole("listitem", { name: /from amélie/i });
  await request.waitFor();
  await screen(mentor.page, "mentor-requests");
  await tabTo(mentor.page, request.getByRole("button", { name: "Accept" }));
  await mentor.page.keyboard.press("Enter");
  await request.getByTestId("request-status").filter({ hasText: "Accepted" }).waitFor();

  step("the mentee sees the mentorship on her home");
  await mentee.page.getByRole("link", { name: "Home" }).click();
  await waitFor("the match on the mentee's home", async () => {
    await mentee.page.reload();
    await mentee.page.getByRole("heading", { name: "My mentorships" }).waitFor();
    return (await mentee.page.getByTestId("mentorships").getByText("Ada Tremblay").count()) > 0;
  });
  await screen(mentee.page, "member-home");

  // 5. They book a meeting (the mentor's availability, the mentee's free slots) and chat.
  step("mentor publishes availability; mentee books a meeting and downloads its invite");
  await mentor.page.getByRole("link", { name: "Calendar", exact: true }).click();
  for (const day of ["Sat", "Sun"]) await mentor.page.getByRole("checkbox", { name: day }).check();
  await mentor.page.getByRole("textbox", { name: "From", exact: true }).fill("07:00");
  await mentor.page.getByRole("textbox", { name: "To", exact: true }).fill("21:00");
  await mentor.page.getByRole("button", { name: "Save" }).click();
  await mentor.page.getByText("Saved", { exact: true }).waitFor();
  await screen(mentor.page, "mentor-calendar");
  await mentee.page.getByRole("link", { name: "Calendar", exact: true }).click();
  await waitFor("free slots with the mentor", async () => {
    await mentee.page.reload();
    await mentee.page.getByRole("heading", { name: "Calendar", level: 1 }).waitFor();
    await mentee.page.getByTestId("slot").first().waitFor({ timeout: 5000 });
    return true;
  });
  await mentee.page.getByTestId("slot").first().click();
  await mentee.page.getByTestId("meeting").first().waitFor();
  const download = mentee.page.waitForEvent("download");
  await mentee.page.getByRole("button", { name: "Download invite (.ics)" }).first().click();
  const invite = await download;
  const ics = await (await import("node:fs/promises")).readFile(await invite.path(), "utf8");
  if (!ics.includes("BEGIN:VCALENDAR") || !ics.includes("BEGIN:VEVENT")) throw new Error("the invite is not an iCalendar file");
  await screen(mentee.page, "member-calendar");

  step("they chat in real time (both contexts see each message, typing shows)");
  await mentee.page.getByRole("link", { name: "Messages", exact: true }).click();
  await mentor.page.getByRole("link", { name: "Messages", exact: true }).click();
  for (const page of [mentee.page, mentor.page]) {
    await page.getByTestId("chat-status").filter({ hasText: "Live" }).waitFor();
    await waitFor("the conversation the match opened", async () => {
      if ((await page.getByLabel(/write a message/i).count()) > 0) return true;
      await page.reload();
      await page.getByTestId("chat-status").filter({ hasText: "Live" }).waitFor();
      return false;
    });
  }
  await mentee.page.getByLabel(/write a message/i).fill("Hello Ada, thank you for accepting!");
  await mentee.page.keyboard.press("Enter");
  await mentor.page.getByTestId("message").filter({ hasText: "Hello Ada, thank you" }).waitFor();
  await mentor.page.getByLabel(/write a message/i).pressSequentially("Welcome! Shall we start with your on-call questions?");
  await mentee.page.getByTestId("typing").filter({ hasText: "typing" }).waitFor();
  await mentor.page.keyboard.press("Enter");
  await mentee.page.getByTestId("message").filter({ hasText: "Welcome! Shall we start" }).waitFor();
  await screen(mentee.page, "member-chat");

  // 5b. Documents: a PDF and a short video in the mentorship's space, shared in its
  // conversation; the mentor plays the video and seeks; an upload cut after its first chunk
  // resumes after a reload from the offset the server stored.
  step("mentee uploads a PDF and a video to the mentorship's documents");
  const docs = documentFiles();
  const [match] = (await api(user("amelie"), "GET", `/api/matching/v1/programs/${programId}/matches?status=active`)).items;
  await waitFor("the documents service to know the mentorship", () => api(user("amelie"), "GET", `/api/documents/v1/spaces/${match.match_id}/documents`));
  await mentee.page.getByRole("link", { name: "Documents of this mentorship" }).click();
  await mentee.page.getByRole("heading", { name: "Documents", level: 1 }).waitFor();
  for (const path of [docs.pdf, docs.video]) {
    await mentee.page.getByLabel("Choose a file").setInputFiles(path);
    await mentee.page.getByRole("button", { name: "Upload", exact: true }).click();
    await mentee.page.getByTestId("upload-done").filter({ hasText: basename(path) }).waitFor();
  }
  await mentee.page.getByTestId("document").filter({ hasText: "first-session.mp4" }).waitFor();
  await mentee.page.getByRole("button", { name: "Open mentoring-plan.pdf" }).click();
  const pdfFrame = mentee.page.getByTestId("pdf");
  await pdfFrame.waitFor();
  const pdfAnswer = await mentee.page.evaluate(async (src) => {
    const r = await fetch(src);
    return { status: r.status, type: r.headers.get("content-type"), disposition: r.headers.get("content-disposition") };
  }, await pdfFrame.getAttribute("src"));
  if (pdfAnswer.status !== 200 || pdfAnswer.type !== "application/pdf" || !pdfAnswer.disposition.startsWith("inline")) throw new Error(`the PDF is not shown inline: ${JSON.stringify(pdfAnswer)}`);
  await mentee.page.getByTestId("shared-badge").waitFor();
  await screen(mentee.page, "member-documents");

  step("the mentor sees both; the video plays and a seek to 3 s lands");
  const mediaStatuses = [];
  mentor.page.on("response", (r) => {
    if (r.url().includes("/api/documents/v1/links/")) mediaStatuses.push(r.status());
  });
  await mentor.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Documents" }).click();
  await mentor.page.getByTestId("document").filter({ hasText: "mentoring-plan.pdf" }).waitFor();
  await mentor.page.getByRole("button", { name: "Open first-session.mp4" }).click();
  const player = mentor.page.getByTestId("player");
  await player.waitFor();
  const playback = await player.evaluate(async (video) => {
    const until = async (ok, what) => {
      const t0 = performance.now();
      while (!ok()) {
        if (video.error) throw new Error(`media error ${video.error.code}: ${video.error.message}`);
        if (performance.now() - t0 > 15_000) throw new Error(`video: ${what} not reached`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    video.muted = true;
    await until(() => video.readyState >= 1, "metadata");
    await video.play();
    await until(() => video.currentTime >= 0.5, "playing");
    const played = video.currentTime;
    video.pause();
    let seeked = false;
    video.addEventListener("seeked", () => (seeked = true), { once: true });
    video.currentTime = 3;
    await until(() => seeked && video.readyState >= 2, "the seek");
    return { played, currentTime: video.currentTime, readyState: video.readyState, duration: video.duration };
  });
  console.log(`  video: ${JSON.stringify(playback)}; link answers ${JSON.stringify([...new Set(mediaStatuses)])}`);
  if (Math.abs(playback.currentTime - 3) > 0.1 || playback.readyState < 2) throw new Error(`the seek to 3 s did not land: ${JSON.stringify(playback)}`);
  if (!mediaStatuses.includes(206)) throw new Error(`the player read no range of the signed link: ${mediaStatuses}`);
  await screen(mentor.page, "mentor-documents-video");

  step("an upload cut after its first chunk resumes after a reload");
  let patches = 0;
  const cutAfterFirstChunk = (route) => {
    if (route.request().method() !== "PATCH") return route.continue();
    patches += 1;
    return patches === 1 ? route.continue() : route.abort("internetdisconnected");
  };
  await mentee.page.route("**/api/documents/v1/uploads/*", cutAfterFirstChunk);
  await mentee.page.getByLabel("Choose a file").setInputFiles(docs.big);
  await mentee.page.getByRole("button", { name: "Upload", exact: true }).click();
  await mentee.page.getByTestId("upload-interrupted").waitFor({ timeout: 60_000 });
  await mentee.page.unroute("**/api/documents/v1/uploads/*", cutAfterFirstChunk);
  const kept = await mentee.page.evaluate(() => sessionStorage.getItem("mentorship.pendingUploads"));
  const pendingUpload = JSON.parse(kept)[0];
  if (!pendingUpload?.uploadId || /eyJ|bearer|token/i.test(kept)) throw new Error(`sessionStorage should hold the upload's id and nothing secret: ${kept}`);
  const headers = { Authorization: `Bearer ${await tokenFor(user("amelie"))}` };
  const stored = Number((await fetch(`${BASE}/api/documents/v1/uploads/${pendingUpload.uploadId}`, { method: "HEAD", headers })).headers.get("upload-offset"));
  if (stored !== 8 * 1024 * 1024) throw new Error(`the server should hold the first 8 MiB chunk, has ${stored}`);
  await mentee.page.reload();
  await mentee.page.getByTestId("pending-upload").waitFor();
  await screen(mentee.page, "member-documents-resume");
  const resumedFrom = [];
  const watch = (request) => {
    if (request.method() === "PATCH" && request.url().includes("/api/documents/v1/uploads/")) resumedFrom.push(Number(request.headers()["upload-offset"]));
  };
  mentee.page.on("request", watch);
  await mentee.page.getByLabel("Choose a file").setInputFiles(docs.big);
  await mentee.page.getByTestId("chosen-file").filter({ hasText: "continues from" }).waitFor();
  await mentee.page.getByRole("button", { name: "Resume the upload" }).click();
  await mentee.page.getByTestId("upload-done").filter({ hasText: "recording.bin" }).waitFor({ timeout: 60_000 });
  mentee.page.off("request", watch);
  if (resumedFrom[0] !== stored) throw new Error(`the resumed upload should start at ${stored}, sent ${resumedFrom}`);
  const listed = (await api(user("amelie"), "GET", `/api/documents/v1/spaces/${match.match_id}/documents`)).items.find((d) => d.name === "recording.bin");
  const body = Buffer.from(await (await fetch(`${BASE}/api/documents/v1/documents/${listed.document_id}/content`, { headers })).arrayBuffer());
  const digest = createHash("sha256").update(body).digest("hex");
  console.log(`  resumed at ${stored} (PATCHes from ${resumedFrom}); stored ${body.length} bytes, sha256 ${digest.slice(0, 12)}…`);
  if (listed.size !== docs.bigSize || body.length !== docs.bigSize || digest !== docs.bigSha256) throw new Error(`the resumed file differs: ${listed.size}/${body.length} bytes, ${digest} vs ${docs.bigSha256}`);
  rmSync(docs.dir, { recursive: true, force: true });

  // 6. The admin runs a bulk round, pins and forbids, re-runs, compares and publishes.
  step("admin makes the program formal, runs, reviews, re-runs, compares and publishes a round");
  await admin.page.getByRole("link", { name: "Settings", exact: true }).click();
  await admin.page.getByRole("combobox", { name: "Kind" }).selectOption("formal");
  await admin.page.getByLabel(/^Starts on/).fill("2027-01-11");
  await admin.page.getByLabel(/^Ends on/).fill("2027-06-30");
  await admin.page.getByRole("button", { name: "Save" }).click();
  await admin.page.getByText("Saved", { exact: true }).waitFor();
  await admin.page.getByRole("link", { name: "Matching rounds" }).click();
  await admin.page.getByRole("button", { name: "Run a new round" }).click();
  await admin.page.getByTestId("round-pair").first().or(admin.page.getByTestId("unmatched").first()).waitFor();
  await screen(admin.page, "admin-round-run-1");
  const pairs = await admin.page.getByTestId("round-pair").count();
  if (pairs > 0) await admin.page.getByTestId("round-pair").first().getByRole("button", { name: /^forbid/i }).click();
  await admin.page.getByRole("button", { name: "Re-run with pins and forbids" }).click();
  await admin.page.getByLabel("Runs").filter({ has: admin.page.locator('option[value="2"]') }).waitFor();
  await admin.page.getByRole("heading", { name: "Compare" }).waitFor();
  await screen(admin.page, "admin-round-compare");
  await admin.page.getByRole("button", { name: /publish run 2/i }).click();
  await admin.page.getByTestId("published").waitFor();
  await screen(admin.page, "admin-round-published");

  // 7. One pass in French.
  step("French pass");
  await mentee.page.getByLabel("Language").selectOption("fr");
  await mentee.page.getByRole("link", { name: "Accueil" }).click();
  await mentee.page.getByRole("heading", { name: /bienvenue/i }).waitFor();
  await screen(mentee.page, "fr-member-home");
  await mentee.page.getByRole("link", { name: "Trouver un mentor" }).click();
  await mentee.page.getByRole("heading", { name: "Trouver un mentor", level: 1 }).waitFor();
  await screen(mentee.page, "fr-member-mentors");
  await mentee.page.getByRole("link", { name: "Mon profil" }).click();
  await mentee.page.getByRole("heading", { name: "Mon profil" }).waitFor();
  await screen(mentee.page, "fr-member-profile");
  await mentor.page.getByLabel("Language").selectOption("fr");
  await mentor.page.getByRole("link", { name: "Demandes", exact: true }).click();
  await mentor.page.getByRole("heading", { name: "Demandes de mentorat" }).waitFor();
  await screen(mentor.page, "fr-mentor-requests");
  const frAdmin = await newContext(browser, "fr-CA");
  await signIn(frAdmin.page, user("admin"));
  await frAdmin.page.goto(`${BASE}/p/${programId}/admin/rounds`);
  await frAdmin.page.getByRole("heading", { name: "Rondes de jumelage" }).waitFor();
  await screen(frAdmin.page, "fr-admin-rounds");

  step("sign-out ends the session");
  await mentee.page.getByRole("button", { name: "Se déconnecter" }).click();
  await mentee.page.getByRole("main").getByRole("button", { name: "Se connecter" }).waitFor();
  await mentee.page.reload();
  await mentee.page.getByRole("main").getByRole("button", { name: "Se connecter" }).waitFor();

  // 8. Goals and check-ins (insights, fed by the topics): the admin's health dashboard moves.
  step("admin opens the program health dashboard (charts)");
  await admin.page.getByRole("link", { name: "Program health" }).click();
  await admin.page.getByRole("heading", { name: "Program health", level: 1 }).waitFor();
  const stat = (name) => admin.page.getByTestId(`stat-${name}`).getByTestId("stat-value").innerText().then(Number);
  const goalsBefore = await waitFor("the health report", async () => {
    if ((await admin.page.getByTestId("stat-goals").count()) === 0) await admin.page.getByRole("button", { name: "Refresh the numbers" }).click();
    return (await stat("made")) > 0 ? stat("goals").then((n) => ({ n })) : null;
  });
  await admin.page.getByTestId("chart").first().locator(".recharts-surface").waitFor();
  await screen(admin.page, "admin-health");

  step("the pair sets a goal, marks a milestone, ends the mentorship and answers its check-in");
  await mentor.page.getByLabel("Langue").selectOption("en");
  await mentor.page.getByRole("link", { name: "Goals and check-ins" }).click();
  const mentorship = mentor.page.getByTestId("mentorship").filter({ hasText: "Amélie" });
  await waitFor("insights to know the mentorship", async () => {
    if ((await mentorship.getByRole("textbox", { name: /^Goal/ }).count()) > 0) return true;
    await mentor.page.reload();
    await mentor.page.getByRole("heading", { name: "Goals and check-ins", level: 1 }).waitFor();
    return false;
  });
  await mentorship.getByRole("textbox", { name: /^Goal/ }).fill("Run an on-call shift");
  await mentorship.getByRole("textbox", { name: "Milestones" }).fill("Read the runbooks\nShadow a shift");
  await mentorship.getByRole("button", { name: "Set the goal" }).click();
  const goal = mentorship.getByRole("listitem", { name: "Run an on-call shift" });
  // click, not check(): the box follows the server's answer, a moment after the click
  await goal.getByRole("checkbox", { name: "Read the runbooks" }).click();
  await goal.getByTestId("goal-progress").filter({ hasText: "50" }).waitFor();
  await screen(mentor.page, "member-goals");
  await mentorship.getByRole("button", { name: "End this mentorship" }).click();
  await mentorship.getByRole("button", { name: "End the mentorship" }).click();
  const checkIn = mentorship.getByTestId("check-in").filter({ hasText: "Closing check-in" });
  await checkIn.waitFor({ timeout: 120_000 });
  await checkIn.getByRole("radio", { name: "4", exact: true }).check();
  await checkIn.getByRole("textbox", { name: /comment/i }).fill("Great first months, thank you!");
  await checkIn.getByRole("radio", { name: /partner too/ }).check();
  await checkIn.getByRole("button", { name: "Send my answer" }).click();
  await mentorship.getByTestId("check-in-answered").waitFor();
  await screen(mentor.page, "member-check-in");
  await signIn(mentee.page, user("amelie"));
  await mentee.page.goto(`${BASE}/p/${programId}/goals`);
  const hers = mentee.page.getByTestId("mentorship").filter({ hasText: "Ada" });
  const closing = hers.getByTestId("check-in").filter({ hasText: "Bilan de clôture" });
  await closing.waitFor();
  if ((await hers.getByRole("listitem", { name: "Run an on-call shift" }).count()) === 0) throw new Error("the mentee should see the pair's goal");
  await closing.getByRole("radio", { name: "5 (très bien)" }).check();
  await closing.getByRole("button", { name: "Envoyer ma réponse" }).click();
  await hers.getByTestId("check-in-answered").waitFor();
  await screen(mentee.page, "fr-member-goals");

  step("the admin refreshes the dashboard: the numbers moved, check-in scores stay hidden under 5 people");
  const goalsAfter = await waitFor("the goal in the health report", async () => {
    await admin.page.getByRole("button", { name: "Refresh the numbers" }).click();
    await admin.page.waitForTimeout(1000);
    const n = await stat("goals");
    return n > goalsBefore.n ? n : null;
  });
  await admin.page.getByTestId("stat-goals").getByTestId("stat-moved").waitFor();
  await admin.page.getByTestId("suppressed").first().waitFor();
  console.log(`  health: goals ${goalsBefore.n} -> ${goalsAfter}; check-in scores suppressed (fewer than 5 people)`);
  await screen(admin.page, "admin-health-moved");
} catch (error) {
  failed = error;
  for (const [i, context] of browser.contexts().entries())
    for (const [j, page] of context.pages().entries())
      await page.screenshot({ path: join(ARTIFACTS, `failure-${i}-${j}.png`), fullPage: true }).catch(() => {});
} finally {
  await browser.close();
  report.seconds = (Date.now() - started) / 1000;
  writeFileSync(join(ARTIFACTS, "report.json"), JSON.stringify(report, null, 1));
}
if (report.violations.length) {
  console.log("axe-core serious/critical violations:");
  for (const v of report.violations) console.log(`  ${v.screen}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.join(", ")}`);
}
console.log(`screens checked: ${report.screens.length}; ${report.seconds.toFixed(1)}s`);
if (failed) {
  console.error(failed);
  process.exit(1);
}
process.exit(report.violations.length ? 2 : 0);
