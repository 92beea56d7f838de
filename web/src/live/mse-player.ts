// Live preview: fragmented MP4 over a WebSocket into Media Source Extensions
// (docs/decisions/0007-console.md, reference preview-notes §3b). The server sends a
// `codec` text frame, the init segment, then one fragment per access unit (the current GOP
// first), a new codec + init whenever the source restarts, and `state` text frames. One
// SourceBuffer in `sequence` mode takes all of it; the player stays at the live edge, trims
// old data, and reconnects with backoff when the socket closes.

export type Phase =
  | "connecting" // socket opening or waiting for the first picture
  | "playing" // pictures arriving
  | "stalled" // socket open but no picture for a while
  | "unavailable" // the socket keeps failing (no preview endpoint, network down)
  | "unsupported"; // this browser cannot decode the stream's codec

export interface PlayerStatus {
  phase: Phase;
  /** The source's own state from the server (`streaming`, `backoff`, `live`, …). */
  sourceState: string | null;
  reason: string | null;
  codec: string | null;
  width: number | null;
  height: number | null;
  /** Pictures per second received (one fragment per access unit). */
  fps: number;
  /** Bits per second of preview media received. */
  bps: number;
}

type Op =
  | { kind: "append"; data: ArrayBuffer }
  | { kind: "remove"; start: number; end: number }
  | { kind: "type"; mime: string };

// The live edge: play this close behind the newest picture by running 10 % fast while
// further behind (invisible), and jump only when far behind (a tab that was in the back).
const TARGET_LAG_S = 0.05;
const CATCH_UP_LAG_S = 0.09;
const MAX_LAG_S = 0.6; // seek when the buffered end is further ahead than this
const SEEK_BACK_S = 0.04; // to this much before the buffered end
const KEEP_S = 20; // data older than this is removed
const STALL_MS = 3000;
const MAX_QUEUE = 600;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

export function liveUrl(path: string): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

export function mseSupports(codec: string): boolean {
  const MS = (window as { MediaSource?: typeof MediaSource }).MediaSource;
  return !!MS && MS.isTypeSupported(`video/mp4; codecs="${codec}"`);
}

