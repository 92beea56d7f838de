// The live state of the appliance from GET /api/v1/events (server-sent events): the stream
// opens with the current state of every camera, output and destination, then carries
// changes. Nothing in the console polls; stores patch themselves from these events and
// refetch on `resync` (or after the stream was re-opened).
import { signal } from "@preact/signals";
import type {
  CameraState,
  DestinationState,
  OutputState,
  PtzState,
  Showing,
  TimelinePosition,
} from "./api/types";
import { api } from "./api/client";

export interface CameraEvent {
  type: "camera_state";
  camera_id: number;
  state: CameraState;
  reason: string | null;
  at: string;
}
export interface OutputEvent {
  type: "output_state";
  output_id: number;
  state: OutputState;
  reason: string | null;
  camera_id: number | null;
  showing: Showing;
  at: string;
}
export interface DestinationEvent {
  type: "destination_state";
  output_id: number;
  destination_id: number;
  state: DestinationState;
  reason: string | null;
  at: string;
}
export interface PtzEvent {
  type: "ptz_state";
  camera_id: number;
  state: PtzState;
  reason: string | null;
  at: string;
}
export type RuntimeEvent = CameraEvent | OutputEvent | DestinationEvent | PtzEvent;
/** `timeline.position`: where a running timeline is (on changes and once a second). Kept
 *  apart from the feed: a heartbeat a second is not news. */
export interface TimelineEvent extends TimelinePosition {
  type: "timeline_position";
  at: string;
}
/** The last position of a timeline and when it arrived (performance.now(), for playheads). */
export interface LivePosition {
  position: TimelineEvent;
  received: number;
}

export interface FeedItem {
  seq: number;
  event: RuntimeEvent;
}

export type Connection = "idle" | "connecting" | "open" | "retrying";

export const connection = signal<Connection>("idle");
export const cameraStates = signal<ReadonlyMap<number, CameraEvent>>(new Map());
export const ptzStates = signal<ReadonlyMap<number, PtzEvent>>(new Map());
export const outputStates = signal<ReadonlyMap<number, OutputEvent>>(new Map());
/** Keyed `${output_id}:${destination_id}`. */
export const destinationStates = signal<ReadonlyMap<string, DestinationEvent>>(new Map());
/** The last `timeline.position` of each timeline, by timeline id. */
export const timelinePositions = signal<ReadonlyMap<number, LivePosition>>(new Map());
/** Newest first, at most FEED_MAX. */
export const feed = signal<FeedItem[]>([]);

const FEED_MAX = 200;
const NAMES = ["camera.state", "output.state", "destination.state", "ptz.state"] as const;

type Listener = (e: RuntimeEvent) => void;
const listeners = new Set<Listener>();
const resyncListeners = new Set<() => void>();

export function onEvent(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function onResync(fn: () => void): () => void {
  resyncListeners.add(fn);
  return () => resyncListeners.delete(fn);
}

let source: EventSource | null = null;
let retryTimer: number | undefined;
let retries = 0;
let openedBefore = false;
let seq = 0;

function same(a: { state: string; reason: string | null } | undefined, b: RuntimeEvent): boolean {
  return !!a && a.state === b.state && a.reason === b.reason;
}

function apply(e: RuntimeEvent): void {
  let changed = true;
  switch (e.type) {
    case "camera_state": {
      changed = !same(cameraStates.value.get(e.camera_id), e);
      cameraStates.value = new Map(cameraStates.value).set(e.camera_id, e);
      break;
    }
    case "ptz_state": {
      changed = !same(ptzStates.value.get(e.camera_id), e);
      ptzStates.value = new Map(ptzStates.value).set(e.camera_id, e);
      break;
    }
    case "output_state": {
      const before = outputStates.value.get(e.output_id);
      changed =
        !same(before, e) || JSON.stringify(before?.showing) !== JSON.stringify(e.showing);
      outputStates.value = new Map(outputStates.value).set(e.output_id, e);
      break;
    }
    case "destination_state": {
      const key = `${e.output_id}:${e.destination_id}`;
      changed = !same(destinationStates.value.get(key), e);
      destinationStates.value = new Map(destinationStates.value).set(key, e);
      break;
    }
  }
  if (changed) {
    feed.value = [{ seq: ++seq, event: e }, ...feed.value].slice(0, FEED_MAX);
  }
  for (const fn of listeners) fn(e);
}

function applyTimeline(e: TimelineEvent): void {
  const live = { position: e, received: performance.now() };
  timelinePositions.value = new Map(timelinePositions.value).set(e.timeline_id, live);
  for (const fn of timelineListeners) fn(live);
}

type TimelineListener = (p: LivePosition) => void;
const timelineListeners = new Set<TimelineListener>();

/** Every `timeline.position` as it arrives. */
export function onTimelineEvent(fn: TimelineListener): () => void {
  timelineListeners.add(fn);
  return () => timelineListeners.delete(fn);
}

function resync(): void {
  for (const fn of resyncListeners) fn();
}

export function startEvents(): void {
  stopEvents();
  connection.value = "connecting";
  const es = new EventSource("/api/v1/events", { withCredentials: true });
  source = es;
  es.onopen = () => {
    connection.value = "open";
    retries = 0;
    if (openedBefore) resync();
    openedBefore = true;
  };
  for (const name of NAMES) {
    es.addEventListener(name, (m) => {
      try {
        apply(JSON.parse((m as MessageEvent<string>).data) as RuntimeEvent);
      } catch {
        /* a malformed event is ignored */
      }
    });
  }
  es.addEventListener("timeline.position", (m) => {
    try {
      applyTimeline(JSON.parse((m as MessageEvent<string>).data) as TimelineEvent);
    } catch {
      /* a malformed event is ignored */
    }
  });
  es.addEventListener("resync", resync);
  es.onerror = () => {
    if (source !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      // The server refused the stream (e.g. 401): ask who we are (a 401 there signs out),
      // then try again with backoff.
      es.close();
      source = null;
      connection.value = "retrying";
      void api.GET("/api/v1/auth/me").catch(() => undefined);
      const delay = Math.min(30000, 1000 * 2 ** retries++);
      retryTimer = window.setTimeout(startEvents, delay);
    } else {
      connection.value = "retrying";
    }
  };
}

export function stopEvents(): void {
  window.clearTimeout(retryTimer);
  if (source) {
    source.close();
    source = null;
  }
  connection.value = "idle";
}

/** Forget everything (sign-out). */
export function clearEvents(): void {
  stopEvents();
  openedBefore = false;
  cameraStates.value = new Map();
  ptzStates.value = new Map();
  outputStates.value = new Map();
  destinationStates.value = new Map();
  timelinePositions.value = new Map();
  feed.value = [];
}
