// What the console's browser scripts share (tests/console_cameras.rs and tests/console_program.rs run them): Debian's
// Chromium, the lockstep with the Rust test over stdin/stdout, signing in through the form,
// reading a live player as a person would see it, and axe-core.
import { chromium } from "playwright-core";
import readline from "node:readline";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** One line out per step (`TAG detail`), one line in when the test lets the script go on. */
export function lockstep() {
  const input = readline.createInterface({ input: process.stdin });
  const queue = [];
  const waiting = [];
  input.on("line", (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else queue.push(l);
  });
  return {
    say: (tag, detail = "") => console.log(`${tag} ${typeof detail === "string" ? detail : JSON.stringify(detail)}`),
    next: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve))),
    close: () => input.close(),
  };
}

/** Runs `body` with a browser; any failure becomes an `ERROR …` line the test shows. */
export async function withBrowser(body) {
  const io = lockstep();
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
  });
  let code = 0;
  try {
    await body(browser, io);
  } catch (e) {
    io.say("ERROR", String(e.stack || e).replace(/\n/g, " | "));
    code = 1;
  } finally {
    await browser.close();
    io.close();
  }
  process.exit(code);
}

export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  return page;
}

/** Sign in through the sign-in form; what the header then shows as the signed-in user. */
export async function signIn(page, base, username, password) {
  await page.goto(base + "/");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#page-title").waitFor();
  return (await page.locator(".app-header .who").textContent()).trim();
}

/** Go to a console path as a click on a link would (no reload), wait for its heading. */
export async function visit(page, base, path) {
  await page.goto(base + path);
  await page.locator("#page-title").waitFor();
}

/** Watch one <video> for a while: playback time, decoded frames, and how much the picture
 *  drawn to a canvas varies (0 for a blank frame). Waits (30 s at most) until it has played
 *  2 s and 20 frames more; the test judges the numbers. */
export async function watchVideo(page, selector) {
  const v = page.locator(selector).first();
  await v.waitFor({ state: "attached" });
  const sample = () =>
    v.evaluate((el) => ({
      t: el.currentTime,
      frames: el.getVideoPlaybackQuality().totalVideoFrames,
      width: el.videoWidth,
      height: el.videoHeight,
      phase: el.dataset.phase,
    }));
  const deadline = Date.now() + 30000;
  let first = await sample();
  while (Date.now() < deadline && !(first.width > 0 && first.t > 0 && first.phase === "playing")) {
    await page.waitForTimeout(200);
    first = await sample();
  }
  let last = first;
  while (Date.now() < deadline && !(last.t >= first.t + 2 && last.frames >= first.frames + 20)) {
    await page.waitForTimeout(200);
    last = await sample();
  }
  const picture = await v.evaluate((el) => {
    const c = document.createElement("canvas");
    c.width = 160;
    c.height = 90;
    const g = c.getContext("2d");
    g.drawImage(el, 0, 0, c.width, c.height);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0, sum = 0, sq = 0;
    for (let i = 0; i < d.length; i += 4) {
      const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      sum += y;
      sq += y * y;
      n++;
    }
    const mean = sum / n;
    return { mean, variance: sq / n - mean * mean };
  });
  return { t0: first.t, t1: last.t, frames0: first.frames, frames1: last.frames, width: last.width, height: last.height, phase: last.phase, ...picture };
}

/** Wait (20 s at most) until every live player on the page shows a picture, for screenshots. */
export async function playersPlaying(page) {
  await page
    .waitForFunction(() => [...document.querySelectorAll("video[data-phase]")].every((v) => v.dataset.phase === "playing" && v.currentTime > 0.5), null, {
      timeout: 20000,
    })
    .catch(() => undefined);
}

/** axe-core on the page as it is: the serious and critical violations. */
export async function axe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
}

/** The text of the elements an input names in aria-describedby, and whether it is invalid. */
export async function described(input) {
  return input.evaluate((el) => ({
    invalid: el.getAttribute("aria-invalid"),
    described: (el.getAttribute("aria-describedby") ?? "")
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? `(no element #${id})`),
    fieldError: el.closest(".field")?.querySelector(".field-error")?.textContent ?? null,
  }));
}
