// Live preview measurements in Debian's Chromium (playwright-core from tests/browser; never a
// browser download), driven by benches/preview.sh:
//
//   node preview.mjs latency BASE USER PASSWORD CAMERA_ID OUTPUT_ID SECONDS
//     Opens the console's camera page, then the output's page, and for SECONDS reads the
//     capture time the simulated camera painted into each presented frame (tests/sim
//     stamp.rs: 40 black/white 16x16 blocks, epoch ms mod 2^32 + an 8-bit checksum) with
//     requestVideoFrameCallback. Prints one JSON line per page: first picture after the
//     preview socket was opened and after navigation, glass-to-glass latency percentiles.
//   node preview.mjs viewers BASE USER PASSWORD CAMERA_ID COUNT SECONDS
//     Opens COUNT preview WebSockets to the camera in one page (no decoding: the appliance's
//     cost per viewer, not the browser's), prints OPEN when each has received media, holds
//     them SECONDS, then prints the bytes each received.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(fileURLToPath(new URL("../tests/browser/package.json", import.meta.url)));
const { chromium } = require("playwright-core");

const [mode, base, user, password, cameraId, ...rest] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--autoplay-policy=no-user-gesture-required"],
});

// Records when each preview socket was made, before the console's own scripts run.
const RECORD_SOCKETS = () => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      window.__sockets.push({ url: String(url), at: performance.now() });
    }
  };
};

// Runs in the page: sample the first <video> for `seconds`, reading each frame's stamp.
async function sampleStamps({ selector, seconds }) {
  const video = await new Promise((resolve) => {
    const find = () => {
      const v = document.querySelector(selector);
      if (v) resolve(v);
      else setTimeout(find, 10);
    };
    find();
  });
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const latencies = [];
  let first = null;
  let unreadable = 0;
  const read = () => {
    const w = video.videoWidth;
    if (!w) return null;
    canvas.width = 640;
    canvas.height = 16;
    ctx.drawImage(video, 0, 0, 640, 16, 0, 0, 640, 16);
    const row = ctx.getImageData(0, 8, 640, 1).data;
    let ms = 0;
    let check = 0;
    for (let i = 0; i < 40; i++) {
      const x = i * 16 + 8;
      const luma = (row[x * 4] + row[x * 4 + 1] + row[x * 4 + 2]) / 3;
      const bit = luma > 128 ? 1 : 0;
      if (i < 32) ms = ((ms << 1) | bit) >>> 0;
      else check = (check << 1) | bit;
    }
    const bytes = [ms >>> 24, (ms >>> 16) & 255, (ms >>> 8) & 255, ms & 255];
    return (bytes[0] ^ bytes[1] ^ bytes[2] ^ bytes[3]) === check ? ms : null;
  };
  await new Promise((resolve) => {
    const end = performance.now() + seconds * 1000;
    const onFrame = (now) => {
      const stamp = read();
      if (stamp === null) unreadable++;
      else {
        const age = ((Date.now() % 2 ** 32) - stamp + 2 ** 32) % 2 ** 32;
        if (first === null) first = now;
        latencies.push(age);
      }
      if (performance.now() < end) video.requestVideoFrameCallback(onFrame);
      else resolve();
    };
    video.requestVideoFrameCallback(onFrame);
    setTimeout(resolve, seconds * 1000 + 5000);
  });
  const socket = window.__sockets.find((s) => s.url.includes("/live"));
  return { first, socketAt: socket ? socket.at : null, latencies, unreadable };
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function signIn(page) {
  await page.goto(`${base}/`);
  await page.getByLabel("Username").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#page-title").waitFor();
}

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(RECORD_SOCKETS);
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  await signIn(page);
  if (mode === "latency") {
    const [outputId, seconds] = rest;
    for (const [what, path, selector] of [
      ["camera", `/cameras/${cameraId}`, `video[data-live-camera="${cameraId}"]`],
      ["program", `/outputs/${outputId}`, `video[data-live-output="${outputId}"]`],
    ]) {
      await page.goto(`${base}${path}`);
      const r = await page.evaluate(sampleStamps, { selector, seconds: Number(seconds) });
      // The first frames include the cached GOP being caught up; the steady state is the tail.
      const tail = r.latencies.slice(Math.floor(r.latencies.length / 3)).sort((a, b) => a - b);
      console.log(JSON.stringify({
        what,
        frames: r.latencies.length,
        unreadable: r.unreadable,
        first_picture_after_socket_ms: r.first !== null && r.socketAt !== null ? Math.round(r.first - r.socketAt) : null,
        first_picture_after_navigation_ms: r.first !== null ? Math.round(r.first) : null,
        p50_ms: percentile(tail, 50),
        p90_ms: percentile(tail, 90),
        max_ms: tail.length ? tail[tail.length - 1] : null,
      }));
    }
  } else if (mode === "viewers") {
    const [count, seconds] = rest.map(Number);
    await page.evaluate(async ({ id, count }) => {
      window.__received = [];
      const opened = [];
      for (let i = 0; i < count; i++) {
        window.__received.push(0);
        opened.push(new Promise((resolve, reject) => {
          const ws = new WebSocket(`${location.origin.replace("http", "ws")}/api/v1/cameras/${id}/live`);
          ws.binaryType = "arraybuffer";
          ws.onmessage = (m) => {
            if (m.data instanceof ArrayBuffer) {
              window.__received[i] += m.data.byteLength;
              resolve();
            }
          };
          ws.onerror = () => reject(new Error(`viewer ${i}: socket error`));
        }));
      }
      await Promise.all(opened);
    }, { id: cameraId, count });
    console.log("OPEN");
    const before = await page.evaluate(() => [...window.__received]);
    await page.waitForTimeout(seconds * 1000);
    const after = await page.evaluate(() => [...window.__received]);
    console.log(JSON.stringify({ viewers: count, bytes_per_viewer: after.map((b, i) => b - before[i]) }));
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  await browser.close();
}
