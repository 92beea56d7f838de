// The selected cue's properties: start and length, the camera and preset and the
// transition of a video cue; the asset, place, size and opacity of an overlay cue, placed on
// a live frame of the camera on screen at the cue's start. Each field shows the error the
// server named for it.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Asset, Camera, Preset, TransitionKind } from "../api/types";
import { clamp, cueError, ms, type OverlayCue, type Placed, type VideoCue } from "../lib/timeline";
import { LiveView } from "./LiveView";
import { BlobImage } from "./BlobImage";
import { Field, SelectField } from "./ui";

/** A number typed as text, applied when it is committed (Enter or leaving the field). */
export function NumField({
  label,
  value,
  onCommit,
  error,
  hint,
  disabled,
  scale = 1,
}: {
  label: string;
  value: number | null;
  onCommit: (v: number | null) => void;
  error?: string | undefined;
  hint?: string;
  disabled?: boolean;
  /** Shown as value × scale (e.g. 100 for percent). */
  scale?: number;
}) {
  const shown = (v: number | null) => (v == null ? "" : String(Math.round(v * scale * 1000) / 1000));
  const [text, setText] = useState(shown(value));
  const [bad, setBad] = useState<string | null>(null);
  useEffect(() => {
    setText(shown(value));
    setBad(null);
  }, [value]);
  const commit = (raw: string) => {
    const t = raw.trim().replace(",", ".");
    if (t === "") {
      setBad(null);
      onCommit(null);
      return;
    }
    const v = Number(t);
    if (!Number.isFinite(v)) {
      setBad("Enter a number");
      return;
    }
    setBad(null);
    onCommit(v / scale);
  };
  return (
    <Field label={label} error={bad ?? error} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          value={text}
          inputMode="decimal"
          disabled={disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onInput={(e) => setText(e.currentTarget.value)}
          onChange={(e) => commit(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") commit(e.currentTarget.value);
          }}
        />
      )}
    </Field>
  );
}

const TRANSITIONS: { value: TransitionKind; label: string }[] = [
  { value: "cut", label: "Cut" },
  { value: "fade", label: "Fade" },
  { value: "dip_to_black", label: "Dip to black" },
];

interface VideoProps {
  cue: VideoCue;
  cameras: Camera[];
  presets: ReadonlyMap<number, Preset[]>;
  errors: Placed;
  operator: boolean;
  onChange: (patch: Partial<VideoCue>) => void;
  onRemove: () => void;
}

export function VideoCueProperties({ cue, cameras, presets, errors, operator, onChange, onRemove }: VideoProps) {
  const err = (f: string) => cueError(errors, cue.key, f);
  const own = presets.get(cue.camera_id) ?? [];
  const camOptions = cameras.map((c) => ({ value: String(c.id), label: c.name }));
  if (!cameras.some((c) => c.id === cue.camera_id)) camOptions.push({ value: String(cue.camera_id), label: `camera ${cue.camera_id} (unknown)` });
  return (
    <fieldset class="cue-props" disabled={!operator}>
      <legend>Video cue</legend>
      <div class="form-grid compact">
        <NumField label="Start (s)" value={cue.start_s} error={err("start_s")} onCommit={(v) => onChange({ start_s: ms(v ?? 0) })} />
        <NumField label="Duration (s)" value={cue.duration_s} error={err("duration_s")} onCommit={(v) => onChange({ duration_s: ms(v ?? 0) })} />
        <SelectField
          label="Camera"
          value={String(cue.camera_id)}
          options={camOptions}
          error={err("camera_id")}
          onValue={(v) => onChange({ camera_id: Number(v), preset_id: null })}
        />
        <SelectField
          label="Preset"
          value={cue.preset_id == null ? "" : String(cue.preset_id)}
          options={[{ value: "", label: "None" }, ...own.map((p) => ({ value: String(p.id), label: p.name }))]}
          error={err("preset_id")}
          onValue={(v) => onChange({ preset_id: v === "" ? null : Number(v) })}
        />
        <SelectField<TransitionKind>
          label="Transition"
          value={cue.transition.kind}
          options={TRANSITIONS}
          error={err("transition.kind")}
          onValue={(kind) =>
            onChange({
              transition: kind === "cut" ? { kind, duration_ms: null } : { kind, duration_ms: cue.transition.duration_ms ?? Math.min(1000, Math.max(1, Math.floor(cue.duration_s * 1000))) },
            })
          }
        />
        {cue.transition.kind !== "cut" && (
          <NumField
            label="Transition (ms)"
            value={cue.transition.duration_ms}
            hint="1–10000, within the cue"
            error={err("transition.duration_ms")}
            onCommit={(v) => onChange({ transition: { ...cue.transition, duration_ms: v == null ? null : Math.round(v) } })}
          />
        )}
      </div>
      {otherErrors(errors, cue.key, ["start_s", "duration_s", "camera_id", "preset_id", "transition"])}
      {operator && (
        <div class="row">
          <button type="button" class="btn btn-small btn-danger-outline" onClick={onRemove}>
            Remove cue
          </button>
        </div>
      )}
    </fieldset>
  );
}

