// Overlay layers placed on a live frame of the output: drag to move, drag the corner to
// resize (or use the fields / arrow keys), opacity, order, visibility; saved all at once with
// PUT /outputs/{id}/overlays. Positions and sizes are fractions of the program frame.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Asset, Output, OverlayInput, Problem } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { assets, loadAssets } from "../store";
import { fieldErrors } from "../lib/forms";
import { useLoad } from "../lib/hooks";
import { toast } from "../lib/toast";
import { LiveView } from "./LiveView";
import { BlobImage } from "./BlobImage";
import { Check, Empty, Loading, ProblemBox } from "./ui";

interface Layer {
  key: number;
  asset_id: number;
  x: number;
  y: number;
  width: number | null;
  height: number | null;
  opacity: number;
  z: number;
  visible: boolean;
}

let nextKey = 1;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round = (v: number) => Math.round(v * 10000) / 10000;

type Size = { w: number; h: number };

/** The box a layer covers on screen, as fractions (height from the picture's aspect when unset).
 *  `natural` is the preview's own size (text and clock assets do not report one). */
function box(l: Layer, a: Asset | undefined, frameW: number, frameH: number, natural?: Size): { w: number; h: number } {
  const aw = a?.width ?? natural?.w ?? null;
  const ah = a?.height ?? natural?.h ?? null;
  let w = l.width;
  let h = l.height;
  if (w == null && aw) w = aw / frameW;
  if (w == null) w = 0.2;
  if (h == null) h = aw && ah ? (w * frameW * (ah / aw)) / frameH : w * 0.5;
  return { w, h };
}

