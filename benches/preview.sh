#!/usr/bin/env bash
# Live preview benchmark (issue 14, OUT-10): how fast and how cheap are the console's live
# pictures?
#
#   cargo build --release -p vistterstream-sim && make ui && cargo build --release -p vistterstream
#   benches/preview.sh
#
# Everything on 127.0.0.1. One simulated camera, 1280x720@25, GOP 2 s, x264 zerolatency,
# with its capture time painted into the top 16 pixel rows of every frame (vistter-sim
# --stamp); a fresh appliance with that camera and a program output on it (no destination).
#   latency  Debian's Chromium (benches/preview.mjs) opens the console's camera page, then the
#            output's page, and reads the capture time back from each presented frame
#            (requestVideoFrameCallback → canvas): glass-to-glass latency p50/p90 over the last
#            two thirds of SAMPLE_S seconds, and the time from the preview socket's creation
#            (and from navigation) to the first picture.
#                     targets: camera p50 <= 100 ms, program <= 150 ms + the encoder's latency,
#                              first picture <= 300 ms
#   viewers  the appliance's CPU (utime+stime over WINDOW_S; the program stopped, so only the
#            camera's ingest runs besides) with 0, 1 and 8 preview sockets open on the camera (raw sockets in one page: the browser decodes nothing, so
#            only the appliance's cost is measured); per viewer = (n viewers - none) / n.
#                     target: < 1 % of a core per viewer
#   bundle   the console's JavaScript and CSS in web/dist, gzip -9.   target: <= 250 KB JS
# Reference: the prototypes measured on this machine in reference/preview-notes.md (fMP4 over
# a WebSocket into MSE, hand-written muxer: p50 50-72 ms, first frame 82-108 ms). go2rtc is
# not in Debian 12 or the package registries CI may use, so it is not run side by side.
#
# Environment: WINDOW_S=30 (CPU windows), SAMPLE_S=15 (latency sampling per page),
#   APPLIANCE_BIN, SIM_BIN (default target/release/...). Table: stdout and
#   target/bench-results/preview.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WINDOW_S=${WINDOW_S:-30}
SAMPLE_S=${SAMPLE_S:-15}
SIM_BIN=${SIM_BIN:-$ROOT/target/release/vistter-sim}
APPLIANCE_BIN=${APPLIANCE_BIN:-$ROOT/target/release/vistterstream}
ADMIN_PASSWORD=bench-admin-pw
RESULTS=$ROOT/target/bench-results

log() { printf '[preview %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "FAILED: $*"
  exit 1
}
for tool in node python3 curl gzip /usr/bin/chromium; do
  command -v "$tool" >/dev/null || die "$tool not found (scripts/setup.sh installs it)"
done
[[ -d $ROOT/tests/browser/node_modules/playwright-core ]] || die "playwright-core missing: scripts/setup.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vistter-preview.XXXXXX")
STARTED=()
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do stop_pid "$pid"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- peers ------------------------------------------------------------------------------------
start_sim 1 --width 1280 --height 720 --fps 25 --bitrate-kbps 2000 --stamp
CAM_URL=${CAMERA_URLS[0]}

start_appliance preview
CAM=$(api POST /api/v1/cameras "{\"name\":\"Stamped\",\"rtsp_url\":\"$CAM_URL\"}" | json_field 'd["id"]')
OUT=$(api POST /api/v1/outputs "{\"name\":\"Program\",\"camera_id\":$CAM}" | json_field 'd["id"]')
api POST "/api/v1/outputs/$OUT/start" >/dev/null
for ((i = 0; ; i++)); do
  state=$(api GET "/api/v1/outputs/$OUT" | json_field 'd["status"]["state"] + "/" + d["status"]["showing"].get("kind", "")')
  [[ $state == live/camera ]] && break
  ((i < 300)) || die "the program did not go live on the camera (last: $state)"
  sleep 0.2
done
log "camera $CAM streaming, program $OUT live"

# --- latency ----------------------------------------------------------------------------------
log "latency: $SAMPLE_S s on the camera page, then on the output page"
node "$ROOT/benches/preview.mjs" latency "$API" admin "$ADMIN_PASSWORD" "$CAM" "$OUT" "$SAMPLE_S" \
  >"$WORK/latency.jsonl" || die "the latency run failed"