/** Errors of the cue no field above shows (e.g. the cue as a whole). */
function otherErrors(errors: Placed, key: number, shown: string[]) {
  const rest = (errors.cues.get(key) ?? []).filter((e) => !shown.some((f) => e.field === f || e.field.startsWith(f + ".")));
  if (!rest.length) return null;
  return (
    <div class="alert alert-bad" role="alert">
      {rest.map((e) => (
        <div key={e.field + e.message}>
          {e.field ? `${e.field}: ` : ""}
          {e.message}
        </div>
      ))}
    </div>
  );
}

interface OverlayProps {
  cue: OverlayCue;
  assets: Asset[];
  errors: Placed;
  operator: boolean;
  /** The camera on screen at the cue's start (the picture it is placed over). */
  cameraId: number | null;
  cameraLabel: string;
  frame: { w: number; h: number };
  onChange: (patch: Partial<OverlayCue>) => void;
  onRemove: () => void;
}

export function OverlayCueProperties({ cue, assets, errors, operator, cameraId, cameraLabel, frame, onChange, onRemove }: OverlayProps) {
  const err = (f: string) => cueError(errors, cue.key, f);
  const asset = assets.find((a) => a.id === cue.asset_id);
  const options = assets.map((a) => ({ value: String(a.id), label: a.name }));
  if (!asset) options.push({ value: String(cue.asset_id), label: `asset ${cue.asset_id} (unknown)` });
  return (
    <fieldset class="cue-props" disabled={!operator}>
      <legend>Overlay cue</legend>
      <div class="cue-overlay">
        <div>
          <div class="form-grid compact">
            <NumField label="Start (s)" value={cue.start_s} error={err("start_s")} onCommit={(v) => onChange({ start_s: ms(v ?? 0) })} />
            <NumField label="Duration (s)" value={cue.duration_s} error={err("duration_s")} onCommit={(v) => onChange({ duration_s: ms(v ?? 0) })} />
            <SelectField label="Asset" value={String(cue.asset_id)} options={options} error={err("asset_id")} onValue={(v) => onChange({ asset_id: Number(v) })} />
          </div>
          <div class="form-grid compact">
            <NumField label="Left %" value={cue.x} scale={100} error={err("x")} onCommit={(v) => onChange({ x: v == null ? null : clamp(v, 0, 1) })} />
            <NumField label="Top %" value={cue.y} scale={100} error={err("y")} onCommit={(v) => onChange({ y: v == null ? null : clamp(v, 0, 1) })} />
            <NumField label="Width %" value={cue.width} scale={100} hint="empty: the picture's size" error={err("width")} onCommit={(v) => onChange({ width: v == null ? null : clamp(v, 0.001, 1) })} />
            <NumField label="Height %" value={cue.height} scale={100} hint="empty: keeps the aspect" error={err("height")} onCommit={(v) => onChange({ height: v == null ? null : clamp(v, 0.001, 1) })} />
            <Field label={`Opacity ${Math.round((cue.opacity ?? 1) * 100)}%`} error={err("opacity")}>
              {({ id, describedBy }) => (
                <input
                  id={id}
                  type="range"
                  min="0"
                  max="1"
                  step="0.05"
                  value={cue.opacity ?? 1}
                  aria-describedby={describedBy}
                  onInput={(e) => onChange({ opacity: Number(e.currentTarget.value) })}
                />
              )}
            </Field>
          </div>
          {otherErrors(errors, cue.key, ["start_s", "duration_s", "asset_id", "x", "y", "width", "height", "opacity"])}
          {operator && (
            <div class="row">
              <button type="button" class="btn btn-small btn-danger-outline" onClick={onRemove}>
                Remove cue
              </button>
            </div>
          )}
        </div>
        <OverlayPlacement cue={cue} asset={asset} cameraId={cameraId} cameraLabel={cameraLabel} frame={frame} operator={operator} onChange={onChange} />
      </div>
    </fieldset>
  );
}

type Size = { w: number; h: number };