export function OverlayEditor({ output, operator }: { output: Output; operator: boolean }) {
  const id = output.id;
  const W = output.profile.width;
  const H = output.profile.height;
  const stored = useLoad(() => unwrap(api.GET("/api/v1/outputs/{id}/overlays", { params: { path: { id } } })), [id]);
  const [layers, setLayers] = useState<Layer[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [dirty, setDirty] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saving, setSaving] = useState(false);
  const [addAsset, setAddAsset] = useState("");
  const [lockAspect, setLockAspect] = useState(true);
  const stage = useRef<HTMLDivElement>(null);
  const [sizes, setSizes] = useState<Record<number, Size>>({});
  const [background, setBackground] = useState<"camera" | "program">("camera");

  useEffect(() => {
    if (!assets.value) void loadAssets().catch(() => undefined);
  }, []);
  useEffect(() => {
    if (!stored.data) return;
    setLayers(stored.data.map((o) => ({ key: nextKey++, asset_id: o.asset_id, x: o.x, y: o.y, width: o.width ?? null, height: o.height ?? null, opacity: o.opacity, z: o.z, visible: o.visible })));
    setDirty(false);
  }, [stored.data]);

  const assetOf = (l: Layer) => assets.value?.find((a) => a.id === l.asset_id);
  const boxOf = (l: Layer) => box(l, assetOf(l), W, H, sizes[l.asset_id]);
  const update = (key: number, patch: Partial<Layer>) => {
    setLayers((ls) => (ls ?? []).map((l) => (l.key === key ? { ...l, ...patch } : l)));
    setDirty(true);
  };

  const startDrag = (e: PointerEvent, l: Layer, mode: "move" | "resize") => {
    if (!operator || e.button !== 0 || !stage.current) return;
    e.preventDefault();
    e.stopPropagation();
    setSelected(l.key);
    const rect = stage.current.getBoundingClientRect();
    const target = e.currentTarget as HTMLElement;
    target.setPointerCapture(e.pointerId);
    const sx = e.clientX;
    const sy = e.clientY;
    const start = { ...l, ...boxOf(l) };
    const aspect = start.h / start.w;
    const move = (ev: PointerEvent) => {
      const dx = (ev.clientX - sx) / rect.width;
      const dy = (ev.clientY - sy) / rect.height;
      if (mode === "move") {
        update(l.key, { x: round(clamp(start.x + dx, 0, 1 - Math.min(start.w, 1))), y: round(clamp(start.y + dy, 0, 1 - Math.min(start.h, 1))) });
      } else {
        const w = clamp(start.w + dx, 0.02, 1 - start.x);
        const h = lockAspect ? w * aspect : clamp(start.h + dy, 0.02, 1 - start.y);
        update(l.key, { width: round(w), height: round(h) });
      }
    };
    const end = () => {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", end);
      target.removeEventListener("pointercancel", end);
    };
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", end);
    target.addEventListener("pointercancel", end);
  };

  const onKey = (e: KeyboardEvent, l: Layer) => {
    if (!operator) return;
    const step = e.shiftKey ? 0.05 : 0.01;
    const d: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const v = d[e.key];
    if (!v) return;
    e.preventDefault();
    const b = boxOf(l);
    if (e.altKey) {
      const w = clamp(b.w + v[0], 0.02, 1);
      update(l.key, { width: round(w), height: round(lockAspect ? (w * b.h) / b.w : clamp(b.h + v[1], 0.02, 1)) });
    } else {
      update(l.key, { x: round(clamp(l.x + v[0], 0, 1 - b.w)), y: round(clamp(l.y + v[1], 0, 1 - b.h)) });
    }
  };

  const add = () => {
    const asset_id = Number(addAsset);
    if (!asset_id) return;
    const z = Math.max(0, ...(layers ?? []).map((l) => l.z)) + 1;
    const l: Layer = { key: nextKey++, asset_id, x: 0.05, y: 0.05, width: 0.25, height: null, opacity: 1, z, visible: true };
    setLayers([...(layers ?? []), l]);
    setSelected(l.key);
    setDirty(true);
  };

  const reorder = (key: number, dir: 1 | -1) => {
    const sorted = [...(layers ?? [])].sort((a, b) => a.z - b.z);
    const i = sorted.findIndex((l) => l.key === key);
    const j = i + dir;
    const a = sorted[i];
    const b = sorted[j];
    if (!a || !b) return;
    const za = a.z === b.z ? b.z + dir : b.z;
    const zb = a.z;
    setLayers((ls) => (ls ?? []).map((l) => (l.key === a.key ? { ...l, z: za } : l.key === b.key ? { ...l, z: zb } : l)));
    setDirty(true);
  };

  const save = async () => {
    if (!layers) return;
    setSaving(true);
    setProblem(null);
    const body: OverlayInput[] = layers.map((l) => ({ asset_id: l.asset_id, x: l.x, y: l.y, width: l.width, height: l.height, opacity: l.opacity, z: l.z, visible: l.visible }));
    try {
      stored.set(await unwrap(api.PUT("/api/v1/outputs/{id}/overlays", { params: { path: { id } }, body })));
      toast("Overlays saved: on air from the next frame");
    } catch (e) {
      setProblem(problemOf(e));
    } finally {
      setSaving(false);
    }
  };

  if (stored.problem) return <ProblemBox problem={stored.problem} onRetry={() => void stored.reload()} />;
  if (!layers) return <Loading />;

  const errs = fieldErrors(problem);
  const layerErrors = (i: number) =>
    errs
      .filter((e) => new RegExp(`^(\\$|body)?\\[?${i}\\]?(\\.|$)`).test(e.field))
      .map((e) => `${e.field.replace(/^.*?\]?\./, "")}: ${e.message}`);
  const unplaced = problem && errs.every((e) => !/\d/.test(e.field)) ? problem.detail : null;
  const showing = output.status.showing;
  const bgCamera = showing.kind === "camera" ? showing.camera_id : output.camera_id ?? null;
  const pickable = (assets.value ?? []).filter(Boolean);
  const sel = layers.find((l) => l.key === selected) ?? null;

  return (
    <div class="overlay-editor">
      <div class="overlay-stage-wrap">
        <div class="overlay-stage" ref={stage} style={{ aspectRatio: `${W} / ${H}` }} onPointerDown={() => setSelected(null)}>
          {background === "camera" && bgCamera != null ? (
            <LiveView kind="camera" id={bgCamera} label="camera on air, without overlays" showStats={false} />
          ) : (
            <LiveView kind="output" id={id} label={`program ${output.name}`} snapshotCameraId={bgCamera} state={output.status.state} showStats={false} />
          )}
          {[...layers]
            .sort((a, b) => a.z - b.z)
            .map((l) => {
              const a = assetOf(l);
              const b = boxOf(l);
              return (
                <div
                  key={l.key}
                  class={`ov-box ${selected === l.key ? "is-selected" : ""} ${l.visible ? "" : "is-hidden"}`}
                  style={{ left: `${l.x * 100}%`, top: `${l.y * 100}%`, width: `${b.w * 100}%`, height: `${b.h * 100}%` }}
                  tabIndex={0}
                  role="group"
                  aria-label={`Layer ${a?.name ?? l.asset_id}: x ${Math.round(l.x * 100)}%, y ${Math.round(l.y * 100)}%. Arrow keys move, Alt+arrows resize.`}
                  onPointerDown={(e) => startDrag(e, l, "move")}
                  onFocus={() => setSelected(l.key)}
                  onKeyDown={(e) => onKey(e, l)}
                >
                  <span class="ov-img-wrap" style={{ opacity: l.opacity }}>
                    <BlobImage
                      src={`/api/v1/assets/${l.asset_id}/preview`}
                      alt=""
                      class="ov-img"
                      onSize={(w, h) => setSizes((m) => (m[l.asset_id]?.w === w && m[l.asset_id]?.h === h ? m : { ...m, [l.asset_id]: { w, h } }))}
                    />
                  </span>
                  <span class="ov-label">{a?.name ?? `asset ${l.asset_id}`}</span>
                  {operator && <span class="ov-handle" aria-hidden="true" onPointerDown={(e) => startDrag(e, l, "resize")} />}
                </div>
              );
            })}
        </div>
        <div class="segmented" role="radiogroup" aria-label="Picture behind the layers">
          <label>
            <input type="radio" name="ov-bg" checked={background === "camera"} onChange={() => setBackground("camera")} /> Camera on air (clean)
          </label>
          <label>
            <input type="radio" name="ov-bg" checked={background === "program"} onChange={() => setBackground("program")} /> Program (with the saved layers)
          </label>
        </div>
        <p class="muted small">
          Frame {W}×{H}.
          {operator && " Drag a layer to move it, its corner to resize; focused layers move with the arrow keys (Shift: larger steps, Alt: resize)."}
        </p>
      </div>

      <div class="overlay-side">
        {operator && (
          <div class="row wrap add-layer">
            <div class="field">
              <label for="ov-add">Add a layer</label>
              <select id="ov-add" value={addAsset} onChange={(e) => setAddAsset(e.currentTarget.value)}>
                <option value="">Choose an asset…</option>
                {pickable.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name} ({a.kind})
                  </option>
                ))}
              </select>
            </div>
            <button type="button" class="btn" disabled={!addAsset} onClick={add}>
              Add
            </button>
          </div>
        )}
        {layers.length === 0 ? (
          <Empty>No layers. {pickable.length ? "" : <a href="/assets">Create an asset first.</a>}</Empty>
        ) : (
          <ol class="layer-list" aria-label="Layers, front first">
            {[...layers]
              .sort((a, b) => b.z - a.z)
              .map((l) => {
                const i = layers.indexOf(l);
                const a = assetOf(l);
                const errors = layerErrors(i);
                return (
                  <li key={l.key} class={`layer ${selected === l.key ? "is-selected" : ""}`}>
                    <button type="button" class="btn btn-ghost layer-name" onClick={() => setSelected(l.key)} aria-pressed={selected === l.key}>
                      {a?.name ?? `asset ${l.asset_id}`}
                    </button>
                    {operator && (
                      <div class="row">
                        <Check label="Visible" checked={l.visible} onValue={(v) => update(l.key, { visible: v })} />
                        <button type="button" class="btn btn-small" aria-label="Bring forward" onClick={() => reorder(l.key, 1)}>
                          ↑
                        </button>
                        <button type="button" class="btn btn-small" aria-label="Send backward" onClick={() => reorder(l.key, -1)}>
                          ↓
                        </button>
                        <button type="button" class="btn btn-small btn-danger-outline" aria-label="Remove layer" onClick={() => { setLayers(layers.filter((x) => x.key !== l.key)); setDirty(true); }}>
                          ✕
                        </button>
                      </div>
                    )}
                    {errors.map((m) => (
                      <div class="field-error" key={m}>
                        {m}
                      </div>
                    ))}
                  </li>
                );
              })}
          </ol>
        )}
        {sel && operator && <LayerFields l={sel} onChange={(p) => update(sel.key, p)} />}
        {operator && <Check label="Keep the aspect ratio when resizing" checked={lockAspect} onValue={setLockAspect} />}
        {unplaced && (
          <div class="alert alert-bad" role="alert">
            {unplaced}
          </div>
        )}
        {operator && (
          <div class="row">
            <button type="button" class="btn btn-ghost" disabled={!dirty} onClick={() => void stored.reload()}>
              Revert
            </button>
            <button type="button" class="btn btn-primary" disabled={!dirty || saving} onClick={() => void save()}>
              {saving ? "Saving…" : "Save layers"}
            </button>
          </div>
        )}
      </div>
    </div>
  );
}

