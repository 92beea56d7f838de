// An operator puts a program on air from the console: a destination and an output through
// their forms, start, the program preview, a cut with the on-screen button and one with the
// keyboard, screenshots and axe-core on every main page, the emergency stop; then a viewer
// looks at the same pages. In lockstep with tests/console_program.rs, which checks the API,
// the cameras and what nginx-rtmp recorded:
//   node console-program.mjs BASE USER PASSWORD VIEWER VIEWER_PASSWORD SERVER_URL STREAM_KEY
//                            CAMERA_A_ID CAMERA_A CAMERA_B SHOT_DIR
// Lines out: SIGNED_IN, DESTINATION, OUTPUT_CREATED, STARTED, PROGRAM_PLAYING, SWITCHER,
// CUT_BY_BUTTON, CUT_BY_KEY, SCREENSHOTS, AXE, STOPPED, CAMERA_STILL_PLAYING,
// VIEWER_SIGNED_IN, VIEWER, VIEWER_KEY (each waits for a line in before going on).
import { mkdirSync } from "node:fs";
import { axe, newPage, playersPlaying, signIn, visit, watchVideo, withBrowser } from "./console-lib.mjs";

const [base, user, password, viewer, viewerPassword, serverUrl, streamKey, camAId, camA, camB, shotDir] = process.argv.slice(2);
const nav = (page, name) => page.getByRole("navigation", { name: "Console" }).getByRole("link", { name, exact: true }).click();
const textbox = (scope, name) => scope.getByRole("textbox", { name, exact: true });

