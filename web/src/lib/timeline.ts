// The timeline editor's model and its pure rules: a stored timeline as tracks of keyed cues
// (keys keep a selection and an error on the same cue while it moves), snapping to the grid,
// the room a video cue has between its neighbours (the API refuses overlaps on a video
// track), the body PUT /timelines/{id} takes, and the problem's paths mapped back to cues.
import type {
  OverlayCueInput,
  Timeline,
  TimelineInput,
  TimelinePosition,
  TrackInput,
  TransitionKind,
  VideoCueInput,
} from "../api/types";
import type { FieldMessage } from "./forms";

export interface Transition {
  kind: TransitionKind;
  duration_ms: number | null;
}

export interface VideoCue {
  key: number;
  start_s: number;
  duration_s: number;
  camera_id: number;
  preset_id: number | null;
  transition: Transition;
}

export interface OverlayCue {
  key: number;
  start_s: number;
  duration_s: number;
  asset_id: number;
  x: number | null;
  y: number | null;
  width: number | null;
  height: number | null;
  opacity: number | null;
}

export type Cue = VideoCue | OverlayCue;
export type EdTrack = { key: number; kind: "video"; cues: VideoCue[] } | { key: number; kind: "overlay"; cues: OverlayCue[] };

export interface Draft {
  name: string;
  description: string | null;
  duration_s: number;
  loop: boolean;
  broadcast: TimelineInput["broadcast"];
  tracks: EdTrack[];
}

/** Grid steps an operator can snap to, in seconds. */
export const GRIDS = [0.1, 0.25, 0.5, 1, 5] as const;
/** What a cue dropped from the library lasts when there is room. */
export const DEFAULT_CUE_S = 5;
/** Zoom steps, pixels per second. */
export const ZOOMS = [1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192] as const;
const EPS = 1e-6;

let nextKey = 1;
export const newKey = (): number => nextKey++;

/** Seconds rounded to the millisecond (sums of decimal steps stay exact). */
export const ms = (v: number): number => Math.round(v * 1000) / 1000;
export const snap = (v: number, grid: number): number => ms(Math.round(v / grid) * grid);
export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
export const end = (c: { start_s: number; duration_s: number }): number => ms(c.start_s + c.duration_s);

export function isVideo(c: Cue): c is VideoCue {
  return "camera_id" in c;
}

export function fromTimeline(t: Timeline): Draft {
  const tracks: EdTrack[] = t.tracks.map((tr) =>
    tr.kind === "video"
      ? {
          key: newKey(),
          kind: "video",
          cues: tr.cues.map((c) => ({
            key: newKey(),
            start_s: c.start_s,
            duration_s: c.duration_s,
            camera_id: c.camera_id,
            preset_id: c.preset_id ?? null,
            transition: { kind: c.transition?.kind ?? "cut", duration_ms: c.transition?.duration_ms ?? null },
          })),
        }
      : {
          key: newKey(),
          kind: "overlay",
          cues: tr.cues.map((c) => ({
            key: newKey(),
            start_s: c.start_s,
            duration_s: c.duration_s,
            asset_id: c.asset_id,
            x: c.x ?? null,
            y: c.y ?? null,
            width: c.width ?? null,
            height: c.height ?? null,
            opacity: c.opacity ?? null,
          })),
        },
  );
  // One video and one overlay track at least, to drop cues on.
  if (!tracks.some((tr) => tr.kind === "video")) tracks.unshift({ key: newKey(), kind: "video", cues: [] });
  if (!tracks.some((tr) => tr.kind === "overlay")) tracks.push({ key: newKey(), kind: "overlay", cues: [] });
  return { name: t.name, description: t.description ?? null, duration_s: t.duration_s, loop: t.loop, broadcast: t.broadcast, tracks };
}

/** Every track's cues in the order they play (what is sent, so the problem's paths name
 *  the cues as the operator sees them). */
export function ordered(d: Draft): Draft {
  const byStart = <C extends Cue>(cues: C[]): C[] => [...cues].sort((a, b) => a.start_s - b.start_s || a.key - b.key);
  return {
    ...d,
    tracks: d.tracks.map((tr) => (tr.kind === "video" ? { ...tr, cues: byStart(tr.cues) } : { ...tr, cues: byStart(tr.cues) })),
  };
}

export function toInput(d: Draft): TimelineInput {
  const tracks: TrackInput[] = d.tracks.map((tr) =>
    tr.kind === "video"
      ? {
          kind: "video",
          cues: tr.cues.map(
            (c): VideoCueInput => ({
              start_s: c.start_s,
              duration_s: c.duration_s,
              camera_id: c.camera_id,
              preset_id: c.preset_id,
              transition: c.transition.kind === "cut" ? { kind: "cut" } : { kind: c.transition.kind, duration_ms: c.transition.duration_ms },
            }),
          ),
        }
      : {
          kind: "overlay",
          cues: tr.cues.map(
            (c): OverlayCueInput => ({
              start_s: c.start_s,
              duration_s: c.duration_s,
              asset_id: c.asset_id,
              x: c.x,
              y: c.y,
              width: c.width,
              height: c.height,
              opacity: c.opacity,
            }),
          ),
        },
  );
  const input: TimelineInput = { name: d.name, description: d.description, duration_s: d.duration_s, loop: d.loop, tracks };
  if (d.broadcast !== undefined) input.broadcast = d.broadcast;
  return input;
}

/** Where a cue may go on its track: between the video cues around it (overlays may overlap
 *  each other) and within the timeline. */
export interface Room {
  lo: number;
  hi: number;
}

