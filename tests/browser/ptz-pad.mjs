// Drives the PTZ pad of the console's camera page in Debian's Chromium, step by step, in
// lockstep with tests/ptz_browser.rs (which checks the simulated camera's head after each step):
//   node ptz-pad.mjs BASE_URL USERNAME PASSWORD CAMERA_ID PRESET_NAME
// Prints READY, HOLDING (an arrow held down), RELEASED, SETTLED <status text>; waits for a
// line on stdin after HOLDING before it releases.
import { chromium } from "playwright-core";
import readline from "node:readline";

const [base, username, password, cameraId, presetName] = process.argv.slice(2);
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
  await page.goto(`${base}/cameras/${cameraId}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const preset = page.locator("li.preset", { has: page.getByRole("heading", { name: presetName }) });
  await preset.waitFor();
  console.log("READY");

  const right = page.getByRole("button", { name: "pan right", exact: true });
  const box = await right.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.waitForTimeout(1000);
  console.log("HOLDING");
  await next();
  await page.mouse.up();
  console.log("RELEASED");
  await next();

  await preset.getByRole("button", { name: "Go", exact: true }).click();
  const status = preset.getByRole("status");
  await status.waitFor();
  console.log("SETTLED " + (await status.textContent()));
} finally {
  await browser.close();
  lines.close();
}
