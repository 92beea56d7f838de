// A camera in a grid: live picture, state with its reason, what it sends.
import type { ComponentChildren } from "preact";
import type { Camera } from "../api/types";
import { LiveView } from "./LiveView";
import { StateBadge } from "./StateBadge";
import { fps, resolution } from "../lib/format";

export function CameraTile({ c, children, tally }: { c: Camera; children?: ComponentChildren; tally?: "onair" | "standby" | null }) {
  const s = c.status;
  return (
    <article class={`card camera-tile ${tally ? `tally-${tally}-border` : ""}`} aria-labelledby={`cam-${c.id}-name`}>
      <LiveView kind="camera" id={c.id} label={c.name} state={s.state} reason={s.reason ?? null} showStats={false}>
        {tally === "onair" && <span class="tally tally-onair">ON AIR</span>}
        {tally === "standby" && <span class="tally tally-standby">READY</span>}
      </LiveView>
      <div class="card-body">
        <div class="card-title">
          <h3 id={`cam-${c.id}-name`}>
            <a href={`/cameras/${c.id}`}>{c.name}</a>
          </h3>
          <StateBadge state={s.state} title={s.reason} />
        </div>
        <p class="muted small">
          {s.state === "streaming"
            ? `${s.codec ?? "?"} ${s.profile ?? ""} · ${resolution(s.width, s.height)} · ${fps(s.fps)}${s.audio_codec ? ` · ${s.audio_codec}` : ""}`
            : s.reason ?? (c.enabled ? "Waiting for the camera" : "Disabled")}
        </p>
        {children}
      </div>
    </article>
  );
}