function LayerFields({ l, onChange }: { l: Layer; onChange: (p: Partial<Layer>) => void }) {
  const pct = (v: number | null) => (v == null ? "" : String(Math.round(v * 1000) / 10));
  const fromPct = (s: string) => (s.trim() === "" ? null : clamp(Number(s) / 100, 0, 1));
  return (
    <fieldset class="layer-fields">
      <legend>Selected layer</legend>
      <div class="form-grid compact">
        {(["x", "y", "width", "height"] as const).map((k) => (
          <div class="field" key={k}>
            <label for={`lf-${k}`}>{k === "x" ? "Left %" : k === "y" ? "Top %" : k === "width" ? "Width %" : "Height %"}</label>
            <input
              id={`lf-${k}`}
              inputMode="decimal"
              value={pct(l[k])}
              placeholder={k === "height" ? "auto" : k === "width" ? "native" : "0"}
              onChange={(e) => {
                const v = fromPct(e.currentTarget.value);
                onChange({ [k]: k === "x" || k === "y" ? v ?? 0 : v } as Partial<Layer>);
              }}
            />
          </div>
        ))}
        <div class="field">
          <label for="lf-opacity">Opacity {Math.round(l.opacity * 100)}%</label>
          <input id="lf-opacity" type="range" min="0" max="1" step="0.05" value={l.opacity} onInput={(e) => onChange({ opacity: Number(e.currentTarget.value) })} />
        </div>
        <div class="field">
          <label for="lf-z">Order (z)</label>
          <input id="lf-z" inputMode="numeric" value={String(l.z)} onChange={(e) => onChange({ z: Math.round(Number(e.currentTarget.value) || 0) })} />
        </div>
      </div>
    </fieldset>
  );
}
