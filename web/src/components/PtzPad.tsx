// The PTZ pad: hold an arrow (mouse, touch, or Enter/Space on the focused button) and the
// head moves; let go and it stops. While held, the move is re-sent every 250 ms with a 600 ms
// timeout, so the head stops by itself if this page goes away mid-move.
import { useEffect, useRef, useState } from "preact/hooks";
import type { PtzStatus } from "../api/types";
import { api, problemOf, toProblem, unwrap } from "../api/client";
import { ptzStates } from "../events";
import { StateBadge } from "./StateBadge";

interface Vec {
  pan: number;
  tilt: number;
  zoom: number;
}

const REPEAT_MS = 250;
const TIMEOUT_MS = 600;

const PAD: { label: string; name: string; v: Vec }[] = [
  { label: "↖", name: "pan left and tilt up", v: { pan: -1, tilt: 1, zoom: 0 } },
  { label: "▲", name: "tilt up", v: { pan: 0, tilt: 1, zoom: 0 } },
  { label: "↗", name: "pan right and tilt up", v: { pan: 1, tilt: 1, zoom: 0 } },
  { label: "◀", name: "pan left", v: { pan: -1, tilt: 0, zoom: 0 } },
  { label: "■", name: "stop", v: { pan: 0, tilt: 0, zoom: 0 } },
  { label: "▶", name: "pan right", v: { pan: 1, tilt: 0, zoom: 0 } },
  { label: "↙", name: "pan left and tilt down", v: { pan: -1, tilt: -1, zoom: 0 } },
  { label: "▼", name: "tilt down", v: { pan: 0, tilt: -1, zoom: 0 } },
  { label: "↘", name: "pan right and tilt down", v: { pan: 1, tilt: -1, zoom: 0 } },
];

interface HoldProps {
  cameraId: number;
  v: Vec;
  speed: number;
  label: string;
  name: string;
  onProblem: (text: string | null) => void;
  onReleased: () => void;
  class?: string;
}

function HoldButton({ cameraId, v, speed, label, name, onProblem, onReleased, class: cls }: HoldProps) {
  const timer = useRef<number | undefined>(undefined);
  const active = useRef(false);
  const [held, setHeld] = useState(false);
  const params = { params: { path: { id: cameraId } } };

  const send = () => {
    const body = { pan: v.pan * speed, tilt: v.tilt * speed, zoom: v.zoom * speed, timeout_ms: TIMEOUT_MS };
    api
      .POST("/api/v1/cameras/{id}/ptz/move", { ...params, body })
      .then(({ error, response }) => {
        if (!response.ok && active.current) {
          onProblem(toProblem(error, response).detail);
        }
      })
      .catch((e) => onProblem(problemOf(e).detail));
  };
  const start = () => {
    if (active.current) return;
    active.current = true;
    setHeld(true);
    onProblem(null);
    send();
    timer.current = window.setInterval(send, REPEAT_MS);
  };
  const stop = () => {
    if (!active.current) return;
    active.current = false;
    setHeld(false);
    window.clearInterval(timer.current);
    void api.POST("/api/v1/cameras/{id}/ptz/stop", params).finally(onReleased);
  };
  useEffect(() => stop, []);

  return (
    <button
      type="button"
      class={`btn ptz-btn ${held ? "is-held" : ""} ${cls ?? ""}`}
      aria-label={name}
      title={name}
      aria-pressed={held}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.currentTarget.setPointerCapture(e.pointerId);
        start();
      }}
      onPointerUp={stop}
      onPointerCancel={stop}
      onLostPointerCapture={stop}
      onKeyDown={(e) => {
        if ((e.key === "Enter" || e.key === " ") && !e.repeat) {
          e.preventDefault();
          start();
        }
      }}
      onKeyUp={(e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          stop();
        }
      }}
      onBlur={stop}
      onContextMenu={(e) => e.preventDefault()}
    >
      {label}
    </button>
  );
}

