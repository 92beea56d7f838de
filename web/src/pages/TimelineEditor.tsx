// One timeline: its tracks on a time axis with the library beside them (drag cameras,
// presets and assets onto the tracks), the selected cue's properties, Save (the whole
// timeline, with every problem shown on the cue it names), and the run controls with a
// playhead that follows the running timeline (timeline.position events, moved on smoothly
// in between).
import { useEffect, useRef, useState } from "preact/hooks";
import type { Preset, Problem, Timeline, TimelineStatus } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { assets, cameras, loadAssets, outputs } from "../store";
import { onResync, onTimelineEvent } from "../events";
import type { Params } from "../router";
import { can } from "../session";
import { fieldErrors, type FieldMessage } from "../lib/forms";
import { useInterval, useTitle } from "../lib/hooks";
import { toast } from "../lib/toast";
import {
  DEFAULT_CUE_S,
  GRIDS,
  NOTHING_PLACED,
  ZOOMS,
  cameraAt,
  fitZoom,
  freeSpan,
  fromTimeline,
  isVideo,
  livePosition,
  newKey,
  ordered,
  overlaySpan,
  place,
  seconds,
  snap,
  toInput,
  type Cue,
  type Draft,
  type EdTrack,
  type OverlayCue,
  type Placed,
  type VideoCue,
} from "../lib/timeline";
import { TimelineTracks } from "../components/TimelineTracks";
import { TimelineLibrary, type LibItem } from "../components/TimelineLibrary";
import { OverlayCueProperties, VideoCueProperties, NumField } from "../components/CueProperties";
import { TimelineRun, type Live } from "../components/TimelineRun";
import { Check, Loading, PageHeader, ProblemBox, TextField } from "../components/ui";

function messageFor(fields: FieldMessage[], name: string): string | undefined {
  const hits = fields.filter((f) => f.field === name || f.field.startsWith(name + ".") || f.field.startsWith(name + "["));
  return hits.length ? hits.map((h) => (h.field === name ? h.message : `${h.field}: ${h.message}`)).join("; ") : undefined;
}