export class MsePlayer {
  private ws: WebSocket | null = null;
  private ms: MediaSource | null = null;
  private sb: SourceBuffer | null = null;
  private objectUrl: string | null = null;
  private mime: string | null = null;
  private queue: Op[] = [];
  private awaitingInit = false;
  private ticker: number | undefined;
  private retryTimer: number | undefined;
  private attempt = 0;
  private stopped = true;
  private lastMediaAt = 0;
  private frames = 0;
  private bytes = 0;
  private statsAt = 0;
  private status: PlayerStatus = {
    phase: "connecting",
    sourceState: null,
    reason: null,
    codec: null,
    width: null,
    height: null,
    fps: 0,
    bps: 0,
  };

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly path: string,
    private readonly onStatus: (s: PlayerStatus) => void,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.statsAt = performance.now();
    this.ticker = window.setInterval(() => this.tick(), 100);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.clearInterval(this.ticker);
    window.clearTimeout(this.retryTimer);
    this.closeSocket();
    this.teardownMedia();
  }

  private emit(patch: Partial<PlayerStatus>): void {
    const next = { ...this.status, ...patch };
    const changed = (Object.keys(next) as (keyof PlayerStatus)[]).some((k) => next[k] !== this.status[k]);
    this.status = next;
    if (changed) this.onStatus(next);
  }

  private connect(): void {
    this.closeSocket();
    if (this.status.phase !== "unavailable" && this.status.phase !== "unsupported") {
      this.emit({ phase: "connecting" });
    }
    let ws: WebSocket;
    try {
      ws = new WebSocket(liveUrl(this.path));
    } catch {
      this.scheduleReconnect();
      return;
    }
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onmessage = (e: MessageEvent) => {
      if (this.ws !== ws) return;
      if (typeof e.data === "string") this.onText(e.data);
      else this.onBinary(e.data as ArrayBuffer);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (!this.stopped) this.scheduleReconnect();
    };
  }

  private closeSocket(): void {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      ws.close();
    }
  }

  private scheduleReconnect(): void {
    window.clearTimeout(this.retryTimer);
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] ?? 15000;
    this.attempt++;
    // Without a picture after two tries, the tile shows its snapshot meanwhile.
    if (this.attempt >= 2 && this.status.phase !== "unsupported" && this.status.phase !== "playing") {
      this.emit({ phase: "unavailable", fps: 0, bps: 0 });
    }
    if (this.status.phase === "playing") this.emit({ phase: "connecting", fps: 0, bps: 0 });
    this.retryTimer = window.setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }

  private onText(text: string): void {
    let m: { type?: string; [k: string]: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return;
    }
    if (m.type === "codec" && typeof m.codec === "string") {
      this.setCodec(m.codec, num(m.width), num(m.height));
    } else if (m.type === "state") {
      this.emit({
        sourceState: typeof m.state === "string" ? m.state : null,
        reason: typeof m.reason === "string" ? m.reason : null,
      });
    } else if (m.type === "unsupported") {
      this.unsupported(typeof m.codec === "string" ? m.codec : "unknown");
    }
  }

  private unsupported(codec: string): void {
    this.closeSocket();
    this.teardownMedia();
    this.emit({ phase: "unsupported", codec, fps: 0, bps: 0 });
    // Check again later: the camera may be switched to H.264 meanwhile.
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => {
      if (!this.stopped) this.connect();
    }, 60000);
  }

  private setCodec(codec: string, width: number | null, height: number | null): void {
    const mime = `video/mp4; codecs="${codec}"`;
    if (!mseSupports(codec)) {
      this.unsupported(codec);
      return;
    }
    this.awaitingInit = true;
    const broken = !this.ms || this.ms.readyState === "closed" || this.video.error !== null;
    if (broken) {
      this.createMedia(mime);
    } else if (this.mime !== mime) {
      this.queue.push({ kind: "type", mime });
    }
    this.mime = mime;
    this.emit({ codec, width, height });
  }

  private createMedia(mime: string): void {
    this.teardownMedia();
    const ms = new MediaSource();
    this.ms = ms;
    this.objectUrl = URL.createObjectURL(ms);
    this.video.src = this.objectUrl;
    ms.addEventListener(
      "sourceopen",
      () => {
        if (this.ms !== ms) return;
        try {
          const sb = ms.addSourceBuffer(mime);
          sb.mode = "sequence";
          sb.addEventListener("updateend", () => this.pump());
          this.sb = sb;
        } catch {
          this.restart();
          return;
        }
        this.pump();
      },
      { once: true },
    );
  }

  private teardownMedia(): void {
    this.queue = [];
    this.sb = null;
    if (this.ms && this.ms.readyState === "open") {
      try {
        this.ms.endOfStream();
      } catch {
        /* already ending */
      }
    }
    this.ms = null;
    if (this.objectUrl) {
      this.video.removeAttribute("src");
      this.video.load();
      URL.revokeObjectURL(this.objectUrl);
      this.objectUrl = null;
    }
    this.mime = null;
  }

  /** Start over: a fresh socket brings a fresh codec message and init segment. */
  private restart(): void {
    this.teardownMedia();
    this.closeSocket();
    this.attempt = 0;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => {
      if (!this.stopped) this.connect();
    }, 250);
  }

  private onBinary(data: ArrayBuffer): void {
    if (!this.mime) return; // media before any codec message: nothing to put it in
    if (this.awaitingInit) {
      this.awaitingInit = false;
    } else {
      this.frames++;
      this.lastMediaAt = performance.now();
      this.attempt = 0;
      if (this.status.phase !== "playing") this.emit({ phase: "playing" });
    }
    this.bytes += data.byteLength;
    if (this.queue.length > MAX_QUEUE) {
      // The page could not keep up (background tab, slow device): start again from a GOP.
      this.restart();
      return;
    }
    this.queue.push({ kind: "append", data });
    this.pump();
  }

  private pump(): void {
    const sb = this.sb;
    const ms = this.ms;
    if (!sb || !ms || ms.readyState !== "open") return;
    while (!sb.updating && this.queue.length) {
      const op = this.queue.shift() as Op;
      try {
        if (op.kind === "append") {
          // A burst (the cached GOP on join, a tab coming back) goes in as one append:
          // one update and one updateend instead of one per picture.
          while (this.queue[0]?.kind === "append") {
            const next = this.queue.shift() as { kind: "append"; data: ArrayBuffer };
            op.data = concat(op.data, next.data);
          }
          sb.appendBuffer(op.data);
        } else if (op.kind === "remove") {
          if (op.end > op.start) sb.remove(op.start, op.end);
        } else {
          sb.changeType(op.mime);
          sb.mode = "sequence";
        }
      } catch (e) {
        if (e instanceof DOMException && e.name === "QuotaExceededError" && op.kind === "append") {
          this.queue.unshift(op);
          this.trim(2);
          return;
        }
        this.restart();
        return;
      }
    }
  }

  /** Queue removal of everything older than `keep` seconds behind the playhead. */
  private trim(keep: number): void {
    const b = this.video.buffered;
    if (!b.length || !this.sb) return;
    const start = b.start(0);
    const end = this.video.currentTime - keep;
    if (end > start && !this.queue.some((o) => o.kind === "remove")) {
      const op: Op = { kind: "remove", start, end };
      if (this.sb.updating) this.queue.unshift(op);
      else {
        try {
          this.sb.remove(start, end);
        } catch {
          /* retried next tick */
        }
      }
    }
  }

  private tick(): void {
    const now = performance.now();
    if (now - this.statsAt >= 1000) {
      const secs = (now - this.statsAt) / 1000;
      this.emit({ fps: Math.round(this.frames / secs), bps: Math.round((this.bytes * 8) / secs) });
      this.frames = 0;
      this.bytes = 0;
      this.statsAt = now;
    }
    if (this.status.phase === "playing" && now - this.lastMediaAt > STALL_MS) {
      this.emit({ phase: "stalled" });
    }
    const v = this.video;
    if (v.error && this.ms) {
      this.restart();
      return;
    }
    if (!this.sb || !this.ms || this.ms.readyState !== "open") return;
    const b = v.buffered;
    if (!b.length) return;
    const end = b.end(b.length - 1);
    const lag = end - v.currentTime;
    if (lag > MAX_LAG_S) {
      v.currentTime = Math.max(b.start(b.length - 1), end - SEEK_BACK_S);
      v.playbackRate = 1;
    } else if (lag > CATCH_UP_LAG_S) {
      v.playbackRate = 1.1;
    } else if (lag < TARGET_LAG_S) {
      v.playbackRate = 1;
    }
    if (v.paused) void v.play().catch(() => undefined);
    if (v.currentTime - b.start(0) > KEEP_S + 5) this.trim(KEEP_S);
  }
}

function concat(a: ArrayBuffer, b: ArrayBuffer): ArrayBuffer {
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(new Uint8Array(a), 0);
  joined.set(new Uint8Array(b), a.byteLength);
  return joined.buffer;
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
