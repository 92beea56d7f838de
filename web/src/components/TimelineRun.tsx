// Running a timeline: the program output it drives, Start (offering to replace a timeline
// that holds the output), Stop, Pause/Resume, Skip, Pin a camera (and release it), and the
// status line: state, position, the cue on screen, the next cue, loops, the pin.
import { useState } from "preact/hooks";
import type { Camera, Output, Problem, TimelinePosition, TimelineStatus } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { toast } from "../lib/toast";
import { seconds } from "../lib/timeline";
import { StateBadge } from "./StateBadge";

export interface Live {
  status: TimelineStatus;
  /** When its position was true (performance.now()). */
  received: number;
}

interface Props {
  id: number;
  live: Live | null;
  cameras: Camera[];
  outputs: Output[] | null;
  operator: boolean;
  dirty: boolean;
  /** Where Start begins (the cursor on the ruler). */
  startAt: number;
  cueName: (pointer: { track: number; index: number } | null | undefined) => string | null;
  onStatus: (s: TimelineStatus) => void;
}

export function TimelineRun({ id, live, cameras, outputs, operator, dirty, startAt, cueName, onStatus }: Props) {
  const programs = (outputs ?? []).filter((o) => o.mode === "program");
  const status = live?.status;
  const pos: TimelinePosition | null = status?.position ?? null;
  const state = status?.state ?? "stopped";
  const on = state === "running" || state === "paused";
  const runningOn = pos?.output_id ?? (on ? status?.run?.output_id : null) ?? null;
  const [picked, setPicked] = useState<string>("");
  const [pin, setPin] = useState<string>("");
  const [busy, setBusy] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Problem | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const output = picked || (runningOn != null ? String(runningOn) : programs[0] ? String(programs[0].id) : "");
  const path = { params: { path: { id } } };
  const camName = (cid: number | null | undefined) => (cid == null ? "—" : cameras.find((c) => c.id === cid)?.name ?? `camera ${cid}`);

  const run = async (what: string, call: () => Promise<TimelineStatus>) => {
    setBusy(what);
    setProblem(null);
    try {
      onStatus(await call());
      return true;
    } catch (e) {
      const p = problemOf(e);
      if (what === "start" && p.status === 409) setConflict(p);
      else setProblem(p);
      return false;
    } finally {
      setBusy(null);
    }
  };

  const start = async (replace: boolean) => {
    setConflict(null);
    const ok = await run("start", () =>
      unwrap(api.POST("/api/v1/timelines/{id}/start", { ...path, body: { output_id: Number(output), position_s: startAt, ...(replace ? { replace: true } : {}) } })),
    );
    if (ok) toast(replace ? "Timeline started in place of the one on the output" : "Timeline started");
  };

  const control = (what: "stop" | "pause" | "resume" | "skip") =>
    void run(what, () => {
      switch (what) {
        case "stop":
          return unwrap(api.POST("/api/v1/timelines/{id}/stop", path));
        case "pause":
          return unwrap(api.POST("/api/v1/timelines/{id}/pause", path));
        case "resume":
          return unwrap(api.POST("/api/v1/timelines/{id}/resume", path));
        case "skip":
          return unwrap(api.POST("/api/v1/timelines/{id}/skip", path));
      }
    });

  const pinTo = (camera: number | null) => void run("pin", () => unwrap(api.POST("/api/v1/timelines/{id}/pin", { ...path, body: { camera_id: camera } })));

  const onScreen = pos ? cueName(pos.cue) : null;
  const next = pos?.next_cue;
  return (
    <section class="panel tl-run" aria-labelledby="tl-run-title">
      <h2 id="tl-run-title" class="visually-hidden">
        Run
      </h2>
      <div class="row wrap tl-run-row">
        <div class="field inline">
          <label for="tl-output">Output</label>
          <select id="tl-output" value={output} disabled={!operator || on || programs.length === 0} onChange={(e) => setPicked(e.currentTarget.value)}>
            {programs.length === 0 && <option value="">No program output</option>}
            {programs.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        {operator && !on && (
          <button type="button" class="btn btn-go" disabled={!output || busy !== null} onClick={() => void start(false)}>
            {busy === "start" ? "Starting…" : startAt > 0 ? `Start at ${seconds(startAt)}` : "Start"}
          </button>
        )}
        {operator && on && (
          <>
            <button type="button" class="btn btn-danger" disabled={busy !== null} onClick={() => control("stop")}>
              Stop
            </button>
            {state === "paused" ? (
              <button type="button" class="btn" disabled={busy !== null} onClick={() => control("resume")}>
                Resume
              </button>
            ) : (
              <button type="button" class="btn" disabled={busy !== null} onClick={() => control("pause")}>
                Pause
              </button>
            )}
            <button type="button" class="btn" disabled={busy !== null} onClick={() => control("skip")}>
              Skip to next cue
            </button>
            {pos?.pinned_camera_id != null ? (
              <button type="button" class="btn" disabled={busy !== null} onClick={() => pinTo(null)}>
                Release pin ({camName(pos.pinned_camera_id)})
              </button>
            ) : (
              <span class="row tl-pin">
                <span class="field inline">
                  <label for="tl-pin">Pin camera</label>
                  <select id="tl-pin" value={pin} onChange={(e) => setPin(e.currentTarget.value)}>
                    <option value="">Choose…</option>
                    {cameras.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                </span>
                <button type="button" class="btn" disabled={!pin || busy !== null} onClick={() => pinTo(Number(pin))}>
                  Pin
                </button>
              </span>
            )}
          </>
        )}
      </div>
      {operator && !on && dirty && <p class="muted small">Start runs the saved version: save first to run your changes.</p>}
      {conflict && (
        <div class="alert alert-bad" role="alert">
          <strong>The output is taken</strong> — {conflict.detail}
          <button type="button" class="btn btn-small btn-danger" onClick={() => void start(true)}>
            Replace
          </button>
          <button type="button" class="btn btn-small btn-ghost" onClick={() => setConflict(null)}>
            Cancel
          </button>
        </div>
      )}
      {problem && (
        <div class="alert alert-bad" role="alert">
          <strong>{problem.title}</strong> — {problem.detail}
        </div>
      )}
      <p class="tl-status" data-state={state}>
        <StateBadge state={state} />
        {pos && on ? (
          <>
            <span>
              {seconds(pos.position_s)} of {seconds(pos.duration_s)}
              {runningOn != null ? ` on ${(outputs ?? []).find((o) => o.id === runningOn)?.name ?? `output ${runningOn}`}` : ""}
            </span>
            <span>On screen: {camName(pos.camera_id)}{onScreen ? ` (${onScreen})` : ""}</span>
            <span>{next ? `Next: ${camName(next.camera_id)} in ${seconds(next.in_s)}` : "No next cue"}</span>
            <span>Loops: {pos.loops}</span>
            {pos.pinned_camera_id != null && <span class="tl-pinned">Pinned: {camName(pos.pinned_camera_id)}</span>}
          </>
        ) : state === "ended" ? (
          <span>Ended{status?.run?.end_reason ? ` (${status.run.end_reason})` : ""}; the last camera stays on air.</span>
        ) : (
          <span class="muted">
            Not running{status?.run?.end_reason ? `; the last run ended: ${status.run.end_reason.replace(/_/g, " ")}` : ""}.
            {operator ? " Click the time ruler to choose where Start begins." : ""}
          </span>
        )}
      </p>
      {pos && pos.errors.length > 0 && (
        <ul class="tl-run-errors small">
          {pos.errors.map((e) => (
            <li key={e} class="field-error">
              {e}
            </li>
          ))}
        </ul>
      )}
      <span class="visually-hidden" role="status">
        {state === "stopped" ? "Timeline stopped" : `Timeline ${state}`}
      </span>
    </section>
  );
}
