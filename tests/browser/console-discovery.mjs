// Discovery in the console: the Discover tab of "Add a camera" searches (WS-Discovery on the
// interface given, plus an RTSP scan), lists the simulated PTZ camera and adds it with one
// click. In lockstep with tests/console_cameras.rs, which runs the responder and the camera:
//   node console-discovery.mjs BASE USER PASSWORD INTERFACE SCAN_TARGET RTSP_PORT CAM_USER CAM_PASSWORD
// Lines out: FOUND, ADDED (each waits for a line in before going on).
import { newPage, signIn, visit, withBrowser } from "./console-lib.mjs";

const [base, user, password, iface, target, port, camUser, camPassword] = process.argv.slice(2);
const textbox = (page, name) => page.getByRole("textbox", { name, exact: true });

await withBrowser(async (browser, io) => {
  const page = await newPage(browser);
  await signIn(page, base, user, password);
  await visit(page, base, "/cameras/new");
  await page.getByRole("tab", { name: "Discover" }).click();
  await textbox(page, "Network interface").fill(iface);
  await textbox(page, "Listen for (ms)").fill("1000");
  await textbox(page, "Scan address or range (optional)").fill(target);
  await textbox(page, "RTSP ports").fill(port);
  await textbox(page, "Username to try").fill(camUser);
  await page.getByLabel("Password to try", { exact: true }).fill(camPassword);
  await page.getByRole("button", { name: "Search" }).click();
  const results = page.locator(".discovery-results");
  await results.waitFor();
  const cards = results.locator(".candidate");
  const found = [];
  for (const card of await cards.all()) {
    found.push({ name: await card.locator("h4").textContent(), sources: await card.locator(".card-title .muted").textContent(), details: await card.locator("dl").innerText() });
  }
  io.say("FOUND", { heading: await results.locator("h3").innerText(), candidates: found });
  await io.next();
  await cards.first().getByRole("button", { name: "Add", exact: true }).click();
  const open = cards.first().getByRole("link", { name: "Already added — open" });
  await open.waitFor();
  io.say("ADDED", new URL(await open.evaluate((a) => a.href)).pathname);
  await io.next();
});
