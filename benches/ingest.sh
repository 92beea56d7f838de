#!/usr/bin/env bash
# Ingest-cost benchmark (issue 2): what does VistterStream spend to ingest 8 cameras, next to
# 8 plain `ffmpeg -c copy` processes pulling the same streams?
#
#   cargo build --release -p vistterstream-sim && cargo build --release -p vistterstream
#   benches/ingest.sh
#
# Eight simulated cameras (target/release/vistter-sim, one process) loop a pre-encoded
# 720p30 ~2 Mbit/s H.264 + AAC clip over RTSP on 127.0.0.1, so the server costs almost no CPU.
#   phase A: the appliance ingests all 8 (added through its REST API);
#   phase B: 8 ffmpeg processes (`-rtsp_transport tcp -c copy -f null -`) pull the same 8.
# Each phase: wait until every stream flows, warm up, then measure over a window: CPU seconds
# (utime+stime from /proc/PID/stat) and resident memory (VmRSS sampled every 0.5 s, VmHWM at
# the end). The table goes to stdout and target/bench-results/ingest.md.
#
# Environment:
#   WARMUP_S=10 WINDOW_S=60      durations (e.g. WARMUP_S=3 WINDOW_S=10 for a smoke run)
#   CAMERAS=8                    number of cameras
#   BENCH_SKIP_APPLIANCE=1       run only the ffmpeg phase
#   BENCH_SKIP_FFMPEG=1          run only the appliance phase
#   APPLIANCE_BIN, SIM_BIN       binaries (default: target/release/vistterstream, vistter-sim)
#
# Needs ffmpeg, curl and python3 (standard library only). Everything stays on 127.0.0.1; every
# process started here is stopped by its pid on exit. Exits non-zero if a process died early.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WARMUP_S=${WARMUP_S:-10}
WINDOW_S=${WINDOW_S:-60}
CAMERAS=${CAMERAS:-8}
SIM_BIN=${SIM_BIN:-$ROOT/target/release/vistter-sim}
APPLIANCE_BIN=${APPLIANCE_BIN:-$ROOT/target/release/vistterstream}
SKIP_APPLIANCE=${BENCH_SKIP_APPLIANCE:-0}
SKIP_FFMPEG=${BENCH_SKIP_FFMPEG:-0}
ADMIN_PASSWORD=bench-admin-pw
ASSETS=$ROOT/target/bench-assets
RESULTS=$ROOT/target/bench-results
CLIP=$ASSETS/ingest-720p30-2mbps-30s.mp4
STREAM_TIMEOUT_S=90

log() { printf '[ingest %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "FAILED: $*"
  exit 1
}
for n in WARMUP_S WINDOW_S CAMERAS; do
  if ! [[ ${!n} =~ ^[0-9]+$ ]] || ((${!n} == 0)); then
    die "$n must be a positive integer (got '${!n}')"
  fi
done
for tool in ffmpeg python3 curl; do
  command -v "$tool" >/dev/null || die "$tool not found (scripts/setup.sh installs ffmpeg and curl)"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vistter-ingest.XXXXXX")
STARTED=() # every pid this script started, stopped on exit
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


# --- the clip ---------------------------------------------------------------------------------
make_clip() {
  [[ -s $CLIP ]] && return 0
  mkdir -p "$ASSETS"
  log "encoding the benchmark clip once: $CLIP"
  local tmp=$CLIP.partial.mp4
  ffmpeg -nostdin -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=1280x720:rate=30" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" \
    -t 30 -map 0:v -map 1:a \
    -c:v libx264 -preset medium -profile:v main -pix_fmt yuv420p -bf 0 \
    -g 60 -keyint_min 60 -sc_threshold 0 -b:v 2M -maxrate 2M -bufsize 2M \
    -c:a aac -b:a 128k -ac 2 -movflags +faststart "$tmp"
  mv "$tmp" "$CLIP"
}