/** The box a cue covers on the frame, as fractions (height from the asset's aspect when unset). */
function box(c: OverlayCue, a: Asset | undefined, frame: Size, natural: Size | null): Size {
  const aw = a?.width ?? natural?.w ?? null;
  const ah = a?.height ?? natural?.h ?? null;
  let w = c.width;
  if (w == null) w = aw ? aw / frame.w : 0.25;
  const h = c.height ?? (aw && ah ? (w * frame.w * (ah / aw)) / frame.h : w * 0.5);
  return { w, h };
}

const round = (v: number) => Math.round(v * 10000) / 10000;

function OverlayPlacement({
  cue,
  asset,
  cameraId,
  cameraLabel,
  frame,
  operator,
  onChange,
}: {
  cue: OverlayCue;
  asset: Asset | undefined;
  cameraId: number | null;
  cameraLabel: string;
  frame: Size;
  operator: boolean;
  onChange: (patch: Partial<OverlayCue>) => void;
}) {
  const stage = useRef<HTMLDivElement>(null);
  const [natural, setNatural] = useState<Size | null>(null);
  const b = box(cue, asset, frame, natural);
  const x = cue.x ?? 0;
  const y = cue.y ?? 0;

  const drag = (e: PointerEvent, mode: "move" | "resize") => {
    if (!operator || e.button !== 0 || !stage.current) return;
    e.preventDefault();
    e.stopPropagation();
    const rect = stage.current.getBoundingClientRect();
    const target = e.currentTarget as HTMLElement;
    target.setPointerCapture(e.pointerId);
    const sx = e.clientX;
    const sy = e.clientY;
    const start = { x, y, ...b };
    const move = (ev: PointerEvent) => {
      const dx = (ev.clientX - sx) / rect.width;
      const dy = (ev.clientY - sy) / rect.height;
      if (mode === "move") {
        onChange({ x: round(clamp(start.x + dx, 0, 1 - Math.min(start.w, 1))), y: round(clamp(start.y + dy, 0, 1 - Math.min(start.h, 1))) });
      } else {
        const w = clamp(start.w + dx, 0.02, 1 - start.x);
        onChange(cue.height == null ? { width: round(w) } : { width: round(w), height: round(clamp(start.h + dy, 0.02, 1 - start.y)) });
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

  const key = (e: KeyboardEvent) => {
    if (!operator) return;
    const step = e.shiftKey ? 0.05 : 0.01;
    const d: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const v = d[e.key];
    if (!v) return;
    e.preventDefault();
    if (e.altKey) onChange({ width: round(clamp(b.w + v[0], 0.02, 1)) });
    else onChange({ x: round(clamp(x + v[0], 0, 1 - b.w)), y: round(clamp(y + v[1], 0, 1 - b.h)) });
  };

  return (
    <div class="cue-stage-wrap">
      <div class="overlay-stage cue-stage" ref={stage} style={{ aspectRatio: `${frame.w} / ${frame.h}` }}>
        {cameraId != null ? (
          <LiveView kind="camera" id={cameraId} label={cameraLabel} showStats={false} />
        ) : (
          <div class="live-note" role="status">
            <span class="muted">No camera to show</span>
          </div>
        )}
        <div
          class="ov-box is-selected"
          style={{ left: `${x * 100}%`, top: `${y * 100}%`, width: `${b.w * 100}%`, height: `${b.h * 100}%` }}
          tabIndex={0}
          role="group"
          aria-label={`${asset?.name ?? "Overlay"}: left ${Math.round(x * 100)}%, top ${Math.round(y * 100)}%. Arrow keys move, Alt+arrows resize.`}
          onPointerDown={(e) => drag(e, "move")}
          onKeyDown={key}
        >
          <span class="ov-img-wrap" style={{ opacity: cue.opacity ?? 1 }} aria-hidden="true">
            <BlobImage src={`/api/v1/assets/${cue.asset_id}/preview`} alt="" class="ov-img" onSize={(w, h) => setNatural((n) => (n?.w === w && n?.h === h ? n : { w, h }))} />
          </span>
          <span class={`ov-label ${y < 0.1 ? "ov-label-below" : ""}`}>{asset?.name ?? `asset ${cue.asset_id}`}</span>
          {operator && <span class="ov-handle" aria-hidden="true" onPointerDown={(e) => drag(e, "resize")} />}
        </div>
      </div>
      <p class="muted small">
        Over {cameraLabel} ({frame.w}×{frame.h}). Drag the box, or its corner to resize.
      </p>
    </div>
  );
}
