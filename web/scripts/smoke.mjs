// Smoke check of the console in Debian's Chromium (playwright-core from tests/browser; never
// `playwright install`): signs in, visits every page, screenshots each, reads the live
// players, and reports console errors, CSP violations and failed requests. With AXE set to
// axe.min.js it also runs axe-core on each page (serious/critical violations fail).
//   node scripts/smoke.mjs BASE_URL USER PASSWORD [SHOT_DIR]
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const require = createRequire(fileURLToPath(new URL("../../tests/browser/package.json", import.meta.url)));
const { chromium } = require("playwright-core");

const [base = "http://127.0.0.1:18080", user = "admin", password = "admin-pw", shots = "/tmp/ui-shots"] = process.argv.slice(2);
const axeSource = process.env.AXE ? readFileSync(process.env.AXE, "utf8") : null;
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
});
const problems = [];
let failed = 0;

async function axe(page, name) {
  if (!axeSource) return;
  await page.evaluate(axeSource);
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + (v.id === "color-contrast" ? ` (${(n.any[0]?.message ?? "").slice(0, 120)})` : "")) }));
  });
  for (const v of res) {
    const bad = v.impact === "serious" || v.impact === "critical";
    if (bad) failed++;
    console.log(`  axe ${bad ? "FAIL" : "note"} [${v.impact}] ${v.id}: ${v.help} — ${v.nodes.join(" | ")}`);
  }
}

async function players(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("video[data-live-camera], video[data-live-output]")].map((v) => ({
      which: v.dataset.liveCamera ? `camera ${v.dataset.liveCamera}` : `output ${v.dataset.liveOutput}`,
      phase: v.dataset.phase,
      t: Math.round(v.currentTime * 100) / 100,
      frames: v.getVideoPlaybackQuality?.().totalVideoFrames ?? null,
      lag: v.buffered.length ? Math.round((v.buffered.end(v.buffered.length - 1) - v.currentTime) * 1000) : null,
    })),
  );
}

async function visit(page, path, name, { wait = 1500, click, width } = {}) {
  if (width) await page.setViewportSize({ width, height: 1000 });
  if (path) await page.goto(base + path, { waitUntil: "domcontentloaded" });
  await page.waitForSelector("#page-title, .signin-card", { timeout: 10000 });
  if (click) {
    await page.click(click);
  }
  await page.waitForTimeout(wait);
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  const p = await players(page);
  console.log(`${name}: ${await page.title()}${p.length ? "  players: " + p.map((x) => `${x.which} ${x.phase} t=${x.t} frames=${x.frames} lag=${x.lag}ms`).join("; ") : ""}`);
  await axe(page, name);
  if (width) await page.setViewportSize({ width: 1440, height: 900 });
}

try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    const url = r.url();
    if (!url.includes("/live")) problems.push(`request failed: ${r.method()} ${url} ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/auth/me")) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });

  await page.goto(base + "/", { waitUntil: "domcontentloaded" });
  await page.waitForSelector(".signin-card");
  await page.screenshot({ path: `${shots}/00-signin.png` });
  await axe(page, "signin");
  await page.fill('input[name="username"]', user);
  await page.fill('input[name="password"]', password);
  await page.click("form.login button");

  await visit(page, null, "01-dashboard", { wait: 4000 });
  await visit(page, "/switcher", "02-switcher", { wait: 4000 });
  await visit(page, "/cameras", "03-cameras", { wait: 3000 });
  await visit(page, "/cameras/new", "04-camera-new");
  await visit(page, null, "05-camera-discover", { click: "#tab-discover", wait: 500 });
  await visit(page, "/cameras/1", "06-camera-ptz", { wait: 3000 });
  await visit(page, null, "07-camera-snapshots", { click: "#tab-snapshots" });
  await visit(page, null, "08-camera-settings", { click: "#tab-settings", wait: 500 });
  await visit(page, "/cameras/3", "09-camera-offline", { wait: 2500 });
  await visit(page, "/outputs", "10-outputs", { wait: 3000 });
  await visit(page, "/outputs/1", "11-output-status", { wait: 3000 });
  await visit(page, null, "12-output-settings", { click: "#tab-settings", wait: 500 });
  await visit(page, null, "13-output-overlays", { click: "#tab-overlays", wait: 3000 });
  await visit(page, "/outputs/new", "14-output-new");
  await visit(page, "/destinations", "15-destinations");
  await visit(page, "/assets", "16-assets");
  await visit(page, "/recordings", "17-recordings");
  await visit(page, "/users", "18-users");
  await visit(page, "/tokens", "19-tokens");
  await visit(page, "/audit", "20-audit");
  await visit(page, "/system", "21-system");
  await visit(page, "/account", "22-account");
  await visit(page, "/nowhere", "23-not-found", { wait: 300 });
  await visit(page, "/", "24-dashboard-tablet", { wait: 3000, width: 820 });
  await visit(page, "/outputs/1/switcher", "25-switcher-tablet", { wait: 3000, width: 820 });
} catch (e) {
  failed++;
  console.error("smoke: " + (e.stack || e));
} finally {
  await browser.close();
}
const unique = [...new Set(problems)];
if (unique.length) console.log("\nProblems seen:\n  " + unique.join("\n  "));
console.log(failed ? `\nsmoke: ${failed} failure(s)` : "\nsmoke: ok");
process.exit(failed ? 1 : 0);
