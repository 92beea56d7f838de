// A session that ends while a page is open: the operator is on a camera's page when the
// appliance stops accepting the session (the test logs it out with the browser's own cookie,
// which the browser keeps, as it would after an expiry); the page turns into the sign-in form
// with a notice, and signing in again brings the operator back to the same page. In lockstep
// with tests/console_cameras.rs:
//   node console-session.mjs BASE USER PASSWORD CAMERA_ID CAMERA_NAME
// Lines out: ON_PAGE, SESSION (the session cookie's value), SIGNED_OUT, BACK (each waits for a
// line in before going on).
import { newPage, signIn, visit, withBrowser } from "./console-lib.mjs";

const [base, user, password, cameraId, cameraName] = process.argv.slice(2);

await withBrowser(async (browser, io) => {
  const page = await newPage(browser);
  await signIn(page, base, user, password);
  await visit(page, base, `/cameras/${cameraId}`);
  const title = page.locator("#page-title", { hasText: cameraName });
  await title.waitFor();
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  io.say("ON_PAGE", { path: new URL(page.url()).pathname, title: await title.textContent() });
  await io.next();
  const cookie = (await page.context().cookies()).find((c) => c.name === "vistter_session");
  io.say("SESSION", cookie?.value ?? "(no session cookie)");
  await io.next(); // the appliance no longer accepts it

  // Nothing is clicked: the page finds out by itself (its event stream is refused).
  const form = page.locator(".signin-card");
  await form.waitFor({ timeout: 90000 });
  const cookieNow = (await page.context().cookies()).find((c) => c.name === "vistter_session");
  io.say("SIGNED_OUT", {
    path: new URL(page.url()).pathname,
    heading: await form.getByRole("heading").first().textContent(),
    notice: (await form.locator("#signin-status").textContent()) ?? "",
    cookieKept: cookieNow?.value === cookie?.value,
  });
  await io.next();

  await page.getByLabel("Username", { exact: true }).fill(user);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await title.waitFor();
  const badge = page.locator(".page-header .badge");
  await page.locator(".page-header .badge", { hasText: "streaming" }).waitFor();
  io.say("BACK", {
    path: new URL(page.url()).pathname,
    title: await title.textContent(),
    badge: await badge.textContent(),
    who: (await page.locator(".app-header .who").textContent()).trim(),
    sameDocument: await page.evaluate(() => window.__sameDocument === true),
  });
  await io.next();
});
