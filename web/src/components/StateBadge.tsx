// A coloured state label; the colour follows what the state means to an operator.
const TONE: Record<string, "ok" | "warn" | "bad" | "idle" | "live"> = {
  streaming: "ok",
  up: "ok",
  ready: "ok",
  live: "live",
  connecting: "warn",
  starting: "warn",
  reconnecting: "warn",
  stalled: "warn",
  backoff: "warn",
  error: "bad",
  failed: "bad",
  down: "bad",
  disabled: "idle",
  stopped: "idle",
  running: "live",
  paused: "warn",
  ended: "idle",
};

export function tone(state: string): string {
  return TONE[state] ?? "idle";
}

export function StateBadge({ state, label, title }: { state: string; label?: string; title?: string | null }) {
  return (
    <span class={`badge badge-${tone(state)}`} title={title ?? undefined}>
      {label ?? state}
    </span>
  );
}
