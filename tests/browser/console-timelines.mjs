// An operator builds and runs a timeline from the console, then schedules it: on the
// Timelines page opens the editor, drags camera A and camera B from the library onto the
// video track with the mouse, resizes A by dragging its end, drags an asset onto the overlay
// track, saves; picks the output,
// presses Start and watches the playhead move; makes B overlap A in the cue's properties and
// saves (refused: the error is shown next to the cue and its field); stops it; creates a
// schedule through its form and finds it in the list and the week. axe-core on every page.
// In lockstep with tests/console_timelines.rs, which checks every step through the API:
//   node console-timelines.mjs BASE USER PASSWORD TIMELINE_ID TIMELINE_NAME CAMERA_A CAMERA_B
//                              ASSET_NAME OUTPUT_NAME SHOT_DIR
// Lines out: SIGNED_IN, LISTED, BUILT, RUNNING, REFUSED, STOPPED, SCHEDULED, SCREENSHOTS, AXE
// (each waits for a line in before going on).
import { mkdirSync } from "node:fs";
import { axe, described, signIn, withBrowser } from "./console-lib.mjs";

const [base, user, password, timelineId, timelineName, camA, camB, assetName, outputName, shotDir] = process.argv.slice(2);
/** The browser's own zone: the schedule form starts from it, the week is drawn in it. */
const ZONE = "Europe/Berlin";
const nav = (page, name) => page.getByRole("navigation", { name: "Console" }).getByRole("link", { name, exact: true }).click();

/** Press the mouse on `from` (its middle), move to (x, y) in small steps, release. */
async function dragTo(page, from, x, y) {
  const b = await from.boundingBox();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  await page.mouse.down();
  await page.mouse.move(x, y, { steps: 16 });
  await page.mouse.up();
}

/** Dismiss the toasts (they would cover the pictures). */
async function noToasts(page) {
  await page.evaluate(() => document.querySelectorAll(".toast button").forEach((b) => b.click()));
  await page.mouse.move(0, 0);
}

/** The cues on the tracks as the page shows them. */
async function cues(page) {
  return page.locator(".tl-lane .tl-cue").evaluateAll((els) =>
    els.map((el) => ({ track: el.closest(".tl-lane").dataset.kind, label: el.textContent.trim(), start: Number(el.dataset.start), duration: Number(el.dataset.duration), error: el.classList.contains("has-error") })),
  );
}

/** Press Save; the status of the PUT it sent. */
async function save(page) {
  const answered = page.waitForResponse((r) => r.request().method() === "PUT" && new URL(r.url()).pathname === `/api/v1/timelines/${timelineId}`);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  return (await answered).status();
}

const began = Date.now();
/** Where the script is, on stderr (the test shows it): the time each step took. */
const log = (what) => console.error(`browser ${((Date.now() - began) / 1000).toFixed(1)} s: ${what}`);