# --- the cameras ------------------------------------------------------------------------------
SIM_PID=
URLS=()
start_sim() {
  [[ -x $SIM_BIN ]] || die "$SIM_BIN missing: cargo build --release -p vistterstream-sim"
  "$SIM_BIN" --cameras "$CAMERAS" --base-port 0 --file "$CLIP" \
    --width 1280 --height 720 --fps 30 >"$WORK/sim.out" 2>"$WORK/sim.log" &
  SIM_PID=$!
  STARTED+=("$SIM_PID")
  local i
  for ((i = 0; i < 300; i++)); do
    require_alive vistter-sim "$WORK/sim.log" "$SIM_PID"
    (($(grep -c '^camera ' "$WORK/sim.out" || true) >= CAMERAS)) && break
    sleep 0.1
  done
  mapfile -t URLS < <(awk '/^camera /{print $3}' "$WORK/sim.out")
  ((${#URLS[@]} == CAMERAS)) || die "vistter-sim announced ${#URLS[@]} of $CAMERAS cameras"
  log "vistter-sim (pid $SIM_PID) serves $CAMERAS cameras: ${URLS[0]} ..."
}

# --- measurement --------------------------------------------------------------------------------

# --- phase A: the appliance -------------------------------------------------------------------
appliance_frames() { # sum of frames_total over all cameras, or "" if not reported
  api GET /api/v1/cameras | json_field 'sum(c["status"]["frames_total"] for c in d) if all("frames_total" in c.get("status", {}) for c in d) else ""' || true
}

phase_appliance() {
  local pid i
  log "phase A: starting the appliance"
  start_appliance ingest
  pid=$APP_PID
  for ((i = 0; i < CAMERAS; i++)); do
    api POST /api/v1/cameras "{\"name\":\"cam$((i + 1))\",\"rtsp_url\":\"${URLS[i]}\"}" >/dev/null ||
      die "adding camera $((i + 1)) failed"
  done
  log "phase A: $CAMERAS cameras added, waiting until every one is streaming"
  local states=""
  for ((i = 0; ; i++)); do
    require_alive vistterstream "$APP_LOG" "$pid"
    require_alive vistter-sim "$WORK/sim.log" "$SIM_PID"
    states=$(api GET /api/v1/cameras | json_field '" ".join(c["name"] + "=" + c["status"]["state"] for c in d)') || states=""
    [[ $(grep -o '=streaming' <<<"$states" | wc -l) -eq $CAMERAS ]] && break
    ((i < STREAM_TIMEOUT_S)) || die "not every camera reached 'streaming' in ${STREAM_TIMEOUT_S} s: $states"
    sleep 1
  done

  log "phase A: all streaming; warming up ${WARMUP_S} s"
  interruptible sleep "$WARMUP_S"
  require_alive vistterstream "$APP_LOG" "$pid"
  local f0 f1
  f0=$(appliance_frames)
  log "phase A: measuring over ${WINDOW_S} s"
  sample "$WORK/appliance.json" "appliance=$pid" "sim=$SIM_PID"
  f1=$(appliance_frames)
  check_sample "$WORK/appliance.json"
  states=$(api GET /api/v1/cameras | json_field '" ".join(c["name"] + "=" + c["status"]["state"] for c in d)') || states="?"
  [[ $(grep -o '=streaming' <<<"$states" | wc -l) -eq $CAMERAS ]] ||
    log "warning: after the window not every camera is streaming: $states"
  if [[ -n $f0 && -n $f1 ]]; then echo $((f1 - f0)) >"$WORK/appliance.frames"; fi
  local kids
  kids=$(children_of "$pid" | wc -l)
  ((kids == 0)) || log "note: the appliance has $kids child process(es); only its own CPU and memory are counted"

  log "phase A: stopping the appliance"
  stop_pid "$pid"
}

# --- phase B: 8 x ffmpeg ----------------------------------------------------------------------
ffmpeg_frames() { # total frames received so far by all ffmpeg processes
  local i total=0 n
  for ((i = 0; i < CAMERAS; i++)); do
    n=$(grep -a '^frame=' "$WORK/ff$i.progress" 2>/dev/null | tail -n 1 | cut -d= -f2 | tr -d ' ')
    total=$((total + ${n:-0}))
  done
  echo "$total"
}

phase_ffmpeg() {
  log "phase B: starting $CAMERAS ffmpeg -c copy clients"
  local pids=() i pid
  for ((i = 0; i < CAMERAS; i++)); do
    # -progress only lets us check that frames flowed during the window (one line a second).
    ffmpeg -nostdin -loglevel error -rtsp_transport tcp -i "${URLS[i]}" -c copy -f null - \
      -progress "$WORK/ff$i.progress" -stats_period 1 >/dev/null 2>"$WORK/ff$i.log" &
    pid=$!
    pids+=("$pid")
    STARTED+=("$pid")
  done
  local waiting n
  for ((i = 0; ; i++)); do
    waiting=0
    for ((n = 0; n < CAMERAS; n++)); do
      require_alive "ffmpeg for ${URLS[n]}" "$WORK/ff$n.log" "${pids[n]}"
      grep -aq '^frame=[ ]*[1-9]' "$WORK/ff$n.progress" 2>/dev/null || waiting=$((waiting + 1))
    done
    ((waiting == 0)) && break
    ((i < STREAM_TIMEOUT_S * 10)) || die "$waiting ffmpeg client(s) received no frame in ${STREAM_TIMEOUT_S} s"
    sleep 0.1
  done

  log "phase B: all receiving; warming up ${WARMUP_S} s"
  interruptible sleep "$WARMUP_S"
  for ((i = 0; i < CAMERAS; i++)); do require_alive ffmpeg "$WORK/ff$i.log" "${pids[i]}"; done
  local f0 f1
  f0=$(ffmpeg_frames)
  log "phase B: measuring over ${WINDOW_S} s"
  sample "$WORK/ffmpeg.json" "ffmpeg=$(IFS=,; echo "${pids[*]}")" "sim=$SIM_PID"
  f1=$(ffmpeg_frames)
  check_sample "$WORK/ffmpeg.json"
  echo $((f1 - f0)) >"$WORK/ffmpeg.frames"
  for ((i = 0; i < CAMERAS; i++)); do
    if [[ -s $WORK/ff$i.log ]]; then
      log "ffmpeg $((i + 1)) logged errors:"
      head -n 5 "$WORK/ff$i.log" >&2
    fi
  done
  log "phase B: stopping ffmpeg"
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
}

# --- report ------------------------------------------------------------------------------------
report() {
  mkdir -p "$RESULTS"
  python3 - "$WORK" "$CAMERAS" "$WARMUP_S" "$WINDOW_S" "$SKIP_APPLIANCE" "$SKIP_FFMPEG" >"$RESULTS/ingest.md" <<'PY'
import json, os, platform, sys, time

work, cameras, warmup, window, skip_a, skip_b = sys.argv[1:7]
cameras = int(cameras)

def load(name):
    path = os.path.join(work, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)

def frames(name):
    try:
        with open(os.path.join(work, name + ".frames")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None

def mib(kb):
    return f"{kb / 1024:.1f}"

a, b = load("appliance"), load("ffmpeg")
cpu_a = sum(p["cpu_s"] for p in a["groups"]["appliance"]) * 60 / a["elapsed_s"] if a else None
cpu_b = sum(p["cpu_s"] for p in b["groups"]["ffmpeg"]) * 60 / b["elapsed_s"] if b else None

cpu_model = "?"
try:
    with open("/proc/cpuinfo") as f:
        cpu_model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
except (OSError, StopIteration):
    pass
debian = "?"
try:
    with open("/etc/debian_version") as f:
        debian = f.read().strip()
except OSError:
    pass

out = []
out.append(f"### Ingest cost, {cameras} cameras ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
out.append("")
out.append(f"Machine: {os.cpu_count()} cores ({cpu_model}), Debian {debian}, Linux {platform.release()}. "
           f"Load: {cameras} x 1280x720 30 fps H.264 main (no B-frames, GOP 60) ~2 Mbit/s + AAC, "
           f"looped by vistter-sim, RTSP over TCP on 127.0.0.1. Warm-up {warmup} s, window {window} s.")
out.append("")
out.append("| ingest of the cameras | CPU s/min | avg cores | CPU vs ffmpeg | peak RSS MiB | VmHWM MiB | peak PSS MiB |")
out.append("|---|---:|---:|---:|---:|---:|---:|")
if a:
    p = a["groups"]["appliance"][0]
    ratio = f"{cpu_a / cpu_b:.2f}x" if cpu_b else "n/a"
    out.append(f"| vistterstream (1 process) | {cpu_a:.1f} | {cpu_a / 60:.2f} | {ratio} | "
               f"{mib(p['peak_rss_kb'])} | {mib(p['hwm_kb'])} | {mib(p['peak_pss_kb'])} |")
else:
    out.append("| vistterstream (1 process) | not run | | | | | |")
if b:
    ps = b["groups"]["ffmpeg"]
    out.append(f"| {len(ps)} x ffmpeg -c copy (sum) | {cpu_b:.1f} | {cpu_b / 60:.2f} | 1.00x | "
               f"{mib(sum(p['peak_rss_kb'] for p in ps))} | {mib(sum(p['hwm_kb'] for p in ps))} | "
               f"{mib(sum(p['peak_pss_kb'] for p in ps))} |")
    one = max(p["cpu_s"] for p in ps) * 60 / b["elapsed_s"]
    out.append(f"| ffmpeg, one process (max) | {one:.1f} | {one / 60:.2f} | | "
               f"{mib(max(p['peak_rss_kb'] for p in ps))} | {mib(max(p['hwm_kb'] for p in ps))} | "
               f"{mib(max(p['peak_pss_kb'] for p in ps))} |")
else:
    out.append(f"| {cameras} x ffmpeg -c copy (sum) | not run | | | | | |")
out.append("")
out.append("CPU: utime+stime over the window. Peak RSS / PSS: highest of samples every 0.5 s in the "
           "window; VmHWM: peak RSS over the process's whole life. RSS counts shared library pages "
           "in every process" + (f" (so the ffmpeg sum counts libav* {cameras} times)" if b else "")
           + "; PSS shares them out.")
out.append("")
notes = []
for name, data, label, what in (
    ("appliance", a, "vistterstream", "frames/s per camera (its `frames_total`)"),
    ("ffmpeg", b, "ffmpeg", "video frames/s per camera"),
):
    if not data:
        continue
    sim = data["groups"]["sim"][0]
    n = frames(name)
    rate = f"{n / data['elapsed_s'] / cameras:.1f} {what}" if n is not None else "frames not reported"
    notes.append(f"- {label} phase: window {data['elapsed_s']:.1f} s, {rate} received; "
                 f"vistter-sim itself used {sim['cpu_s'] * 60 / data['elapsed_s']:.1f} CPU s/min; "
                 f"the whole machine {data['machine_cpu_s_per_min']:.1f} CPU s/min "
                 f"({data['machine_busy'] * 100:.0f}% busy: anything far above the rows above means "
                 f"something else ran, e.g. a compile).")
out.extend(notes)
print("\n".join(out))
PY
  cat "$RESULTS/ingest.md"
  log "written to $RESULTS/ingest.md"
}

# --- main ---------------------------------------------------------------------------------------
[[ $SKIP_APPLIANCE == 1 && $SKIP_FFMPEG == 1 ]] && die "both phases skipped"
make_clip
start_sim
[[ $SKIP_APPLIANCE == 1 ]] || phase_appliance
[[ $SKIP_FFMPEG == 1 ]] || phase_ffmpeg
require_alive vistter-sim "$WORK/sim.log" "$SIM_PID"
report
