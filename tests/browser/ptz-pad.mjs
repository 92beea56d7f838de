// Drives the PTZ pad of the appliance's page in Debian's Chromium, step by step, in lockstep
// with tests/ptz.rs (which checks the simulated camera's head after each step):
//   node ptz-pad.mjs BASE_URL USERNAME PASSWORD CAMERA_NAME PRESET_NAME
// Prints READY, HOLDING (an arrow held down), RELEASED, SETTLED <status text>; waits for a
// line on stdin after HOLDING before it releases.
import { chromium } from "playwright-core";
import readline from "node:readline";

const [base, username, password, cameraName, presetName] = process.argv.slice(2);
const lines = readline.createInterface({ input: process.stdin });
const next = () => new Promise((resolve) => lines.once("line", resolve));

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);
  await page.goto(base);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await page.click("form.login button");
  const card = page.locator(".card", { has: page.locator("strong", { hasText: cameraName }) });
  await card.locator(".ptz select option", { hasText: presetName }).waitFor({ state: "attached" });
  console.log("READY");

  const right = card.locator('.ptz button[title="pan right"]');
  const box = await right.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.waitForTimeout(1000);
  console.log("HOLDING");
  await next();
  await page.mouse.up();
  console.log("RELEASED");
  await next();

  await card.locator(".ptz select").selectOption({ label: presetName });
  await card.locator(".ptz button", { hasText: "Go" }).click();
  const status = card.locator(".ptz span.muted");
  await page.waitForFunction((el) => /settled|failed|not settled/.test(el.textContent), await status.elementHandle());
  console.log("SETTLED " + (await status.textContent()));
} finally {
  await browser.close();
  lines.close();
}
