// An operator signs in, adds a camera through the camera form (connection test with a wrong
// password, then the right one), watches its live preview, meets the API's field errors next
// to their fields, and sees the preview come back after the camera's outage. In lockstep with
// tests/console_cameras.rs, which checks the appliance and drives the simulated camera:
//   node console-cameras.mjs BASE USER PASSWORD RTSP_URL CAM_USER CAM_PASSWORD WRONG_PASSWORD NAME
// Lines out: SIGNIN_REFUSED, SIGNED_IN, TEST_FAILED, TEST_OK, SAVED, LISTED, PLAYING,
// PORT_ERROR, NAME_ERROR, WATCHING, DOWN, RECOVERED (each waits for a line in before going on).
import { described, newPage, signIn, visit, watchVideo, withBrowser } from "./console-lib.mjs";

const [base, user, password, rtspUrl, camUser, camPassword, wrongPassword, name] = process.argv.slice(2);

await withBrowser(async (browser, io) => {
  const page = await newPage(browser);

  // 1: sign in through the form, a wrong password first.
  await page.goto(base + "/");
  await page.getByLabel("Username", { exact: true }).fill(user);
  await page.getByLabel("Password", { exact: true }).fill(password + "-wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  io.say("SIGNIN_REFUSED", await page.getByRole("alert").textContent());
  await io.next();
  io.say("SIGNED_IN", await signIn(page, base, user, password));
  await io.next();

  // 2: the camera form, from the Cameras page.
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Cameras" }).click();
  await page.getByRole("link", { name: "Add camera" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
  await page.getByRole("textbox", { name: "RTSP URL", exact: true }).fill(rtspUrl);
  await page.getByLabel("Username", { exact: true }).fill(camUser);
  await page.getByLabel("Password", { exact: true }).fill(wrongPassword);
  const testButton = page.getByRole("button", { name: "Test connection" });
  const outcome = page.locator(".test-result").getByRole("status");
  await testButton.click();
  await outcome.waitFor();
  io.say("TEST_FAILED", await outcome.textContent());
  await io.next();
  await page.getByLabel("Password", { exact: true }).fill(camPassword);
  await testButton.click();
  await page.locator(".test-result .alert-ok").waitFor();
  io.say("TEST_OK", await outcome.textContent());
  await io.next();
  await page.getByRole("button", { name: "Add camera" }).click();
  await page.locator("#page-title", { hasText: name }).waitFor();
  io.say("SAVED", new URL(page.url()).pathname);
  const cameraPath = new URL(page.url()).pathname;
  await io.next();
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Cameras" }).click();
  await page.locator(".camera-tile h3").first().waitFor();
  io.say("LISTED", await page.locator(".camera-tile h3").allTextContents());
  await io.next();

  // 3: its live preview plays on its page.
  await page.locator(".camera-tile h3 a", { hasText: name }).click();
  io.say("PLAYING", await watchVideo(page, "video[data-live-camera]"));
  await io.next();

  // 4: the API's field errors, each next to its field.
  await visit(page, base, "/cameras/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Bad port");
  await page.getByRole("radio", { name: "Host, port and path" }).check();
  await page.getByRole("textbox", { name: "Host", exact: true }).fill("127.0.0.1");
  await page.getByRole("textbox", { name: "RTSP port", exact: true }).fill("70000");
  await page.getByRole("button", { name: "Add camera" }).click();
  const port = page.getByRole("textbox", { name: "RTSP port", exact: true });
  await page.locator(".field.has-error").first().waitFor();
  io.say("PORT_ERROR", { ...(await described(port)), top: await page.getByRole("alert").first().textContent() });
  await io.next();
  await port.fill("8554");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("   ");
  await page.getByRole("button", { name: "Add camera" }).click();
  const nameInput = page.getByRole("textbox", { name: "Name", exact: true });
  await page.waitForFunction(() => document.querySelector("input[aria-invalid='true']")?.closest(".field")?.querySelector("label")?.textContent === "Name");
  io.say("NAME_ERROR", { ...(await described(nameInput)), portAfter: await described(port) });
  await io.next();

  // Extra: the preview comes back by itself after the camera's outage (no reload).
  await visit(page, base, cameraPath);
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  const live = page.locator(".live.big");
  await live.locator("video[data-phase='playing']").waitFor();
  io.say("WATCHING");
  await io.next(); // the camera is down now
  // What a person sees: the camera's state badge leaves "streaming", the picture says why.
  const badge = page.locator(".page-header .badge");
  await page.waitForFunction(() => document.querySelector(".page-header .badge")?.textContent !== "streaming", null, { timeout: 60000 });
  const note = live.getByRole("status");
  await note.first().waitFor({ timeout: 60000 });
  io.say("DOWN", { badge: await badge.textContent(), picture: await note.allTextContents() });
  await io.next(); // the camera is back
  await page.waitForFunction(() => document.querySelector(".page-header .badge")?.textContent === "streaming", null, { timeout: 60000 });
  const again = await watchVideo(page, ".live.big video");
  io.say("RECOVERED", { ...again, sameDocument: await page.evaluate(() => window.__sameDocument === true) });
  await io.next();
});
