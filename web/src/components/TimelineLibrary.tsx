// What a timeline is made of, beside its tracks: cameras with their presets (thumbnails)
// and assets. Drag one onto a track with the mouse, a pen or a finger (pointer events, so
// touch screens work too), or press it to add it at the cursor (keyboard).
import type { ComponentChildren } from "preact";
import { useRef } from "preact/hooks";
import type { Asset, Camera, Preset } from "../api/types";
import { BlobImage } from "./BlobImage";
import { Empty } from "./ui";

export type LibItem =
  | { kind: "camera"; camera_id: number; label: string }
  | { kind: "preset"; camera_id: number; preset_id: number; label: string }
  | { kind: "asset"; asset_id: number; label: string };

interface Props {
  cameras: Camera[] | null;
  presets: ReadonlyMap<number, Preset[]>;
  assets: Asset[] | null;
  operator: boolean;
  /** Pressed (no drag): add where the cursor is. */
  onAdd: (item: LibItem) => void;
  onDragMove: (item: LibItem, x: number, y: number) => void;
  onDrop: (item: LibItem, x: number, y: number) => void;
  onDragCancel: () => void;
}

/** Pointer travel before a press becomes a drag. */
const THRESHOLD = 4;

export function TimelineLibrary(p: Props) {
  const dragged = useRef(false);
  /** When the last drag ended (performance.now()): the click that follows it adds nothing. */
  const dragEnded = useRef(0);

  const down = (e: PointerEvent, item: LibItem) => {
    if (!p.operator || e.button !== 0) return;
    e.preventDefault();
    const target = e.currentTarget as HTMLElement;
    target.setPointerCapture(e.pointerId);
    const x0 = e.clientX;
    const y0 = e.clientY;
    dragged.current = false;
    const move = (ev: PointerEvent) => {
      if (!dragged.current && Math.hypot(ev.clientX - x0, ev.clientY - y0) < THRESHOLD) return;
      dragged.current = true;
      p.onDragMove(item, ev.clientX, ev.clientY);
    };
    const finish = (ev: PointerEvent, drop: boolean) => {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", up);
      target.removeEventListener("pointercancel", cancel);
      if (!dragged.current) return;
      dragged.current = false;
      dragEnded.current = performance.now();
      if (drop) p.onDrop(item, ev.clientX, ev.clientY);
      else p.onDragCancel();
    };
    const up = (ev: PointerEvent) => finish(ev, true);
    const cancel = (ev: PointerEvent) => finish(ev, false);
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", up);
    target.addEventListener("pointercancel", cancel);
  };

  const click = (item: LibItem) => {
    // A drag ends with a click on the item too: that one adds nothing.
    if (performance.now() - dragEnded.current < 400) return;
    if (p.operator) p.onAdd(item);
  };

  const button = (item: LibItem, body: ComponentChildren, cls = "") => (
    <button
      type="button"
      class={`lib-item ${cls}`}
      data-lib={item.kind}
      aria-describedby="lib-help"
      disabled={!p.operator}
      onPointerDown={(e) => down(e, item)}
      onClick={() => click(item)}
    >
      {body}
    </button>
  );

  const cams = p.cameras ?? [];
  const assets = p.assets ?? [];
  return (
    <aside class="tl-library" aria-labelledby="lib-title">
      <h2 id="lib-title">Library</h2>
      <p id="lib-help" class="muted small">
        {p.operator ? "Drag onto a track, or press to add at the cursor." : "Cameras, presets and assets."}
      </p>
      <h3 class="lib-head">Cameras</h3>
      {cams.length === 0 ? (
        <Empty>No cameras.</Empty>
      ) : (
        <ul class="lib-list">
          {cams.map((c) => {
            const presets = p.presets.get(c.id) ?? [];
            return (
              <li key={c.id}>
                {button(
                  { kind: "camera", camera_id: c.id, label: c.name },
                  <>
                    <span class="lib-icon" aria-hidden="true">
                      ◉
                    </span>
                    <span class="lib-name">{c.name}</span>
                  </>,
                )}
                {presets.length > 0 && (
                  <ul class="lib-presets" aria-label={`Presets of ${c.name}`}>
                    {presets.map((pr) => (
                      <li key={pr.id}>
                        {button(
                          { kind: "preset", camera_id: c.id, preset_id: pr.id, label: `${c.name} · ${pr.name}` },
                          <>
                            <span class="lib-thumb" aria-hidden="true">
                              {pr.thumbnail_url ? <BlobImage src={pr.thumbnail_url} alt="" class="lib-thumb-img" /> : <span class="img-placeholder lib-thumb-img" />}
                            </span>
                            <span class="lib-name">{pr.name}</span>
                          </>,
                          "lib-preset",
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <h3 class="lib-head">Assets</h3>
      {assets.length === 0 ? (
        <Empty>
          No assets. <a href="/assets">Create one</a>.
        </Empty>
      ) : (
        <ul class="lib-list">
          {assets.map((a) => (
            <li key={a.id}>
              {button(
                { kind: "asset", asset_id: a.id, label: a.name },
                <>
                  <span class="lib-thumb checker" aria-hidden="true">
                    <BlobImage src={`/api/v1/assets/${a.id}/preview`} alt="" class="lib-thumb-img" />
                  </span>
                  <span class="lib-name">{a.name}</span>
                  <span class="muted small">{a.kind.replace("_", " ")}</span>
                </>,
              )}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