await withBrowser(async (browser, io) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: ZONE });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  const violations = {};
  const shots = [];
  mkdirSync(shotDir, { recursive: true });
  log("SIGNED_IN");
  io.say("SIGNED_IN", await signIn(page, base, user, password));
  await io.next();

  // The Timelines page lists the timeline the test made.
  await nav(page, "Timelines");
  const row = page.locator(`tr[data-timeline="${timelineId}"]`);
  await row.waitFor();
  await row.locator(".tl-state .badge").waitFor();
  violations.timelines = await axe(page);
  await page.getByRole("button", { name: "Import" }).click();
  await page.getByRole("dialog").getByLabel("Or paste it").waitFor();
  violations["timeline-import"] = await axe(page);
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "hidden" });
  log("LISTED");
  io.say("LISTED", (await row.getByRole("cell").allTextContents()).map((t) => t.trim()));
  await io.next();

  // The editor: A and B dragged from the library onto the video track, A made longer by
  // dragging its end, saved.
  await row.getByRole("link", { name: timelineName, exact: true }).click();
  await page.locator("#page-title", { hasText: timelineName }).waitFor();
  const canvas = page.locator(".tl-canvas");
  await canvas.waitFor();
  const pps = Number(await canvas.getAttribute("data-pps"));
  const grid = Number(await canvas.getAttribute("data-grid"));
  const lane = page.locator(".tl-lane-video").first();
  await lane.scrollIntoViewIfNeeded();
  const laneBox = await lane.boundingBox();
  const y = laneBox.y + laneBox.height / 2;
  const library = page.locator(".tl-library");
  // A at 1.1 s, B at 8.2 s: each snaps to the grid where it starts.
  const dropA = Math.round(laneBox.x + 1.1 * pps);
  await dragTo(page, library.getByRole("button", { name: camA, exact: true }), dropA, y);
  await page.locator(".tl-lane-video .tl-cue").first().waitFor();
  const dropB = Math.round(laneBox.x + 8.2 * pps);
  await dragTo(page, library.getByRole("button", { name: camB, exact: true }), dropB, y);
  await page.locator(".tl-lane-video .tl-cue").nth(1).waitFor();
  const cueA = page.locator(".tl-lane-video .tl-cue", { has: page.locator(".tl-cue-name", { hasText: camA }) });
  const edge = await cueA.locator(".tl-edge-end").boundingBox();
  const resize = Math.round(1.5 * pps + 2);
  await page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2);
  await page.mouse.down();
  await page.mouse.move(edge.x + edge.width / 2 + resize, edge.y + edge.height / 2, { steps: 10 });
  await page.mouse.up();
  // An asset onto the overlay track at 2.2 s: placed over the camera on screen there.
  const overlayLane = await page.locator(".tl-lane-overlay").first().boundingBox();
  const dropO = Math.round(overlayLane.x + 2.2 * pps);
  await dragTo(page, library.getByRole("button", { name: assetName }), dropO, overlayLane.y + overlayLane.height / 2);
  await page.locator(".tl-lane-overlay .tl-cue").first().waitFor();
  await page.locator(".cue-stage .ov-box").waitFor();
  const shown = await cues(page);
  const status = await save(page);
  await page.getByRole("button", { name: "Save", exact: true }).and(page.locator(":disabled")).waitFor();
  log("BUILT");
  io.say("BUILT", { status, pps, grid, lane: { x: laneBox.x, width: laneBox.width }, overlayLane: { x: overlayLane.x }, dropA, dropB, dropO, resize, shown });
  await io.next();

  violations["editor-stopped"] = await axe(page);

  // Run it on the output: the status says running, the playhead moves on.
  await page.getByRole("combobox", { name: "Output", exact: true }).selectOption({ label: outputName });
  await page.getByRole("button", { name: /^Start/ }).click();
  const line = page.locator(".tl-status");
  await page.locator('.tl-status[data-state="running"]').waitFor();
  const playhead = page.locator(".tl-playhead");
  await page.locator(".tl-playhead.is-live").waitFor({ state: "attached" });
  const p0 = Number(await playhead.getAttribute("data-position"));
  const t0 = Date.now();
  await page.waitForTimeout(2000);
  const p1 = Number(await playhead.getAttribute("data-position"));
  const elapsed = (Date.now() - t0) / 1000;
  const x1 = (await playhead.boundingBox()).x;
  violations.editor = await axe(page);
  await noToasts(page);
  await page.screenshot({ path: `${shotDir}/timeline-editor.png` });
  shots.push("timeline-editor");
  log("RUNNING");
  io.say("RUNNING", { p0, p1, elapsed, x1, status: (await line.textContent()).trim() });
  await io.next();

  // B moved onto A in its properties: refused, the message beside the cue and its field.
  await page.locator(".tl-lane-video .tl-cue", { has: page.locator(".tl-cue-name", { hasText: camB }) }).click();
  const start = page.getByRole("textbox", { name: "Start (s)", exact: true });
  await start.fill("3");
  await start.press("Tab");
  const refused = await save(page);
  await page.locator(".tl-notes-error .tl-note").first().waitFor();
  const note = (await page.locator(".tl-notes-error .tl-note").first().textContent()).trim();
  const field = await described(page.getByRole("textbox", { name: "Start (s)", exact: true }));
  const alert = (await page.locator(".page-header ~ .alert-bad").first().textContent()).trim();
  violations["editor-refused"] = await axe(page);
  log("REFUSED");
  io.say("REFUSED", { status: refused, note, field, alert, shown: await cues(page) });
  await io.next();

  // Back to what is stored, and stopped.
  await page.getByRole("button", { name: "Revert", exact: true }).click();
  await page.locator(".tl-notes-error").waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.locator('.tl-status[data-state="stopped"]').waitFor();
  log("STOPPED");
  io.say("STOPPED", { status: (await line.textContent()).trim(), shown: await cues(page) });
  await io.next();

  // A schedule through its form: every day 20:00–02:00 in the browser's zone, the timeline.
  await nav(page, "Schedules");
  await page.getByRole("button", { name: "New schedule" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("textbox", { name: "Name", exact: true }).fill("Evening show");
  await dialog.getByRole("combobox", { name: "Output", exact: true }).selectOption({ label: outputName });
  const zone = await dialog.getByRole("combobox", { name: "Time zone" }).inputValue();
  await dialog.getByRole("textbox", { name: "Start (HH:MM)" }).fill("20:00");
  await dialog.getByRole("textbox", { name: "End (HH:MM)" }).fill("02:00");
  await dialog.getByRole("combobox", { name: "Add a timeline" }).selectOption({ label: timelineName });
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await dialog.locator(".sched-order li", { hasText: timelineName }).waitFor();
  violations["schedule-form"] = await axe(page);
  const created = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/v1/schedules");
  await dialog.getByRole("button", { name: "Create schedule" }).click();
  const createdStatus = (await created).status();
  await dialog.waitFor({ state: "hidden" });
  const srow = page.locator("tr[data-schedule]", { hasText: "Evening show" });
  await srow.waitFor();
  const id = await srow.getAttribute("data-schedule");
  const blocks = page.locator(`.week-block[data-schedule="${id}"]`);
  await blocks.first().waitFor();
  const week = await blocks.evaluateAll((els) => els.map((el) => ({ day: el.closest(".week-day").dataset.day, text: el.textContent.trim() })));
  violations.schedules = await axe(page);
  await noToasts(page);
  await page.screenshot({ path: `${shotDir}/schedules.png` });
  shots.push("schedules");
  log("SCHEDULED");
  io.say("SCHEDULED", {
    status: createdStatus,
    id: Number(id),
    zone,
    cells: (await srow.getByRole("cell").allTextContents()).map((t) => t.trim()),
    nextStart: await srow.locator(".sched-next-start time").getAttribute("datetime"),
    week,
    caption: (await page.locator("#week-caption").textContent()).trim(),
  });
  await io.next();
  io.say("SCREENSHOTS", shots);
  await io.next();
  io.say("AXE", violations);
  await io.next();
});
