// What happened, newest first, from the event stream.
import { feed, type RuntimeEvent } from "../events";
import { cameraName, destinationName, outputName } from "../store";
import { clock } from "../lib/format";
import { StateBadge } from "./StateBadge";

function subject(e: RuntimeEvent): string {
  switch (e.type) {
    case "camera_state":
      return cameraName(e.camera_id);
    case "ptz_state":
      return `${cameraName(e.camera_id)} PTZ`;
    case "output_state":
      return outputName(e.output_id);
    case "destination_state":
      return `${outputName(e.output_id)} → ${destinationName(e.destination_id)}`;
  }
}

function extra(e: RuntimeEvent): string | null {
  if (e.type === "output_state") {
    const s = e.showing;
    const on = s.kind === "camera" ? cameraName(s.camera_id) : s.kind;
    return e.state === "live" ? `showing ${on}` : null;
  }
  return null;
}

export function EventFeed({ limit = 50 }: { limit?: number }) {
  const items = feed.value.slice(0, limit);
  if (!items.length) return <p class="muted">No events yet.</p>;
  return (
    <ol class="feed" aria-label="Recent events">
      {items.map(({ seq, event }) => (
        <li key={seq}>
          <time dateTime={event.at}>{clock(event.at)}</time>
          <span class="feed-subject">{subject(event)}</span>
          <StateBadge state={event.state} />
          <span class="feed-reason">{event.reason ?? extra(event) ?? ""}</span>
        </li>
      ))}
    </ol>
  );
}