cat "$WORK/latency.jsonl" >&2

# --- CPU per viewer ---------------------------------------------------------------------------
cpu_with() { # cpu_with N: appliance CPU % over WINDOW_S with N preview sockets open
  local n=$1 node_pid
  if ((n == 0)); then
    sample "$WORK/cpu-0.json" appliance="$APP_PID" >/dev/null
    check_sample "$WORK/cpu-0.json"
    return 0
  fi
  node "$ROOT/benches/preview.mjs" viewers "$API" admin "$ADMIN_PASSWORD" "$CAM" "$n" \
    $((WINDOW_S + 8)) >"$WORK/viewers-$n.out" 2>"$WORK/viewers-$n.log" &
  node_pid=$!
  STARTED+=("$node_pid")
  for ((i = 0; i < 300; i++)); do
    grep -q '^OPEN' "$WORK/viewers-$n.out" && break
    require_alive "viewers ($n)" "$WORK/viewers-$n.log" "$node_pid"
    sleep 0.1
  done
  grep -q '^OPEN' "$WORK/viewers-$n.out" || die "$n preview sockets did not open"
  sleep 2
  sample "$WORK/cpu-$n.json" appliance="$APP_PID" >/dev/null
  check_sample "$WORK/cpu-$n.json"
  wait "$node_pid" || die "the viewers ($n) ended with an error"
  forget "$node_pid"
}
# The program's encoder would dominate the windows and its noise hide a viewer's cost: the
# CPU phases run with the camera alone.
api POST "/api/v1/outputs/$OUT/stop" >/dev/null
sleep 2
for n in 0 1 8; do
  log "viewers: $n preview socket(s), $WINDOW_S s"
  cpu_with "$n"
done

# --- bundle -----------------------------------------------------------------------------------
[[ -d $ROOT/web/dist/assets ]] || die "web/dist missing: make ui"
js_gz=0
css_gz=0
for f in "$ROOT"/web/dist/assets/*.js; do js_gz=$((js_gz + $(gzip -9c "$f" | wc -c))); done
for f in "$ROOT"/web/dist/assets/*.css; do css_gz=$((css_gz + $(gzip -9c "$f" | wc -c))); done

# --- table ------------------------------------------------------------------------------------
mkdir -p "$RESULTS"
python3 - "$WORK" "$((WINDOW_S + 8))" "$js_gz" "$css_gz" <<'PY' | tee "$RESULTS/preview.md"
import json, sys
# `held`: how long each viewer's socket was held and counted (preview.mjs viewers).
work, held, js_gz, css_gz = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = [json.loads(l) for l in open(f"{work}/latency.jsonl") if l.strip()]
def cpu(n):
    d = json.load(open(f"{work}/cpu-{n}.json"))
    return d["groups"]["appliance"][0]["cpu_s"] / d["elapsed_s"] * 100
def received(n):
    if n == 0:
        return ""
    for line in open(f"{work}/viewers-{n}.out"):
        if line.startswith("{"):
            b = json.loads(line)["bytes_per_viewer"]
            return f"{min(b) * 8 / held / 1e6:.2f}-{max(b) * 8 / held / 1e6:.2f} Mbit/s each"
    return "?"
print("| preview | frames read | first picture after socket (ms) | after navigation (ms) | p50 (ms) | p90 (ms) | max (ms) |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['what']} | {r['frames']} ({r['unreadable']} unreadable) | {r['first_picture_after_socket_ms']} | {r['first_picture_after_navigation_ms']} | {r['p50_ms']} | {r['p90_ms']} | {r['max_ms']} |")
print()
base = cpu(0)
print("| preview sockets on one camera | appliance CPU (% of a core) | per viewer | received |")
print("|---|---|---|---|")
for n in (0, 1, 8):
    c = cpu(n)
    per = "" if n == 0 else f"{(c - base) / n:+.2f} %"
    print(f"| {n} | {c:.2f} | {per} | {received(n)} |")
print()
print(f"| console bundle (gzip -9) | JavaScript {js_gz / 1024:.1f} KB | CSS {css_gz / 1024:.1f} KB |")
print("|---|---|---|")
PY
