// The lists the console shows (cameras, outputs, destinations, assets), fetched once after
// sign-in and kept current by the event stream: states are patched in place, an unknown id
// or a `resync` refetches. After a change made from this page, the page calls load*() again.
import { signal, type Signal } from "@preact/signals";
import { api, unwrap } from "./api/client";
import type { Asset, Camera, Destination, Output } from "./api/types";
import { onEvent, onResync, type RuntimeEvent } from "./events";

export const cameras = signal<Camera[] | null>(null);
export const outputs = signal<Output[] | null>(null);
export const destinations = signal<Destination[] | null>(null);
export const assets = signal<Asset[] | null>(null);
/** When each output was last fetched (uptime counts on from there). */
export const outputsFetchedAt = signal<number>(Date.now());

export async function loadCameras(): Promise<Camera[]> {
  const list = await unwrap(api.GET("/api/v1/cameras"));
  cameras.value = list;
  return list;
}
export async function loadOutputs(): Promise<Output[]> {
  const list = await unwrap(api.GET("/api/v1/outputs"));
  outputs.value = list;
  outputsFetchedAt.value = Date.now();
  return list;
}
export async function loadDestinations(): Promise<Destination[]> {
  const list = await unwrap(api.GET("/api/v1/destinations"));
  destinations.value = list;
  return list;
}
export async function loadAssets(): Promise<Asset[]> {
  const list = await unwrap(api.GET("/api/v1/assets"));
  assets.value = list;
  return list;
}

// An HTTP answer about an output can be older than an event that arrived while the request
// was under way (a PATCH answers with the status from before the switch took effect). Each
// output remembers its last event; an answer never overwrites a newer one.
let eventCounter = 0;
const lastOutputEvent = new Map<number, { seq: number; e: Extract<RuntimeEvent, { type: "output_state" }> }>();

/** Call before a request about outputs; pass the value to applyOutput() with its answer. */
export function outputMark(): number {
  return eventCounter;
}

/** Stores an output from an HTTP answer, keeping the live state of events newer than `mark`. */
export function applyOutput(o: Output, mark: number): void {
  const last = lastOutputEvent.get(o.id);
  const fresh =
    last && last.seq > mark
      ? { ...o, status: { ...o.status, state: last.e.state, reason: last.e.reason, camera_id: last.e.camera_id, showing: last.e.showing } }
      : o;
  upsert(outputs, fresh);
}

export async function reloadOutput(id: number): Promise<void> {
  const mark = outputMark();
  const one = await unwrap(api.GET("/api/v1/outputs/{id}", { params: { path: { id } } }));
  applyOutput(one, mark);
  outputsFetchedAt.value = Date.now();
}

export function upsert<T extends { id: number }>(list: Signal<T[] | null>, item: T): void {
  const current = list.value ?? [];
  const i = current.findIndex((x) => x.id === item.id);
  list.value = i < 0 ? [...current, item] : current.map((x) => (x.id === item.id ? item : x));
}

export function removeFrom<T extends { id: number }>(list: Signal<T[] | null>, id: number): void {
  if (list.value) list.value = list.value.filter((x) => x.id !== id);
}

export function cameraName(id: number | null | undefined): string {
  if (id == null) return "—";
  return cameras.value?.find((c) => c.id === id)?.name ?? `camera ${id}`;
}
export function outputName(id: number): string {
  return outputs.value?.find((o) => o.id === id)?.name ?? `output ${id}`;
}
export function destinationName(id: number): string {
  return destinations.value?.find((d) => d.id === id)?.name ?? `destination ${id}`;
}

const quiet = (p: Promise<unknown>) => void p.catch(() => undefined);

function patch(e: RuntimeEvent): void {
  switch (e.type) {
    case "camera_state": {
      const list = cameras.value;
      if (!list) return;
      if (!list.some((c) => c.id === e.camera_id)) return quiet(loadCameras());
      cameras.value = list.map((c) =>
        c.id === e.camera_id ? { ...c, status: { ...c.status, state: e.state, reason: e.reason } } : c,
      );
      return;
    }
    case "output_state": {
      lastOutputEvent.set(e.output_id, { seq: ++eventCounter, e });
      const list = outputs.value;
      if (!list) return;
      const o = list.find((x) => x.id === e.output_id);
      if (!o) return quiet(loadOutputs());
      const stateChanged = o.status.state !== e.state;
      outputs.value = list.map((x) =>
        x.id === e.output_id
          ? {
              ...x,
              camera_id: e.camera_id ?? x.camera_id,
              status: { ...x.status, state: e.state, reason: e.reason, camera_id: e.camera_id, showing: e.showing },
            }
          : x,
      );
      // Uptime, encoder and the destinations' counters come with the output itself.
      if (stateChanged) quiet(reloadOutput(e.output_id));
      return;
    }
    case "destination_state": {
      const list = outputs.value;
      if (!list) return;
      const o = list.find((x) => x.id === e.output_id);
      const d = o?.status.destinations.find((x) => x.destination_id === e.destination_id);
      if (!o || !d) return quiet(reloadOutput(e.output_id));
      outputs.value = list.map((x) =>
        x.id !== e.output_id
          ? x
          : {
              ...x,
              status: {
                ...x.status,
                destinations: x.status.destinations.map((y) =>
                  y.destination_id === e.destination_id ? { ...y, state: e.state, last_error: e.reason ?? y.last_error } : y,
                ),
              },
            },
      );
      return;
    }
    case "ptz_state":
      return;
  }
}

onEvent(patch);
onResync(() => {
  if (cameras.value) quiet(loadCameras());
  if (outputs.value) quiet(loadOutputs());
  if (destinations.value) quiet(loadDestinations());
});

/** Everything the header, dashboard and feed need, right after sign-in. */
export async function loadBasics(): Promise<void> {
  await Promise.allSettled([loadCameras(), loadOutputs(), loadDestinations()]);
}

export function clearStore(): void {
  cameras.value = null;
  outputs.value = null;
  destinations.value = null;
  assets.value = null;
}
