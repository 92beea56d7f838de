#!/usr/bin/env bash
# Timeline benchmarks (issue 15): cue accuracy at the ingest over 100 cuts beside timer-driven
# operator cuts, a pre-positioned PTZ cut, and the TimelineActor's CPU at 10 cuts per second.
# They are `#[ignore]`d integration tests against the real peers (simulated cameras,
# nginx-rtmp, the ONVIF rig), run here in release; each prints its figures on BENCH lines.
# Everything stays on 127.0.0.1; the test harness stops every process it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cargo test --release --locked --test timelines_bench --test timelines_ptz -- \
  --include-ignored --nocapture --test-threads 1 >"$out" 2>&1 || {
  tail -n 40 "$out" >&2
  exit 1
}
grep -E '^BENCH' "$out" | sed 's/^BENCH //'