export function room(track: EdTrack, cue: Cue, duration: number): Room {
  if (track.kind !== "video") return { lo: 0, hi: duration };
  let lo = 0;
  let hi = duration;
  for (const o of track.cues) {
    if (o.key === cue.key) continue;
    if (end(o) <= cue.start_s + EPS) lo = Math.max(lo, end(o));
    else if (o.start_s >= end(cue) - EPS) hi = Math.min(hi, o.start_s);
    else return { lo: 0, hi: duration }; // already overlapping (typed in): only the timeline bounds
  }
  return { lo, hi };
}

/** A free span for a new video cue asked to start at `start`: after the cue it falls in,
 *  shortened to fit before the next one and the end; null when there is no room. */
export function freeSpan(cues: readonly Cue[], start: number, want: number, duration: number, min: number): { start_s: number; duration_s: number } | null {
  const others = [...cues].sort((a, b) => a.start_s - b.start_s);
  let s = clamp(start, 0, duration);
  for (const c of others) {
    if (s >= c.start_s - EPS && s < end(c) - EPS) s = end(c);
  }
  const next = others.find((c) => c.start_s >= s - EPS);
  const limit = Math.min(duration, next ? next.start_s : duration);
  const len = ms(Math.min(want, limit - s));
  if (len < min - EPS) return null;
  return { start_s: ms(s), duration_s: len };
}

/** A span for a new overlay cue: it may overlap others, only the timeline's end bounds it. */
export function overlaySpan(start: number, want: number, duration: number, min: number): { start_s: number; duration_s: number } | null {
  const s = clamp(start, 0, duration);
  const len = ms(Math.min(want, duration - s));
  return len < min - EPS ? null : { start_s: ms(s), duration_s: len };
}

/** The camera on screen at `t`: the topmost video track with a cue there, else the last
 *  camera before it (a gap holds the last camera). */
export function cameraAt(d: Draft, t: number): number | null {
  let best: number | null = null;
  for (const tr of d.tracks) {
    if (tr.kind !== "video") continue;
    const hit = tr.cues.find((c) => c.start_s <= t + EPS && t < end(c) - EPS);
    if (hit) best = hit.camera_id;
  }
  if (best != null) return best;
  let last: { at: number; camera: number } | null = null;
  for (const tr of d.tracks) {
    if (tr.kind !== "video") continue;
    for (const c of tr.cues) if (end(c) <= t + EPS && (!last || end(c) >= last.at)) last = { at: end(c), camera: c.camera_id };
  }
  return last?.camera ?? null;
}

/** The problem's messages placed on what the editor shows: a cue (by key, with the field
 *  after the cue's path), a track, or the timeline's own fields. */
export interface Placed {
  cues: Map<number, FieldMessage[]>;
  tracks: Map<number, string[]>;
  fields: FieldMessage[];
}

export const NOTHING_PLACED: Placed = { cues: new Map(), tracks: new Map(), fields: [] };

export function place(errors: readonly FieldMessage[], sent: Draft): Placed {
  const out: Placed = { cues: new Map(), tracks: new Map(), fields: [] };
  for (const e of errors) {
    const m = /^tracks\[(\d+)\](.*)$/.exec(e.field);
    const track = m ? sent.tracks[Number(m[1])] : undefined;
    if (!m || !track) {
      out.fields.push(e);
      continue;
    }
    const c = /^\.cues\[(\d+)\](?:\.(.*))?$/.exec(m[2] ?? "");
    const cue = c ? track.cues[Number(c[1])] : undefined;
    if (c && cue) {
      const list = out.cues.get(cue.key) ?? [];
      list.push({ field: c[2] ?? "", message: e.message });
      out.cues.set(cue.key, list);
    } else {
      const list = out.tracks.get(track.key) ?? [];
      list.push(`${(m[2] ?? "").replace(/^\./, "") || "track"}: ${e.message}`);
      out.tracks.set(track.key, list);
    }
  }
  return out;
}

/** The messages for one field of a cue (`start_s`, `transition.duration_ms`, …). */
export function cueError(placed: Placed, key: number, field: string): string | undefined {
  const hits = (placed.cues.get(key) ?? []).filter((e) => e.field === field || e.field.startsWith(field + "."));
  return hits.length ? hits.map((e) => e.message).join("; ") : undefined;
}

/** Where a running timeline is now: its last position moved on by the time since it came
 *  (running only), wrapped into the pass when it loops. */
export function livePosition(p: TimelinePosition, received: number, now: number, loop: boolean): number {
  if (p.state !== "running") return p.position_s;
  const x = p.position_s + Math.max(0, now - received) / 1000;
  if (x < p.duration_s) return x;
  return loop && p.duration_s > 0 ? x % p.duration_s : p.duration_s;
}

/** "12.5 s", "1:02.5" past a minute. */
export function seconds(v: number): string {
  const r = Math.round(v * 10) / 10;
  if (r < 60) return `${r} s`;
  const m = Math.floor(r / 60);
  const s = ms(r - m * 60);
  return `${m}:${s < 10 ? "0" : ""}${s.toFixed(1).replace(/\.0$/, "")}`;
}

/** Tick spacing on the ruler for a zoom: labels at least ~60 px apart. */
export function tickStep(pps: number): number {
  for (const s of [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600]) if (s * pps >= 60) return s;
  return 7200;
}

/** A zoom that shows `duration` in about `width` pixels. */
export function fitZoom(duration: number, width: number): number {
  const want = width / Math.max(1, duration);
  let best: number = ZOOMS[0];
  for (const z of ZOOMS) if (z <= want) best = z;
  return best;
}