export function TimelineEditor({ params }: { params: Params }) {
  const id = Number(params.id);
  const operator = can("operator");
  const [saved, setSaved] = useState<Timeline | null>(null);
  const [loadProblem, setLoadProblem] = useState<Problem | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [dirty, setDirty] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  const [grid, setGrid] = useState<number>(0.5);
  const [pps, setPps] = useState<number>(16);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [errors, setErrors] = useState<Placed>(NOTHING_PLACED);
  const [warnings, setWarnings] = useState<Placed>(NOTHING_PLACED);
  const [saving, setSaving] = useState(false);
  const [live, setLive] = useState<Live | null>(null);
  const [cursor, setCursor] = useState(0);
  const [presets, setPresets] = useState<ReadonlyMap<number, Preset[]>>(new Map());
  const [ghost, setGhost] = useState<{ label: string; x: number; y: number; over: number | null } | null>(null);
  const playhead = useRef<HTMLDivElement>(null);
  const draftRef = useRef<Draft | null>(null);
  draftRef.current = draft;
  useTitle(saved ? saved.name : "Timeline");

  const reset = (t: Timeline) => {
    const d = fromTimeline(t);
    setSaved(t);
    setDraft(d);
    setDirty(false);
    setSelected(null);
    setErrors(NOTHING_PLACED);
    setProblem(null);
    setWarnings(place(t.warnings, d));
    // The tracks' width: the page less the navigation, the library and the track labels
    // (below 1100 px the library goes above the tracks, below 900 px the navigation too).
    const w = window.innerWidth;
    setPps(fitZoom(t.duration_s, Math.max(320, w - (w < 900 ? 160 : w < 1100 ? 380 : 640))));
  };

  const load = async () => {
    try {
      reset(await unwrap(api.GET("/api/v1/timelines/{id}", { params: { path: { id } } })));
      setLoadProblem(null);
    } catch (e) {
      setLoadProblem(problemOf(e));
    }
  };
  const loadStatus = async () => {
    try {
      const status = await unwrap(api.GET("/api/v1/timelines/{id}/status", { params: { path: { id } } }));
      setLive({ status, received: performance.now() });
    } catch {
      /* the status line says nothing new */
    }
  };

  useEffect(() => {
    void load();
    void loadStatus();
    if (!assets.value) void loadAssets().catch(() => undefined);
    const offEvents = onTimelineEvent(({ position, received }) => {
      if (position.timeline_id !== id) return;
      setLive((prev) => ({ status: { ...(prev?.status ?? { timeline_id: id }), state: position.state, position }, received }));
    });
    // Events were missed: ask again.
    const offResync = onResync(() => void loadStatus());
    return () => {
      offEvents();
      offResync();
    };
  }, [id]);

  // Presets of the PTZ cameras, for the library and the cue properties.
  const camList = cameras.value ?? [];
  const ptzIds = camList.filter((c) => c.kind === "ptz").map((c) => c.id).join(",");
  useEffect(() => {
    let cancelled = false;
    void Promise.all(
      camList
        .filter((c) => c.kind === "ptz")
        .map(async (c) => [c.id, await unwrap(api.GET("/api/v1/cameras/{id}/presets", { params: { path: { id: c.id } } })).catch(() => [] as Preset[])] as const),
    ).then((pairs) => {
      if (!cancelled) setPresets(new Map(pairs));
    });
    return () => {
      cancelled = true;
    };
  }, [ptzIds]);

  // A run stopped elsewhere sends no event: when a running timeline goes quiet, ask.
  const state = live?.status.state ?? "stopped";
  useInterval(
    () => {
      if (live && performance.now() - live.received > 3500) void loadStatus();
    },
    1000,
    state === "running" || state === "paused",
  );

  // The playhead: the live position, moved on every frame while running; else the cursor.
  const loop = saved?.loop ?? false;
  useEffect(() => {
    let raf = 0;
    const draw = () => {
      const el = playhead.current;
      if (!el) return;
      const pos = live?.status.position;
      const on = !!pos && (state === "running" || state === "paused" || state === "ended");
      const t = on && pos && live ? livePosition(pos, live.received, performance.now(), loop) : cursor;
      el.style.transform = `translateX(${t * pps}px)`;
      el.dataset.position = t.toFixed(3);
      el.classList.toggle("is-live", on);
      if (on && pos?.state === "running" && state === "running") raf = requestAnimationFrame(draw);
    };
    draw();
    return () => cancelAnimationFrame(raf);
  }, [live, pps, cursor, loop, state, draft !== null]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  if (loadProblem) return <ProblemBox problem={loadProblem} onRetry={() => void load()} />;
  if (!draft || !saved) return <Loading />;

  const cams = camList;
  const assetList = assets.value ?? [];
  const duration = draft.duration_s;
  const change = (fn: (d: Draft) => Draft) => {
    setDraft((d) => (d ? fn(d) : d));
    setDirty(true);
  };
  const updateCue = (trackKey: number, cueKey: number, patch: Partial<Cue>) => {
    // A cue the operator changes no longer shows what the server said about it before.
    setErrors((e) => (e.cues.has(cueKey) ? { ...e, cues: new Map([...e.cues].filter(([k]) => k !== cueKey)) } : e));
    change((d) => ({
      ...d,
      tracks: d.tracks.map((tr) => (tr.key !== trackKey ? tr : ({ ...tr, cues: tr.cues.map((c) => (c.key === cueKey ? { ...c, ...patch } : c)) } as EdTrack))),
    }));
  };
  const removeCue = (trackKey: number, cueKey: number) => {
    change((d) => ({ ...d, tracks: d.tracks.map((tr) => (tr.key !== trackKey ? tr : ({ ...tr, cues: tr.cues.filter((c) => c.key !== cueKey) } as EdTrack))) }));
    if (selected === cueKey) setSelected(null);
  };
  const addTrack = (kind: "video" | "overlay") =>
    change((d) => ({ ...d, tracks: [...d.tracks, kind === "video" ? { key: newKey(), kind, cues: [] } : { key: newKey(), kind, cues: [] }] }));

  const camName = (cid: number) => cams.find((c) => c.id === cid)?.name ?? `camera ${cid}`;
  const cueName = (c: Cue): string => {
    if (isVideo(c)) {
      const preset = c.preset_id != null ? presets.get(c.camera_id)?.find((p) => p.id === c.preset_id)?.name ?? `preset ${c.preset_id}` : null;
      return preset ? `${camName(c.camera_id)} · ${preset}` : camName(c.camera_id);
    }
    return assetList.find((a) => a.id === c.asset_id)?.name ?? `asset ${c.asset_id}`;
  };
  const trackLabel = (tr: EdTrack): string => {
    const same = draft.tracks.filter((x) => x.kind === tr.kind);
    const n = same.indexOf(tr) + 1;
    return `${tr.kind === "video" ? "Video" : "Overlay"} ${n}`;
  };
  const storedCueName = (pointer: { track: number; index: number } | null | undefined): string | null => {
    if (!pointer) return null;
    const tr = saved.tracks[pointer.track];
    if (!tr || !tr.cues[pointer.index]) return null;
    const n = saved.tracks.slice(0, pointer.track + 1).filter((t) => t.kind === "video").length;
    return n > 1 ? `cue ${pointer.index + 1}, video ${n}` : `cue ${pointer.index + 1}`;
  };

  // Adding from the library: at a time on a track (dropped there, or the cursor).
  const addAt = (item: LibItem, trackKey: number, t: number) => {
    const d = draftRef.current;
    const tr = d?.tracks.find((x) => x.key === trackKey);
    if (!d || !tr) return;
    if ((item.kind === "asset") !== (tr.kind === "overlay")) {
      toast(item.kind === "asset" ? "Assets go on an overlay track." : "Cameras and presets go on a video track.", "error");
      return;
    }
    const key = newKey();
    if (item.kind === "asset") {
      const span = overlaySpan(t, DEFAULT_CUE_S, d.duration_s, grid);
      if (!span) return void toast("No room there before the end of the timeline.", "error");
      const cue: OverlayCue = { key, ...span, asset_id: item.asset_id, x: 0.05, y: 0.05, width: 0.25, height: null, opacity: 1 };
      change((x) => ({ ...x, tracks: x.tracks.map((r) => (r.key === trackKey && r.kind === "overlay" ? { ...r, cues: [...r.cues, cue] } : r)) }));
    } else {
      const span = freeSpan(tr.cues, t, DEFAULT_CUE_S, d.duration_s, grid);
      if (!span) return void toast("No room there: video cues on a track cannot overlap.", "error");
      const cue: VideoCue = {
        key,
        ...span,
        camera_id: item.camera_id,
        preset_id: item.kind === "preset" ? item.preset_id : null,
        transition: { kind: "cut", duration_ms: null },
      };
      change((x) => ({ ...x, tracks: x.tracks.map((r) => (r.key === trackKey && r.kind === "video" ? { ...r, cues: [...r.cues, cue] } : r)) }));
    }
    setSelected(key);
  };
  const laneAt = (x: number, y: number): HTMLElement | null => document.elementFromPoint(x, y)?.closest<HTMLElement>("[data-lane]") ?? null;
  const onDrop = (item: LibItem, x: number, y: number) => {
    setGhost(null);
    const lane = laneAt(x, y);
    if (!lane) return;
    const t = snap((x - lane.getBoundingClientRect().left) / pps, grid);
    addAt(item, Number(lane.dataset.lane), Math.max(0, t));
  };
  const onAdd = (item: LibItem) => {
    const tr = draft.tracks.find((x) => x.kind === (item.kind === "asset" ? "overlay" : "video"));
    if (tr) addAt(item, tr.key, cursor);
  };

  const onRuler = (t: number) => {
    if (!operator) return;
    if (state === "running" || state === "paused") {
      void unwrap(api.POST("/api/v1/timelines/{id}/seek", { params: { path: { id } }, body: { position_s: t } })).then(
        (status) => setLive({ status, received: performance.now() }),
        (e) => toast(`Seek: ${problemOf(e).detail}`, "error"),
      );
    } else {
      setCursor(t);
    }
  };

  const save = async () => {
    const sent = ordered(draft);
    setDraft(sent);
    setSaving(true);
    setProblem(null);
    try {
      const t = await unwrap(api.PUT("/api/v1/timelines/{id}", { params: { path: { id } }, body: toInput(sent) }));
      setSaved(t);
      setErrors(NOTHING_PLACED);
      setWarnings(place(t.warnings, sent));
      setDirty(false);
      toast(t.warnings.length ? `Saved, with ${t.warnings.length} warning${t.warnings.length === 1 ? "" : "s"}` : "Timeline saved");
    } catch (e) {
      const p = problemOf(e);
      setProblem(p);
      const placed = place(fieldErrors(p), sent);
      setErrors(placed);
      // Show the first cue with a problem in the properties, its field marked.
      const first = sent.tracks.flatMap((tr): Cue[] => tr.cues).find((c) => placed.cues.has(c.key));
      if (first) setSelected(first.key);
    } finally {
      setSaving(false);
    }
  };

  const selTrack = draft.tracks.find((tr) => tr.cues.some((c) => c.key === selected)) ?? null;
  const selCue = selTrack?.cues.find((c) => c.key === selected) ?? null;
  const programFrame = (() => {
    const o = (outputs.value ?? []).find((x) => x.mode === "program");
    return o ? { w: o.profile.width, h: o.profile.height } : { w: 1280, h: 720 };
  })();
  const placedCount = [...errors.cues.values()].reduce((n, l) => n + l.length, 0) + [...errors.tracks.values()].reduce((n, l) => n + l.length, 0);
  const ownErr = (f: string) => messageFor(errors.fields, f);
  const SHOWN = ["name", "duration_s", "description"];
  const shownOwn = errors.fields.filter((f) => SHOWN.includes(f.field)).length;
  const unplaced = errors.fields.filter((f) => !SHOWN.includes(f.field));
  const running = state === "running" || state === "paused";
  const zoomIndex = ZOOMS.findIndex((z) => z >= pps);

  return (
    <div class="tl-page">
      <PageHeader
        title={saved.name}
        sub={
          <>
            <a href="/timelines">Timelines</a> · {seconds(saved.duration_s)} · {saved.loop ? "loops" : "plays once"}
          </>
        }
      >
        {operator && (
          <>
            <button type="button" class="btn btn-ghost" disabled={!dirty || saving} onClick={() => void load()}>
              Revert
            </button>
            <button type="button" class="btn btn-primary" disabled={!dirty || saving} onClick={() => void save()}>
              {saving ? "Saving…" : "Save"}
            </button>
          </>
        )}
      </PageHeader>

      {problem && (
        <div class="alert alert-bad" role="alert">
          <strong>{problem.title}</strong>
          {placedCount + shownOwn > 0 ? (
            <span>
              {" "}
              — {placedCount + shownOwn === 1 ? "a problem is" : `${placedCount + shownOwn} problems are`} marked below{placedCount ? " on the tracks" : ""}. Nothing was saved.
            </span>
          ) : (
            <span> — {problem.detail}</span>
          )}
          {unplaced.length > 0 && placedCount + shownOwn > 0 && (
            <ul class="small">
              {unplaced.map((f) => (
                <li key={f.field + f.message}>
                  {f.field}: {f.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {warnings.fields.length > 0 && (
        <div class="alert alert-info">
          {warnings.fields.map((w) => (
            <div key={w.field + w.message}>
              {w.field}: {w.message}
            </div>
          ))}
        </div>
      )}

      <TimelineRun
        id={id}
        live={live}
        cameras={cams}
        outputs={outputs.value}
        operator={operator}
        dirty={dirty}
        startAt={cursor}
        cueName={storedCueName}
        onStatus={(status: TimelineStatus) => setLive({ status, received: performance.now() })}
      />

      <details class="panel tl-settings" open={!!(ownErr("name") || ownErr("duration_s") || ownErr("description"))}>
        <summary>Timeline settings</summary>
        <fieldset class="form-grid" disabled={!operator}>
          <legend class="visually-hidden">Timeline settings</legend>
          <TextField label="Name" value={draft.name} onValue={(v) => change((d) => ({ ...d, name: v }))} error={ownErr("name")} maxLength={100} />
          <NumField label="Duration (s)" value={draft.duration_s} hint="up to 86400" error={ownErr("duration_s")} onCommit={(v) => change((d) => ({ ...d, duration_s: v ?? 0 }))} />
          <TextField label="Description" value={draft.description ?? ""} onValue={(v) => change((d) => ({ ...d, description: v === "" ? null : v }))} error={ownErr("description")} />
          <Check label="Loop (start again at the end)" checked={draft.loop} onValue={(v) => change((d) => ({ ...d, loop: v }))} />
        </fieldset>
      </details>

      <div class="tl-editor">
        <TimelineLibrary
          cameras={cameras.value}
          presets={presets}
          assets={assets.value}
          operator={operator}
          onAdd={onAdd}
          onDragMove={(item, x, y) => {
            const lane = laneAt(x, y);
            setGhost({ label: item.label, x, y, over: lane ? Number(lane.dataset.lane) : null });
          }}
          onDrop={onDrop}
          onDragCancel={() => setGhost(null)}
        />
        <section class="tl-main" aria-labelledby="tl-tracks-title">
          <div class="tl-toolbar row wrap">
            <h2 id="tl-tracks-title" class="tl-tracks-title">
              Tracks
            </h2>
            <div class="field inline">
              <label for="tl-grid">Snap to</label>
              <select id="tl-grid" value={String(grid)} onChange={(e) => setGrid(Number(e.currentTarget.value))}>
                {GRIDS.map((g) => (
                  <option key={g} value={String(g)}>
                    {g} s
                  </option>
                ))}
              </select>
            </div>
            <div class="row tl-zoom" role="group" aria-label="Zoom">
              <button type="button" class="btn btn-small" aria-label="Zoom out" disabled={zoomIndex <= 0} onClick={() => setPps(ZOOMS[Math.max(0, zoomIndex - 1)] ?? pps)}>
                −
              </button>
              <span class="small tl-zoom-value" aria-live="polite">
                {pps} px/s
              </span>
              <button type="button" class="btn btn-small" aria-label="Zoom in" disabled={zoomIndex >= ZOOMS.length - 1} onClick={() => setPps(ZOOMS[Math.min(ZOOMS.length - 1, zoomIndex + 1)] ?? pps)}>
                +
              </button>
            </div>
            <span class="spacer" />
            {operator && (
              <>
                <button type="button" class="btn btn-small" onClick={() => addTrack("video")}>
                  Add video track
                </button>
                <button type="button" class="btn btn-small" onClick={() => addTrack("overlay")}>
                  Add overlay track
                </button>
              </>
            )}
          </div>
          <TimelineTracks
            draft={draft}
            pps={pps}
            grid={grid}
            selected={selected}
            errors={errors}
            warnings={warnings}
            operator={operator}
            rulerValue={running && live?.status.position ? live.status.position.position_s : cursor}
            rulerLabel={running ? "Seek (the running timeline's position)" : "Where Start begins"}
            cueName={cueName}
            trackLabel={trackLabel}
            dropTarget={ghost?.over ?? null}
            playhead={playhead}
            onSelect={setSelected}
            onChange={updateCue}
            onRemove={removeCue}
            onRemoveTrack={(key) => change((d) => ({ ...d, tracks: d.tracks.filter((t) => t.key !== key) }))}
            onRuler={onRuler}
          />
          <p class="muted small">
            {duration > 0 ? `${seconds(duration)} in all. ` : ""}
            {!operator ? "" : running ? "Click the ruler to seek. " : `Start begins at ${seconds(cursor)} (click the ruler to move it). `}A later video track is on top of an earlier one; a gap keeps the last camera.
          </p>
          {selCue && selTrack ? (
            isVideo(selCue) ? (
              <VideoCueProperties
                key={selCue.key}
                cue={selCue}
                cameras={cams}
                presets={presets}
                errors={errors}
                operator={operator}
                onChange={(p) => updateCue(selTrack.key, selCue.key, p)}
                onRemove={() => removeCue(selTrack.key, selCue.key)}
              />
            ) : (
              <OverlayCueProperties
                key={selCue.key}
                cue={selCue}
                assets={assetList}
                errors={errors}
                operator={operator}
                cameraId={cameraAt(draft, selCue.start_s) ?? cams[0]?.id ?? null}
                cameraLabel={(() => {
                  const c = cameraAt(draft, selCue.start_s) ?? cams[0]?.id ?? null;
                  return c == null ? "no camera" : camName(c);
                })()}
                frame={programFrame}
                onChange={(p) => updateCue(selTrack.key, selCue.key, p)}
                onRemove={() => removeCue(selTrack.key, selCue.key)}
              />
            )
          ) : (
            <p class="muted tl-noselection">Select a cue to see its properties.</p>
          )}
        </section>
      </div>
      {ghost && (
        <div class="tl-ghost" style={{ left: `${ghost.x + 10}px`, top: `${ghost.y + 10}px` }} aria-hidden="true">
          {ghost.label}
        </div>
      )}
    </div>
  );
}
