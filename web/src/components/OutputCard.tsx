// One output as the dashboard and the outputs list show it: the program's live picture, what
// is on air, uptime, bitrate and every destination's connection.
import type { Output } from "../api/types";
import { cameraName, outputsFetchedAt } from "../store";
import { bitrate, duration, fps } from "../lib/format";
import { useCountUp } from "../lib/hooks";
import { LiveView } from "./LiveView";
import { StateBadge } from "./StateBadge";
import { StartStop } from "./StartStop";
import { can } from "../session";

export function showingText(o: Output): string {
  const s = o.status.showing;
  if (s.kind === "camera") return cameraName(s.camera_id);
  if (s.kind === "slate") return "Slate";
  return "Nothing";
}

export function Uptime({ o }: { o: Output }) {
  const live = o.status.state === "live";
  const up = useCountUp(o.status.uptime_s, outputsFetchedAt.value, live);
  return <>{live ? duration(up) : "—"}</>;
}

export function DestinationList({ o }: { o: Output }) {
  if (!o.status.destinations.length) {
    return <p class="muted small">{o.destination_ids.length ? "Destinations connect when the output starts." : "No destinations (recording only)."}</p>;
  }
  return (
    <ul class="dest-list">
      {o.status.destinations.map((d) => (
        <li key={d.destination_id}>
          <StateBadge state={d.state} />
          <span class="dest-name">{d.name}</span>
          <span class="muted small">
            {d.state === "live" ? `${bitrate(d.bitrate_bps)} · up ${duration(d.uptime_s)}` : d.reconnects ? `${d.reconnects} reconnects` : ""}
          </span>
          {d.last_error && d.state !== "live" && <span class="dest-error small">{d.last_error}</span>}
        </li>
      ))}
    </ul>
  );
}

export function OutputCard({ o }: { o: Output }) {
  const showing = o.status.showing;
  const live = o.status.state === "live";
  return (
    <article class={`card output-card ${live ? "is-live" : ""}`} aria-labelledby={`out-${o.id}-name`}>
      <LiveView
        kind="output"
        id={o.id}
        label={`program ${o.name}`}
        snapshotCameraId={showing.kind === "camera" ? showing.camera_id : null}
        state={o.status.state}
        reason={o.status.reason ?? null}
      >
        {live && <span class="tally tally-onair">ON AIR</span>}
      </LiveView>
      <div class="card-body">
        <div class="card-title">
          <h3 id={`out-${o.id}-name`}>
            <a href={`/outputs/${o.id}`}>{o.name}</a>
          </h3>
          <span class="muted small">{o.mode}</span>
        </div>
        {o.status.reason && !live && <p class="reason">{o.status.reason}</p>}
        <dl class="stats">
          <div>
            <dt>On screen</dt>
            <dd>{showingText(o)}</dd>
          </div>
          <div>
            <dt>Uptime</dt>
            <dd>
              <Uptime o={o} />
            </dd>
          </div>
          <div>
            <dt>Bitrate</dt>
            <dd>{live ? bitrate(o.status.bitrate_bps) : "—"}</dd>
          </div>
          <div>
            <dt>Frame rate</dt>
            <dd>{live ? fps(o.status.fps) : "—"}</dd>
          </div>
        </dl>
        <DestinationList o={o} />
        <div class="row">
          {o.mode === "program" && (
            <a class="btn btn-small" href={`/outputs/${o.id}/switcher`}>
              Switcher
            </a>
          )}
          <a class="btn btn-small" href={`/outputs/${o.id}`}>
            Details
          </a>
          {can("operator") && <StartStop o={o} small />}
        </div>
      </div>
    </article>
  );
}
