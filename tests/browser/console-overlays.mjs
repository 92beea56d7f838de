// An operator places an overlay layer on a running program from the output's Overlays tab:
// adds it from an asset, saves; hides it, saves; shows it again, drags it elsewhere with the
// mouse and resizes it by its corner handle, saves. In lockstep with tests/console_program.rs,
// which checks the layers through the API and the pictures nginx-rtmp recorded:
//   node console-overlays.mjs BASE USER PASSWORD OUTPUT_ID ASSET_NAME
// Lines out: SIGNED_IN, ADDED, HIDDEN, MOVED (each waits for a line in before going on).
import { newPage, signIn, visit, withBrowser } from "./console-lib.mjs";

const [base, user, password, outputId, assetName] = process.argv.slice(2);

/** Press "Save layers"; the PUT's status once the page says the layers are saved. */
async function save(page) {
  const answered = page.waitForResponse((r) => r.request().method() === "PUT" && new URL(r.url()).pathname === `/api/v1/outputs/${outputId}/overlays`);
  await page.getByRole("button", { name: "Save layers" }).click();
  const status = (await answered).status();
  await page.locator(".toast", { hasText: "Overlays saved" }).last().waitFor();
  return status;
}

/** Press the mouse at (x, y), move it by (dx, dy) in small steps, release it. */
async function drag(page, x, y, dx, dy) {
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 12 });
  await page.mouse.up();
}

await withBrowser(async (browser, io) => {
  const page = await newPage(browser);
  io.say("SIGNED_IN", await signIn(page, base, user, password));
  await io.next();

  // A layer from the asset, at the editor's default place.
  await visit(page, base, `/outputs/${outputId}`);
  await page.getByRole("tab", { name: "Overlays" }).click();
  await page.getByRole("combobox", { name: "Add a layer" }).selectOption({ label: `${assetName} (image)` });
  await page.getByRole("button", { name: "Add", exact: true }).click();
  const layer = page.locator(".layer-list li.layer", { has: page.getByRole("button", { name: assetName }) });
  await layer.waitFor();
  io.say("ADDED", { status: await save(page), layers: await page.locator(".layer-list .layer-name").allTextContents() });
  await io.next();

  // Hidden.
  await layer.getByRole("checkbox", { name: "Visible" }).uncheck();
  io.say("HIDDEN", { status: await save(page), visible: await layer.getByRole("checkbox", { name: "Visible" }).isChecked() });
  await io.next();

  // Shown again, dragged by its middle, resized by its corner handle.
  await layer.getByRole("checkbox", { name: "Visible" }).check();
  const stage = await page.locator(".overlay-stage").boundingBox();
  const box = page.getByRole("group", { name: new RegExp(`^Layer ${assetName}:`) });
  const before = await box.boundingBox();
  const move = { dx: Math.round(stage.width * 0.4), dy: Math.round(stage.height * 0.25) };
  await drag(page, before.x + before.width / 2, before.y + before.height / 2, move.dx, move.dy);
  const handle = await box.locator(".ov-handle").boundingBox();
  const resize = { dx: Math.round(stage.width * 0.1), dy: Math.round(stage.height * 0.1) };
  await drag(page, handle.x + handle.width / 2, handle.y + handle.height / 2, resize.dx, resize.dy);
  const after = await box.boundingBox();
  // What the "Selected layer" fields say now (percent of the frame).
  const fields = {};
  for (const label of ["Left %", "Top %", "Width %", "Height %"]) fields[label] = await page.getByRole("textbox", { name: label, exact: true }).inputValue();
  const status = await save(page);
  io.say("MOVED", { status, stage: { width: stage.width, height: stage.height }, move, resize, before, after, fields });
  await io.next();
});