await withBrowser(async (browser, io) => {
  const page = await newPage(browser);
  const violations = {};
  await page.goto(base + "/");
  await page.locator(".signin-card").waitFor();
  violations["sign-in"] = await axe(page);
  io.say("SIGNED_IN", await signIn(page, base, user, password));
  await io.next();

  // 5: a destination through its form (a dialog on the Destinations page).
  await nav(page, "Destinations");
  await page.getByRole("button", { name: "Add destination" }).click();
  const dialog = page.getByRole("dialog");
  await textbox(dialog, "Name").fill("Test ingest");
  await dialog.getByRole("combobox", { name: "Platform" }).selectOption("custom");
  await textbox(dialog, "Server URL").fill(serverUrl);
  await dialog.getByLabel("Stream key", { exact: true }).fill(streamKey);
  violations["destination-form"] = await axe(page);
  await dialog.getByRole("button", { name: "Add destination" }).click();
  await dialog.waitFor({ state: "hidden" });
  const row = page.getByRole("row", { name: /Test ingest/ });
  io.say("DESTINATION", (await row.getByRole("cell").allTextContents()).map((t) => t.trim()));
  await io.next();

  // The program output through its form.
  await nav(page, "Outputs");
  await page.getByRole("link", { name: "New output" }).click();
  await textbox(page, "Name").fill("Program");
  await page.getByRole("combobox", { name: "Camera on air" }).selectOption({ label: camA });
  await page.getByRole("group", { name: "Destinations" }).getByRole("checkbox", { name: /Test ingest/ }).check();
  await page.getByRole("group", { name: "Standby cameras" }).getByRole("checkbox", { name: camB, exact: true }).check();
  await textbox(page, "Width").fill("640");
  await textbox(page, "Height").fill("360");
  await textbox(page, "Frames per second").fill("25");
  await textbox(page, "Video kbit/s").fill("800");
  violations["output-form"] = await axe(page);
  await page.getByRole("button", { name: "Create output" }).click();
  await page.locator("#page-title", { hasText: "Program" }).waitFor();
  const outputPath = new URL(page.url()).pathname;
  io.say("OUTPUT_CREATED", outputPath);
  await io.next(); // the test gave it an overlay layer

  // Start it from its page; its program preview plays.
  await page.getByRole("button", { name: "Start output" }).click();
  const badge = page.locator(".page-header .badge");
  await page.locator(".page-header .badge", { hasText: "live" }).waitFor({ timeout: 60000 });
  io.say("STARTED", await badge.textContent());
  await io.next();
  io.say("PROGRAM_PLAYING", await watchVideo(page, "video[data-live-output]"));
  await io.next();

  // The switcher: a cut with the on-screen button, one back with the key 1.
  await page.locator(".page-header").getByRole("link", { name: "Switcher" }).click();
  const caption = page.locator(".program-caption");
  await caption.waitFor();
  const tiles = page.locator(".mv-tile");
  await tiles.nth(1).waitFor();
  const seen = [];
  for (const tile of await tiles.all()) seen.push({ key: await tile.locator("kbd").textContent(), button: await tile.getByRole("button").textContent() });
  io.say("SWITCHER", seen);
  await io.next();
  await page.getByRole("button", { name: `Cut to ${camB}` }).click();
  await page.locator(".program-caption", { hasText: `On screen: ${camB}` }).waitFor();
  io.say("CUT_BY_BUTTON", await caption.textContent());
  await io.next();
  await page.keyboard.press("1");
  await page.locator(".program-caption", { hasText: `On screen: ${camA}` }).waitFor();
  io.say("CUT_BY_KEY", await caption.textContent());
  await io.next();

  // 9 and 8: screenshots of the main pages on air, and axe-core on every main page.
  mkdirSync(shotDir, { recursive: true });
  const id = outputPath.split("/").pop();
  const pages = [
    ["dashboard", "/", null, true],
    ["switcher", `/outputs/${id}/switcher`, null, true],
    ["cameras", "/cameras", null, true],
    ["camera-new", "/cameras/new", null],
    ["camera-discover", "/cameras/new", "Discover"],
    ["camera-detail", `/cameras/${camAId}`, null, true],
    ["camera-snapshots", `/cameras/${camAId}`, "Snapshots"],
    ["camera-settings", `/cameras/${camAId}`, "Settings"],
    ["outputs", "/outputs", null],
    ["output-status", `/outputs/${id}`, null],
    ["output-settings", `/outputs/${id}`, "Settings"],
    ["output-overlays", `/outputs/${id}`, "Overlays", true],
    ["output-new", "/outputs/new", null],
    ["destinations", "/destinations", null, true],
    ["assets", "/assets", null],
    ["recordings", "/recordings", null],
    ["users", "/users", null],
    ["tokens", "/tokens", null],
    ["audit", "/audit", null],
    ["system", "/system", null],
    ["account", "/account", null],
  ];
  const shots = [];
  for (const [name, path, tab, shot] of pages) {
    await visit(page, base, path);
    if (tab) await page.getByRole("tab", { name: tab }).click();
    await page.waitForLoadState("networkidle").catch(() => undefined);
    await playersPlaying(page);
    if (shot) {
      await page.mouse.move(0, 0);
      await page.screenshot({ path: `${shotDir}/${name}.png` });
      shots.push(name);
    }
    violations[name] = await axe(page);
  }
  io.say("SCREENSHOTS", shots);
  await io.next();
  io.say("AXE", violations);
  await io.next();

  // 6: the emergency stop, from the switcher.
  await visit(page, base, `/outputs/${id}/switcher`);
  await page.getByRole("button", { name: "Emergency stop" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Stop every output" }).click();
  const tally = page.locator(".program .tally", { hasText: "OFF AIR" });
  await tally.waitFor();
  io.say("STOPPED", { tally: await tally.textContent(), header: await page.locator(".onair-pill").textContent() });
  await io.next();
  io.say("CAMERA_STILL_PLAYING", await watchVideo(page, `video[data-live-camera="${camAId}"]`));
  await io.next();

  // 7: a viewer sees the same pages without a control that changes anything.
  const vpage = await newPage(browser);
  io.say("VIEWER_SIGNED_IN", await signIn(vpage, base, viewer, viewerPassword));
  await io.next();
  const looks = {};
  const changes = /\b(add|new|edit|delete|remove|start|stop|cut|disable|enable|save|create|upload|take|rename|emergency)\b|^(go|set|on|off)$/i;
  const viewerPages = [
    ["/", null],
    ["/cameras", null],
    [`/cameras/${camAId}`, null],
    [`/cameras/${camAId}`, "Snapshots"],
    [`/cameras/${camAId}`, "Settings"],
    ["/outputs", null],
    [`/outputs/${id}`, null],
    [`/outputs/${id}`, "Settings"],
    [`/outputs/${id}`, "Overlays"],
    [`/outputs/${id}/switcher`, null],
    ["/destinations", null],
    ["/assets", null],
  ];
  for (const [path, tab] of viewerPages) {
    await visit(vpage, base, path);
    if (tab) await vpage.getByRole("tab", { name: tab }).click();
    await vpage.waitForLoadState("networkidle").catch(() => undefined);
    await vpage.waitForTimeout(500);
    const controls = await vpage.evaluate(() =>
      [...document.querySelectorAll("main button, main a, main input, main select, main textarea, dialog[open] button")]
        .filter((el) => el.getClientRects().length > 0)
        .map((el) => ({ tag: el.tagName.toLowerCase(), type: el.getAttribute("type"), text: (el.getAttribute("aria-label") || el.textContent || el.value || "").trim() })),
    );
    looks[tab ? `${path} ${tab}` : path] = {
      title: await vpage.locator("#page-title").textContent(),
      text: (await vpage.locator("main").innerText()).slice(0, 4000),
      // Buttons and links by what they say; any field that takes input (radio buttons only
      // choose what to look at, e.g. the picture behind the overlay layers).
      changing: controls.filter((c) => (c.tag === "button" || c.tag === "a" ? changes.test(c.text) : c.type !== "radio")),
    };
  }
  io.say("VIEWER", looks);
  await io.next();
  await visit(vpage, base, `/outputs/${id}/switcher`);
  await vpage.locator("body").press("2");
  await vpage.waitForTimeout(2000);
  io.say("VIEWER_KEY", await vpage.locator(".program-caption").textContent());
  await io.next();
});
