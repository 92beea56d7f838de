// The tracks of a timeline on a time axis: a ruler (click to seek while it runs, or to set
// where Start begins), one lane per track with its cues as blocks (drag to move, drag an
// edge to resize, snapped to the grid; focused, the arrow keys move by a grid step and
// Shift+arrows resize), the problems the server named next to the cue they name, and the
// playhead (drawn by the editor, outside Preact's renders).
import type { Ref } from "preact";
import { clamp, end, ms, room, seconds, snap, tickStep, type Cue, type Draft, type EdTrack, type Placed } from "../lib/timeline";

const FIELD_NAMES: Record<string, string> = {
  start_s: "Start",
  duration_s: "Duration",
  camera_id: "Camera",
  preset_id: "Preset",
  transition: "Transition",
  "transition.duration_ms": "Transition",
  "transition.kind": "Transition",
  asset_id: "Asset",
  x: "Left",
  y: "Top",
  width: "Width",
  height: "Height",
  opacity: "Opacity",
  "": "Cue",
};

export const fieldName = (f: string): string => FIELD_NAMES[f] ?? f;

interface Props {
  draft: Draft;
  pps: number;
  grid: number;
  selected: number | null;
  errors: Placed;
  warnings: Placed;
  operator: boolean;
  /** Where the ruler's value is (the live position, or where Start begins). */
  rulerValue: number;
  rulerLabel: string;
  cueName: (c: Cue) => string;
  trackLabel: (tr: EdTrack) => string;
  /** The track a library item is dragged over. */
  dropTarget: number | null;
  playhead: Ref<HTMLDivElement>;
  onSelect: (key: number | null) => void;
  onChange: (trackKey: number, cueKey: number, patch: Partial<Cue>) => void;
  onRemove: (trackKey: number, cueKey: number) => void;
  onRemoveTrack: (trackKey: number) => void;
  onRuler: (t: number) => void;
}

