// A preset captured and recalled from the console's camera page: a name typed into the presets
// form saves the head's position; the preset's "Go" sends the head back. In lockstep with
// tests/ptz_browser.rs, which reads the simulated head and the API:
//   node ptz-presets.mjs BASE USER PASSWORD CAMERA_ID PRESET_NAME
// Lines out: SIGNED_IN, CAPTURED, SETTLED (each waits for a line in before going on).
import { newPage, signIn, visit, withBrowser } from "./console-lib.mjs";

const [base, user, password, cameraId, presetName] = process.argv.slice(2);

await withBrowser(async (browser, io) => {
  const page = await newPage(browser);
  io.say("SIGNED_IN", await signIn(page, base, user, password));
  await io.next(); // the head is where the preset will be

  await visit(page, base, `/cameras/${cameraId}`);
  const presets = page.getByRole("region", { name: "Presets" });
  await presets.getByRole("textbox", { name: "New preset from the current position" }).fill(presetName);
  await presets.getByRole("button", { name: "Save preset" }).click();
  const card = presets.locator("li.preset", { has: page.getByRole("heading", { name: presetName, exact: true }) });
  await card.waitFor();
  io.say("CAPTURED", { position: (await card.locator("p.muted").first().textContent()).trim(), cards: await presets.locator("li.preset h3").allTextContents() });
  await io.next(); // the head is elsewhere now

  await card.getByRole("button", { name: "Go", exact: true }).click();
  const status = card.getByRole("status");
  await status.waitFor({ timeout: 30000 });
  io.say("SETTLED", (await status.textContent()).trim());
  await io.next();
});
