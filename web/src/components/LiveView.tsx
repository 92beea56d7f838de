// One live picture: the MSE player on the preview WebSocket, with the JPEG snapshot as the
// fallback (no preview endpoint, a codec this browser cannot play). The tile says why there
// is no picture. Players stop when the tab is hidden or the tile is scrolled far off screen.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { MsePlayer, type PlayerStatus } from "../live/mse-player";
import { pageVisible, useInView } from "../lib/hooks";
import { BlobImage } from "./BlobImage";
import { StateBadge } from "./StateBadge";
import { bitrate } from "../lib/format";

interface Props {
  kind: "camera" | "output";
  id: number;
  /** Accessible name of the picture, e.g. "Harbor PTZ". */
  label: string;
  /** Camera whose snapshot stands in when there is no live picture (outputs: the camera on air). */
  snapshotCameraId?: number | null;
  /** The source's state as the event stream knows it (badge when the player has none). */
  state?: string | null;
  reason?: string | null;
  /** Seconds between snapshot refreshes in fallback (default 2). */
  snapshotEvery?: number;
  showStats?: boolean;
  class?: string;
  children?: ComponentChildren;
}

const INITIAL: PlayerStatus = {
  phase: "connecting",
  sourceState: null,
  reason: null,
  codec: null,
  width: null,
  height: null,
  fps: 0,
  bps: 0,
};

const WORKING = new Set(["streaming", "live"]);
const DOWN_TEXT: Record<string, string> = {
  disabled: "Disabled",
  stopped: "Off air",
  connecting: "Connecting…",
  starting: "Starting…",
  backoff: "No picture: retrying",
  stalled: "Stalled",
  error: "No picture",
  failed: "Failed",
};

export function LiveView(props: Props) {
  const { kind, id, label, snapshotCameraId, showStats = true } = props;
  const box = useRef<HTMLDivElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const [status, setStatus] = useState<PlayerStatus>(INITIAL);
  const [snapError, setSnapError] = useState<string | null>(null);
  const inView = useInView(box);
  const active = inView && pageVisible.value;

  useEffect(() => {
    const v = video.current;
    if (!v || !active) return;
    const player = new MsePlayer(v, `/api/v1/${kind}s/${id}/live`, setStatus);
    player.start();
    return () => {
      player.stop();
      setStatus(INITIAL);
    };
  }, [kind, id, active]);

  const playing = status.phase === "playing" || status.phase === "stalled";
  const fallback = !playing && (status.phase === "unavailable" || status.phase === "unsupported");
  const snapId = kind === "camera" ? id : snapshotCameraId ?? null;
  const srcState = status.sourceState ?? props.state ?? null;
  const srcReason = status.sourceState ? status.reason : props.reason ?? null;

  let note: string | null = null;
  if (status.phase === "unsupported") {
    note = `This browser cannot play ${status.codec ?? "this codec"} live: showing snapshots.`;
  } else if (fallback) {
    note = snapId == null ? "No live preview" : snapError ? null : "Snapshot (no live preview)";
  } else if (status.phase === "stalled") {
    note = "No new picture for 3 s";
  } else if (status.phase === "connecting") {
    note = "Connecting…";
  }
  const sourceDown = srcState !== null && !WORKING.has(srcState);

  return (
    <div ref={box} class={`live ${props.class ?? ""}`} data-phase={status.phase}>
      <video
        ref={video}
        muted
        autoplay
        playsInline
        disablePictureInPicture
        aria-label={`Live picture: ${label}`}
        data-live-camera={kind === "camera" ? String(id) : undefined}
        data-live-output={kind === "output" ? String(id) : undefined}
        data-phase={status.phase}
        hidden={fallback}
      />
      {fallback && snapId != null && !sourceDown && (
        <BlobImage
          src={`/api/v1/cameras/${snapId}/snapshot`}
          alt={`Snapshot: ${label}`}
          refreshMs={(props.snapshotEvery ?? 2) * 1000}
          onError={setSnapError}
          class="live-snapshot"
        />
      )}
      <div class="live-top">
        {srcState && sourceDown && <StateBadge state={srcState} />}
        {props.children}
      </div>
      {sourceDown && !playing ? (
        <div class="live-down" role="status">
          <strong>{DOWN_TEXT[srcState ?? ""] ?? "No picture"}</strong>
          {srcReason && <span>{srcReason}</span>}
        </div>
      ) : (
        (note || (fallback && snapError)) && (
          <div class="live-note" role="status">
            {fallback && snapError ? <span>{snapError}</span> : null}
            {note && <span class="muted">{note}</span>}
          </div>
        )
      )}
      {showStats && playing && (
        <div class="live-stats" aria-hidden="true">
          {status.width && status.height ? `${status.width}×${status.height} · ` : ""}
          {status.fps} fps · {bitrate(status.bps)}
        </div>
      )}
    </div>
  );
}