export function TimelineTracks(p: Props) {
  const { draft, pps, grid, selected, operator } = p;
  const duration = draft.duration_s;
  const width = Math.max(1, Math.ceil(duration * pps));
  const step = tickStep(pps);
  const ticks: number[] = [];
  for (let t = 0; t <= duration + 1e-9 && ticks.length < 2000; t = ms(t + step)) ticks.push(t);

  const rulerAt = (e: MouseEvent) => {
    const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
    p.onRuler(clamp(snap((e.clientX - rect.left) / pps, grid), 0, duration));
  };
  const rulerKey = (e: KeyboardEvent) => {
    const d: Record<string, number> = { ArrowLeft: -grid, ArrowRight: grid, ArrowDown: -grid, ArrowUp: grid, PageDown: -10 * grid, PageUp: 10 * grid };
    let t: number | null = null;
    if (e.key in d) t = p.rulerValue + (d[e.key] ?? 0);
    else if (e.key === "Home") t = 0;
    else if (e.key === "End") t = duration;
    if (t == null) return;
    e.preventDefault();
    p.onRuler(clamp(snap(t, grid), 0, duration));
  };

  const drag = (e: PointerEvent, tr: EdTrack, c: Cue, mode: "move" | "start" | "end") => {
    if (e.button !== 0) return;
    p.onSelect(c.key);
    if (!operator) return;
    e.preventDefault();
    e.stopPropagation();
    const target = e.currentTarget as HTMLElement;
    (target.closest(".tl-cue") as HTMLElement | null)?.focus({ preventScroll: true });
    target.setPointerCapture(e.pointerId);
    const x0 = e.clientX;
    const r = room(tr, c, duration);
    const s0 = c.start_s;
    const e0 = end(c);
    const d0 = c.duration_s;
    const move = (ev: PointerEvent) => {
      const dt = (ev.clientX - x0) / pps;
      if (mode === "move") {
        p.onChange(tr.key, c.key, { start_s: ms(clamp(snap(s0 + dt, grid), r.lo, r.hi - d0)) });
      } else if (mode === "end") {
        const e1 = clamp(snap(e0 + dt, grid), s0 + grid, r.hi);
        p.onChange(tr.key, c.key, { duration_s: ms(e1 - s0) });
      } else {
        const s1 = clamp(snap(s0 + dt, grid), r.lo, e0 - grid);
        p.onChange(tr.key, c.key, { start_s: ms(s1), duration_s: ms(e0 - s1) });
      }
    };
    const stop = () => {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", stop);
      target.removeEventListener("pointercancel", stop);
    };
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", stop);
    target.addEventListener("pointercancel", stop);
  };

  const key = (e: KeyboardEvent, tr: EdTrack, c: Cue) => {
    if (!operator) return;
    if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      p.onRemove(tr.key, c.key);
      return;
    }
    if (e.key === "Escape") {
      p.onSelect(null);
      return;
    }
    const dir = e.key === "ArrowLeft" ? -1 : e.key === "ArrowRight" ? 1 : 0;
    if (!dir) return;
    e.preventDefault();
    const r = room(tr, c, duration);
    if (e.shiftKey) {
      const e1 = clamp(ms(end(c) + dir * grid), c.start_s + grid, r.hi);
      p.onChange(tr.key, c.key, { duration_s: ms(e1 - c.start_s) });
    } else {
      p.onChange(tr.key, c.key, { start_s: ms(clamp(c.start_s + dir * grid, r.lo, r.hi - c.duration_s)) });
    }
  };

  const notes = (tr: EdTrack, placed: Placed, kind: "error" | "warning") => {
    const rows = tr.cues.flatMap((c) => (placed.cues.get(c.key) ?? []).map((m, i) => ({ c, m, i })));
    const own = placed.tracks.get(tr.key) ?? [];
    if (!rows.length && !own.length) return null;
    return (
      <div class="tl-row">
        <div class="tl-label" aria-hidden="true" />
      <ul class={`tl-notes tl-notes-${kind}`} style={{ width: `${width}px` }} aria-label={`${kind === "error" ? "Problems" : "Warnings"} on ${p.trackLabel(tr)}`}>
        {own.map((m) => (
          <li key={m} class="tl-note">
            {m}
          </li>
        ))}
        {rows.map(({ c, m, i }) => (
          <li key={`${c.key}-${i}`} class="tl-note" id={i === 0 ? `${kind}-cue-${c.key}` : undefined} data-note-cue={c.key} style={{ marginLeft: `${Math.min(c.start_s * pps, Math.max(0, width - 352))}px` }}>
            <span class="tl-note-cue">
              {p.cueName(c)} at {seconds(c.start_s)}, {fieldName(m.field).toLowerCase()}:
            </span>{" "}
            {m.message}
          </li>
        ))}
      </ul>
      </div>
    );
  };

  return (
    <div class="tl-tracks">
      <div class="tl-scroller">
        <div class="tl-canvas" style={`width: calc(var(--tl-label-w) + ${width}px); --tl-tick: ${step * pps}px`} data-pps={pps} data-grid={grid} data-duration={duration}>
          <div class="tl-row">
            <div class="tl-label tl-label-ruler" aria-hidden="true">
              Time
            </div>
            <div
              class="tl-ruler"
              style={{ width: `${width}px` }}
              role="slider"
              tabIndex={0}
              aria-label={p.rulerLabel}
              aria-valuemin={0}
              aria-valuemax={duration}
              aria-valuenow={Math.round(p.rulerValue * 10) / 10}
              aria-valuetext={seconds(p.rulerValue)}
              onClick={rulerAt}
              onKeyDown={rulerKey}
            >
              {ticks.map((t) => (
                <span key={t} class="tl-tick" style={{ left: `${t * pps}px` }} aria-hidden="true">
                  {seconds(t)}
                </span>
              ))}
            </div>
          </div>
          {draft.tracks.map((tr) => (
            <div key={tr.key} class="tl-track">
              <div class="tl-row">
                <div class={`tl-label tl-label-${tr.kind}`}>
                  <span aria-hidden="true">{p.trackLabel(tr)}</span>
                  {operator && tr.cues.length === 0 && draft.tracks.filter((x) => x.kind === tr.kind).length > 1 && (
                    <button type="button" class="btn btn-small btn-ghost tl-remove-track" aria-label={`Remove ${p.trackLabel(tr).toLowerCase()}`} onClick={() => p.onRemoveTrack(tr.key)}>
                      ✕
                    </button>
                  )}
                </div>
                <div
                  class={`tl-lane tl-lane-${tr.kind} ${p.dropTarget === tr.key ? "is-drop" : ""}`}
                  style={{ width: `${width}px` }}
                  data-lane={tr.key}
                  data-kind={tr.kind}
                  role="group"
                  aria-label={`${p.trackLabel(tr)}: ${tr.cues.length} cue${tr.cues.length === 1 ? "" : "s"}`}
                  onPointerDown={(e) => {
                    if (e.target === e.currentTarget) p.onSelect(null);
                  }}
                >
                  {tr.cues.map((c) => {
                    const err = p.errors.cues.has(c.key);
                    const warn = p.warnings.cues.has(c.key);
                    const name = p.cueName(c);
                    const describedBy = [err ? `error-cue-${c.key}` : null, warn ? `warning-cue-${c.key}` : null, "tl-cue-help"].filter(Boolean).join(" ");
                    return (
                      <div
                        key={c.key}
                        class={`tl-cue tl-cue-${tr.kind} ${selected === c.key ? "is-selected" : ""} ${err ? "has-error" : ""} ${warn ? "has-warning" : ""}`}
                        style={{ left: `${c.start_s * pps}px`, width: `${Math.max(6, c.duration_s * pps)}px` }}
                        role="button"
                        tabIndex={0}
                        aria-pressed={selected === c.key}
                        aria-describedby={describedBy}
                        data-cue={c.key}
                        data-start={c.start_s}
                        data-duration={c.duration_s}
                        onPointerDown={(e) => drag(e, tr, c, "move")}
                        onFocus={() => p.onSelect(c.key)}
                        onKeyDown={(e) => key(e, tr, c)}
                      >
                        {operator && <span class="tl-edge tl-edge-start" aria-hidden="true" onPointerDown={(e) => drag(e, tr, c, "start")} />}
                        <span class="tl-cue-name">
                          {err && <span aria-hidden="true">⚠ </span>}
                          {name}
                        </span>{" "}
                        <span class="tl-cue-len">{seconds(c.duration_s)}</span>
                        <span class="visually-hidden">
                          , from {seconds(c.start_s)} to {seconds(end(c))}
                          {err ? ", has a problem" : ""}
                        </span>
                        {operator && <span class="tl-edge tl-edge-end" aria-hidden="true" onPointerDown={(e) => drag(e, tr, c, "end")} />}
                      </div>
                    );
                  })}
                  {tr.cues.length === 0 && (
                    <span class="tl-lane-empty" aria-hidden="true">
                      {operator ? (tr.kind === "video" ? "Drop a camera or preset here" : "Drop an asset here") : "No cues"}
                    </span>
                  )}
                </div>
              </div>
              {notes(tr, p.errors, "error")}
              {notes(tr, p.warnings, "warning")}
            </div>
          ))}
          <div class="tl-playhead" ref={p.playhead} aria-hidden="true" />
        </div>
      </div>
      <p id="tl-cue-help" class="visually-hidden">
        {operator ? "Arrow keys move the cue by one grid step, Shift with arrow keys changes its length, Delete removes it." : "Select to see its properties."}
      </p>
    </div>
  );
}