export function PtzPad({ cameraId, operator }: { cameraId: number; operator: boolean }) {
  const [speed, setSpeed] = useState(0.5);
  const [problem, setProblem] = useState<string | null>(null);
  const [status, setStatus] = useState<PtzStatus | null>(null);
  const live = ptzStates.value.get(cameraId);
  const params = { params: { path: { id: cameraId } } };

  const refresh = async () => {
    try {
      setStatus(await unwrap(api.GET("/api/v1/cameras/{id}/ptz/status", params)));
    } catch (e) {
      setProblem(problemOf(e).detail);
    }
  };
  useEffect(() => {
    void refresh();
  }, [cameraId, live?.state]);

  const state = live?.state ?? status?.state ?? "connecting";
  const reason = live ? live.reason : status?.reason;
  const pos = status?.position;
  const released = () => window.setTimeout(() => void refresh(), 300);

  return (
    <section class="ptz panel" aria-labelledby={`ptz-${cameraId}`}>
      <div class="section-head">
        <h2 id={`ptz-${cameraId}`}>PTZ</h2>
        <StateBadge state={state} title={reason} />
      </div>
      {reason && state !== "up" && <p class="reason">{reason}</p>}
      {operator ? (
        <>
          <div class="ptz-layout">
            <div class="ptz-grid" role="group" aria-label="Pan and tilt (hold to move)">
              {PAD.map((b) =>
                b.name === "stop" ? (
                  <button
                    key="stop"
                    type="button"
                    class="btn ptz-btn ptz-stop"
                    aria-label="stop"
                    title="stop"
                    onClick={() => void api.POST("/api/v1/cameras/{id}/ptz/stop", params).finally(released)}
                  >
                    {b.label}
                  </button>
                ) : (
                  <HoldButton key={b.name} cameraId={cameraId} v={b.v} speed={speed} label={b.label} name={b.name} onProblem={setProblem} onReleased={released} />
                ),
              )}
            </div>
            <div class="ptz-zoom" role="group" aria-label="Zoom (hold)">
              <HoldButton cameraId={cameraId} v={{ pan: 0, tilt: 0, zoom: 1 }} speed={speed} label="+" name="zoom in" onProblem={setProblem} onReleased={released} />
              <HoldButton cameraId={cameraId} v={{ pan: 0, tilt: 0, zoom: -1 }} speed={speed} label="−" name="zoom out" onProblem={setProblem} onReleased={released} />
            </div>
          </div>
          <div class="field inline">
            <label for={`ptz-speed-${cameraId}`}>Speed</label>
            <input id={`ptz-speed-${cameraId}`} type="range" min="0.1" max="1" step="0.05" value={speed} onInput={(e) => setSpeed(Number(e.currentTarget.value))} />
            <output for={`ptz-speed-${cameraId}`}>{Math.round(speed * 100)}%</output>
          </div>
        </>
      ) : (
        <p class="muted small">Moving the camera needs the operator role.</p>
      )}
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      <p class="muted small ptz-pos" aria-live="polite">
        {pos
          ? `Pan ${pos.pan.toFixed(3)} · Tilt ${pos.tilt.toFixed(3)} · Zoom ${pos.zoom.toFixed(3)}`
          : status?.reports_position === false
            ? "The camera does not report its position."
            : "Position unknown."}
        {status?.pan_tilt && ` · ${status.pan_tilt}`}{" "}
        <button type="button" class="btn btn-ghost btn-small" onClick={() => void refresh()}>
          Refresh
        </button>
      </p>
      {status?.device && (
        <p class="muted small">
          {status.device.manufacturer} {status.device.model} · firmware {status.device.firmware} · profile {status.device.profile_token}
          {status.device.clock_offset_s ? ` · clock offset ${status.device.clock_offset_s} s` : ""}
        </p>
      )}
    </section>
  );
}
