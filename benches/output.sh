#!/usr/bin/env bash
# Output benchmark (issue 3): what does VistterStream spend to put a camera on air, next to
# the ffmpeg commands that do the same job, and how fast do starts and cuts reach the ingest?
#
#   cargo build --release -p vistterstream-sim && cargo build --release -p vistterstream
#   benches/output.sh
#
# One run, three measurements, everything on 127.0.0.1 against our own nginx-rtmp:
#   relay    the appliance relaying one 720p30 camera (mode "relay"), measured as a whole
#            process (it ingests the camera and relays it), vs
#            `ffmpeg -rtsp_transport tcp -i CAM -f lavfi -i anullsrc=... -c:v copy -c:a aac -f flv`
#            (which also ingests).                              target: <= 0.7x ffmpeg's CPU
#   program  the appliance in program mode, 1280x720@30, 3000 kbit/s, x264 ultrafast (the
#            default profile; encoder forced to x264), optionally with one PNG overlay, vs the
#            seed system's ffmpeg command for the same (seed-system.md 6.1).
#                                     target: <= 1.0x its CPU and <= 0.5x its peak RSS
#   latency  start latency (POST /outputs/{id}/start response -> first frame at the ingest,
#            3 start/stop cycles) and cut latency (POST /outputs/{id}/cut sent -> first frame
#            of the new camera at the ingest, 10 alternating cuts between two cameras whose
#            pictures differ in colour), plus the measuring chain's own delay (an ffmpeg
#            zerolatency publisher switching colour, same receiver).
#                                     targets: cut <= 100 ms, start <= 2 s
# CPU: utime+stime from /proc/PID/stat over the window; memory: VmRSS sampled every 0.5 s,
# VmHWM (lifetime peak) and Pss at the end. Table: stdout and target/bench-results/output.md.
#
# Environment:
#   WARMUP_S=10 WINDOW_S=60        durations of the CPU phases (WARMUP_S=3 WINDOW_S=10: smoke)
#   PHASES="relay program latency" which measurements to run
#   BENCH_SKIP_APPLIANCE=1         relay/program: run only the ffmpeg side
#   BENCH_SKIP_FFMPEG=1            relay/program: run only the appliance side
#   OVERLAY=1                      program: upload a PNG (POST /api/v1/assets) and put it on the
#                                  output (PUT /api/v1/outputs/{id}/overlays); if the API is not
#                                  there (404) a note is printed and the phase runs without
#   SEED_OVERLAY=0|1               program: the seed ffmpeg with or without the overlay
#                                  (default: whatever the appliance got, so like is compared
#                                  with like)
#   CUTS=10 START_CYCLES=3         latency: number of cuts and of start/stop cycles
#   APPLIANCE_BIN, SIM_BIN         binaries (default: target/release/vistterstream, vistter-sim)
#
# Needs ffmpeg, nginx with the RTMP module, curl and python3 (standard library only). Every
# process started here is stopped by its pid (nginx: by its own process group) on exit; the
# latency helper's ffmpeg children are its own and die with it (setpriv --pdeathsig).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WARMUP_S=${WARMUP_S:-10}
WINDOW_S=${WINDOW_S:-60}
PHASES=${PHASES:-relay program latency}
CUTS=${CUTS:-10}
START_CYCLES=${START_CYCLES:-3}
OVERLAY=${OVERLAY:-0}
SEED_OVERLAY=${SEED_OVERLAY:-}
SIM_BIN=${SIM_BIN:-$ROOT/target/release/vistter-sim}
APPLIANCE_BIN=${APPLIANCE_BIN:-$ROOT/target/release/vistterstream}
SKIP_APPLIANCE=${BENCH_SKIP_APPLIANCE:-0}
SKIP_FFMPEG=${BENCH_SKIP_FFMPEG:-0}
ADMIN_PASSWORD=bench-admin-pw
ASSETS=$ROOT/target/bench-assets
RESULTS=$ROOT/target/bench-results
CLIP=$ASSETS/ingest-720p30-2mbps-30s.mp4 # shared with benches/ingest.sh
CLIP_A=$ASSETS/output-cam-a-green-720p30-20s.mp4
CLIP_B=$ASSETS/output-cam-b-magenta-720p30-20s.mp4
LOGO=$ASSETS/output-logo-400x160.png
STREAM_TIMEOUT_S=90
# The default output profile, spelled out (the issue's numbers).
PROFILE='{"width":1280,"height":720,"fps":30,"video_bitrate_kbps":3000,"x264_preset":"ultrafast"}'

log() { printf '[output %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "FAILED: $*"
  exit 1
}
for n in WARMUP_S WINDOW_S CUTS START_CYCLES; do
  if ! [[ ${!n} =~ ^[0-9]+$ ]] || ((${!n} == 0)); then
    die "$n must be a positive integer (got '${!n}')"
  fi
done
for p in $PHASES; do
  [[ $p == relay || $p == program || $p == latency ]] || die "unknown phase '$p' in PHASES"
done
[[ -z $SEED_OVERLAY || $SEED_OVERLAY == 0 || $SEED_OVERLAY == 1 ]] || die "SEED_OVERLAY must be 0 or 1"
for tool in ffmpeg python3 curl nginx; do
  command -v "$tool" >/dev/null || die "$tool not found (scripts/setup.sh installs ffmpeg, nginx, curl)"
done
[[ -e /usr/lib/nginx/modules/ngx_rtmp_module.so ]] ||
  die "nginx RTMP module missing (scripts/setup.sh installs libnginx-mod-rtmp)"
phase_on() { [[ " $PHASES " == *" $1 "* ]]; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vistter-output.XXXXXX")
STARTED=() # every pid this script started, stopped on exit
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
NGINX_PID=

stop_nginx() { # nginx runs in a process group of its own (setsid): master and workers go together
  [[ -n $NGINX_PID ]] || return 0
  local pid=$NGINX_PID i
  NGINX_PID=
  forget "$pid"
  if ours "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  # The group's id cannot be reused while any member lives: this only reaches our workers.
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  stop_nginx
  for pid in "${STARTED[@]}"; do stop_pid "$pid"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


# --- assets (made once, cached in target/bench-assets) ----------------------------------------
encode_clip() { # encode_clip OUT LAVFI_VIDEO SECONDS PRESET
  local out=$1 video=$2 secs=$3 preset=$4
  [[ -s $out ]] && return 0
  mkdir -p "$ASSETS"
  log "encoding a benchmark clip once: $out"
  local tmp=$out.partial.mp4
  interruptible ffmpeg -nostdin -hide_banner -loglevel error -y \
    -f lavfi -i "$video" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" \
    -t "$secs" -map 0:v -map 1:a \
    -c:v libx264 -preset "$preset" -profile:v main -pix_fmt yuv420p -bf 0 \
    -g 60 -keyint_min 60 -sc_threshold 0 -b:v 2M -maxrate 2M -bufsize 2M \
    -c:a aac -b:a 128k -ac 2 -movflags +faststart "$tmp"
  mv "$tmp" "$out"
}
make_assets() {
  # The ingest benchmark's clip (same command, same cache file): relay and program phases.
  encode_clip "$CLIP" "testsrc2=size=1280x720:rate=30" 30 medium
  if phase_on latency; then
    # Two cameras told apart by colour: the top half of the picture is solid green (A) or
    # magenta (B); the bottom half is testsrc2, so there is motion to encode.
    encode_clip "$CLIP_A" "testsrc2=size=1280x720:rate=30,drawbox=x=0:y=0:w=iw:h=ih/2:color=0x00C000:t=fill" 20 veryfast
    encode_clip "$CLIP_B" "testsrc2=size=1280x720:rate=30,drawbox=x=0:y=0:w=iw:h=ih/2:color=0xC000C0:t=fill" 20 veryfast
  fi
  if [[ ! -s $LOGO ]]; then
    mkdir -p "$ASSETS"
    # A 400x160 RGBA logo: a gradient diamond on a transparent background.
    ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi \
      -i "nullsrc=size=400x160,format=rgba,geq=r='255*X/W':g='128':b='255-255*Y/H':a='if(lt(abs(X-200)/2+abs(Y-80),70),255,0)'" \
      -frames:v 1 "$LOGO.partial.png"
    mv "$LOGO.partial.png" "$LOGO"
  fi
}

# --- the cameras ------------------------------------------------------------------------------
start_sim() { # start_sim NAME CLIP: one camera; sets SIM_<NAME>_PID and URL_<NAME>
  local name=$1 clip=$2 pid i url
  [[ -x $SIM_BIN ]] || die "$SIM_BIN missing: cargo build --release -p vistterstream-sim"
  "$SIM_BIN" --cameras 1 --base-port 0 --file "$clip" \
    --width 1280 --height 720 --fps 30 >"$WORK/sim-$name.out" 2>"$WORK/sim-$name.log" &
  pid=$!
  STARTED+=("$pid")
  for ((i = 0; i < 300; i++)); do
    require_alive "vistter-sim $name" "$WORK/sim-$name.log" "$pid"
    grep -q '^camera ' "$WORK/sim-$name.out" && break
    sleep 0.1
  done
  url=$(awk '/^camera /{print $3; exit}' "$WORK/sim-$name.out")
  [[ -n $url ]] || die "vistter-sim $name announced no camera"
  printf -v "SIM_${name}_PID" '%s' "$pid"
  printf -v "URL_${name}" '%s' "$url"
  log "vistter-sim $name (pid $pid) serves $(basename "$clip") at $url"
}

# --- nginx-rtmp ---------------------------------------------------------------------------------
NGINX_RTMP=
NGINX_HTTP=
start_nginx() {
  local dir=$WORK/nginx i user=""
  mkdir -p "$dir/logs" "$dir/tmp"
  NGINX_RTMP=$(free_port)
  NGINX_HTTP=$(free_port)
  ((EUID == 0)) && user="user root;"
  # live on: players get what is published as it arrives; wait_key/wait_video: a player starts
  # at a keyframe. No recording: only the live path is exercised.
  cat >"$dir/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off; master_process on; worker_processes 1; $user
pid $dir/nginx.pid; error_log $dir/logs/error.log info;
events { worker_connections 256; }
rtmp { server { listen 127.0.0.1:$NGINX_RTMP; chunk_size 4096;
  application live { live on; record off; wait_key on; wait_video on;
    allow publish 127.0.0.1; deny publish all; allow play 127.0.0.1; deny play all; } } }
http { access_log off; client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp; uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  server { listen 127.0.0.1:$NGINX_HTTP; location /stat { rtmp_stat all; } } }
EOF
  # setsid: a process group of its own, so master and worker are stopped together.
  setsid nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/logs/error.log" </dev/null >/dev/null 2>&1 &
  NGINX_PID=$!
  STARTED+=("$NGINX_PID")
  for ((i = 0; ; i++)); do
    require_alive nginx "$dir/logs/error.log" "$NGINX_PID"
    [[ $(curl --noproxy '*' -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$NGINX_HTTP/stat") == 200 ]] &&
      (exec 3<>"/dev/tcp/127.0.0.1/$NGINX_RTMP") 2>/dev/null && break
    ((i < 100)) || die "nginx-rtmp did not listen within 10 s"
    sleep 0.1
  done
  log "nginx-rtmp (pid $NGINX_PID) on rtmp://127.0.0.1:$NGINX_RTMP/live, /stat on :$NGINX_HTTP"
}
nginx_pids() { # master and workers, comma-separated
  local pids
  pids=$(
    echo "$NGINX_PID"
    children_of "$NGINX_PID"
  )
  tr '\n' ',' <<<"$pids" | sed 's/,*$//'
}
rtmp_url() { echo "rtmp://127.0.0.1:$NGINX_RTMP/live/$1"; }
nginx_bytes() { # nginx_bytes KEY: bytes nginx received so far on stream KEY, or ""
  { curl --noproxy '*' -s --max-time 5 "http://127.0.0.1:$NGINX_HTTP/stat" || true; } | python3 -c '
import sys, xml.etree.ElementTree as ET
try:
    root = ET.fromstring(sys.stdin.read())
except ET.ParseError:
    root = None
for s in (root.iter("stream") if root is not None else []):
    if s.findtext("name") == sys.argv[1]:
        print(s.findtext("bytes_in") or "")
        break
else:
    print("")' "$1"
}

# --- measurement --------------------------------------------------------------------------------
# sample OUT.json GROUP=PID[,PID...]...: CPU and memory of each pid over WINDOW_S seconds
# (the same sampler as benches/ingest.sh).
# measure NAME KEY PID FRAMES_FN [ARG]: sample PID (with the camera and nginx beside it) over
# the window; FRAMES_FN ARG prints the frames sent so far. Writes NAME.json and NAME.meta.json.
measure() {
  local name=$1 key=$2 pid=$3 frames_fn=$4 arg=${5:-} f0 f1 b0 b1 t0 t1 kids
  t0=$(date +%s.%N)
  f0=$("$frames_fn" "$arg")
  b0=$(nginx_bytes "$key")
  log "$name: measuring over ${WINDOW_S} s"
  sample "$WORK/$name.json" "subject=$pid" "sim=$SIM_M_PID" "nginx=$(nginx_pids)"
  f1=$("$frames_fn" "$arg")
  b1=$(nginx_bytes "$key")
  t1=$(date +%s.%N)
  check_sample "$WORK/$name.json"
  kids=$(children_of "$pid" | wc -l)
  ((kids == 0)) || log "note: $name has $kids child process(es); only its own CPU and memory are counted"
  python3 - "$WORK/$name.meta.json" "$f0" "$f1" "$b0" "$b1" "$kids" "$t0" "$t1" <<'PY'
import json, sys
out, f0, f1, b0, b1, kids, t0, t1 = sys.argv[1:]
num = lambda s: int(s) if s.strip().lstrip("-").isdigit() else None
frames = num(f1) - num(f0) if num(f0) is not None and num(f1) is not None else None
nbytes = num(b1) - num(b0) if num(b0) is not None and num(b1) is not None else None
with open(out, "w") as f:
    # span_s: from before the first counter reads to after the last (the rates' denominator)
    json.dump({"frames": frames, "bytes_in": nbytes, "children": int(kids),
               "span_s": (float(t1) - float(t0)) or 1.0}, f)
PY
}
ffmpeg_frames() { # ffmpeg_frames PROGRESS_FILE: frames sent so far
  local n
  n=$(grep -a '^frame=' "$1" 2>/dev/null | tail -n 1 | cut -d= -f2 | tr -d ' ')
  echo "${n:-0}"
}
ffmpeg_mapping() { # ffmpeg_mapping LOG NAME: keep ffmpeg's stream mapping for the report
  sed -n '/^Stream mapping:/,/^Press \|^Output #\|^\[/p' "$1" | grep -- '->' >"$WORK/$2.mapping" || true
}

# --- the appliance ------------------------------------------------------------------------------
API=
TOKEN=
APP_PID=
APP_LOG=
add_camera() { # add_camera NAME URL: prints the id once the camera is streaming
  local id state i
  id=$(api POST /api/v1/cameras "{\"name\":\"$1\",\"rtsp_url\":\"$2\"}" | json_field 'd["id"]') ||
    die "adding camera $1 failed"
  for ((i = 0; ; i++)); do
    require_alive vistterstream "$APP_LOG" "$APP_PID"
    state=$(api GET "/api/v1/cameras/$id" | json_field 'd["status"]["state"]') || state="?"
    [[ $state == streaming ]] && break
    ((i < STREAM_TIMEOUT_S * 5)) || die "camera $1 not streaming after ${STREAM_TIMEOUT_S} s (state $state)"
    sleep 0.2
  done
  echo "$id"
}
add_destination() { # add_destination NAME KEY: prints the id
  api POST /api/v1/destinations \
    "{\"name\":\"$1\",\"platform\":\"custom\",\"server_url\":\"rtmp://127.0.0.1:$NGINX_RTMP/live\",\"stream_key\":\"$2\"}" |
    json_field 'd["id"]' || die "adding destination $1 failed"
}
create_output() { # create_output JSON: prints the id
  api POST /api/v1/outputs "$1" | json_field 'd["id"]' || die "creating the output failed: $1"
}
wait_output() { # wait_output ID WHAT PYEXPR: poll GET /outputs/ID until PYEXPR (on `d`) holds
  local id=$1 what=$2 expr=$3 i ok view
  for ((i = 0; ; i++)); do
    require_alive vistterstream "$APP_LOG" "$APP_PID"
    view=$(api GET "/api/v1/outputs/$id") || view='{}'
    ok=$(json_field "bool($expr)" <<<"$view" 2>/dev/null) || ok=False
    [[ $ok == True ]] && return 0
    ((i < STREAM_TIMEOUT_S * 5)) || die "output $id: $what not reached in ${STREAM_TIMEOUT_S} s; last view: $view"
    sleep 0.2
  done
}
LIVE_EXPR='d["status"]["state"] == "live" and d["status"]["destinations"] and all(x["state"] == "live" for x in d["status"]["destinations"])'
appliance_frames() { # appliance_frames OUTPUT_ID: status.frames_total, or ""
  api GET "/api/v1/outputs/$1" | json_field 'd["status"]["frames_total"]' || true
}
OVERLAY_APPLIED=0
add_overlay() { # add_overlay OUTPUT_ID: upload the logo and put it on the output, if the API exists
  local body status asset
  body=$(curl --noproxy '*' -sS --max-time 30 -H "Authorization: Bearer $TOKEN" \
    -F "file=@$LOGO;type=image/png" -F name=logo -w '\n%{http_code}' "$API/api/v1/assets") ||
    die "uploading the overlay asset failed"
  status=${body##*$'\n'}
  body=${body%$'\n'*}
  if [[ $status == 404 ]]; then
    log "note: POST /api/v1/assets -> 404: this build has no asset API; the program phase runs WITHOUT an overlay"
    return 0
  fi
  [[ $status == 2?? ]] || die "POST /api/v1/assets -> HTTP $status: $body"
  asset=$(json_field 'd["id"]' <<<"$body") || die "no id in the asset upload's answer: $body"
  if ! api PUT "/api/v1/outputs/$1/overlays" \
    "[{\"asset_id\":$asset,\"x\":0.02,\"y\":0.02,\"width\":0.2,\"opacity\":1.0,\"z\":1,\"visible\":true}]" >/dev/null; then
    [[ $(cat "$WORK/api.status" 2>/dev/null) == 404 ]] || die "PUT /api/v1/outputs/$1/overlays failed"
    log "note: PUT /api/v1/outputs/$1/overlays -> 404: the program phase runs WITHOUT an overlay"
    return 0
  fi
  OVERLAY_APPLIED=1
  log "overlay: asset $asset on output $1 (x 0.02, y 0.02, width 0.2 of the picture)"
}
stop_appliance() {
  log "stopping the appliance (pid $APP_PID)"
  stop_pid "$APP_PID"
  APP_PID=
}

# --- relay --------------------------------------------------------------------------------------
relay_appliance() {
  local key=relay-appliance cam dest out
  start_appliance relay
  cam=$(add_camera cam "$URL_M")
  dest=$(add_destination ingest "$key")
  out=$(create_output "{\"name\":\"Relay\",\"mode\":\"relay\",\"camera_id\":$cam,\"destination_ids\":[$dest]}")
  api POST "/api/v1/outputs/$out/start" '{}' >/dev/null || die "starting the relay failed"
  wait_output "$out" "relay live at the ingest" "$LIVE_EXPR"
  log "relay/appliance: live; warming up ${WARMUP_S} s"
  interruptible sleep "$WARMUP_S"
  measure relay-appliance "$key" "$APP_PID" appliance_frames "$out"
  wait_output "$out" "still live after the window" "$LIVE_EXPR"
  stop_appliance
}
relay_ffmpeg() {
  local key=relay-ffmpeg pid i progress=$WORK/relay-ffmpeg.progress
  log "relay/ffmpeg: starting ffmpeg -c:v copy -c:a aac"
  ffmpeg -nostdin -hide_banner -nostats -loglevel info -progress "$progress" -stats_period 1 \
    -rtsp_transport tcp -i "$URL_M" \
    -f lavfi -i anullsrc=channel_layout=stereo:sample_rate=48000 \
    -c:v copy -c:a aac -f flv "$(rtmp_url "$key")" \
    >/dev/null 2>"$WORK/relay-ffmpeg.log" &
  pid=$!
  STARTED+=("$pid")
  for ((i = 0; ; i++)); do
    require_alive "ffmpeg relay" "$WORK/relay-ffmpeg.log" "$pid"
    (($(ffmpeg_frames "$progress") > 0)) && break
    ((i < STREAM_TIMEOUT_S * 10)) || die "ffmpeg relay sent no frame in ${STREAM_TIMEOUT_S} s"
    sleep 0.1
  done
  log "relay/ffmpeg: sending; warming up ${WARMUP_S} s"
  interruptible sleep "$WARMUP_S"
  require_alive "ffmpeg relay" "$WORK/relay-ffmpeg.log" "$pid"
  measure relay-ffmpeg "$key" "$pid" ffmpeg_frames "$progress"
  ffmpeg_mapping "$WORK/relay-ffmpeg.log" relay-ffmpeg
  stop_pid "$pid"
}

# --- program ------------------------------------------------------------------------------------
program_appliance() {
  local key=program-appliance cam dest out
  start_appliance program
  cam=$(add_camera cam "$URL_M")
  dest=$(add_destination ingest "$key")
  out=$(create_output "{\"name\":\"Program\",\"mode\":\"program\",\"encoder\":\"x264\",\"profile\":$PROFILE,\"camera_id\":$cam,\"destination_ids\":[$dest]}")
  [[ $OVERLAY == 1 ]] && add_overlay "$out"
  api POST "/api/v1/outputs/$out/start" '{}' >/dev/null || die "starting the program failed"
  wait_output "$out" "program live with the camera on screen" \
    "$LIVE_EXPR and d['status']['showing'].get('camera_id') == $cam"
  api GET "/api/v1/outputs/$out" | json_field 'd["status"].get("encoder") or "?"' >"$WORK/program-appliance.encoder" || true
  log "program/appliance: live (encoder $(cat "$WORK/program-appliance.encoder")); warming up ${WARMUP_S} s"
  interruptible sleep "$WARMUP_S"
  measure program-appliance "$key" "$APP_PID" appliance_frames "$out"
  wait_output "$out" "still live after the window" "$LIVE_EXPR"
  stop_appliance
}
program_ffmpeg() {
  local key=program-ffmpeg pid i progress=$WORK/program-ffmpeg.progress overlay=$1
  local graph=()
  if [[ $overlay == 1 ]]; then
    graph=(-loop 1 -i "$LOGO" -f lavfi -i anullsrc=channel_layout=stereo:sample_rate=44100
      -filter_complex "[0:v]scale=1280:720[base];[1:v]scale=256:-1[s0];[base][s0]overlay=x=26:y=14[out]"
      -map "[out]" -map 2:a)
  else
    graph=(-f lavfi -i anullsrc=channel_layout=stereo:sample_rate=44100
      -vf scale=1280:720 -map 0:v -map 1:a)
  fi
  log "program/ffmpeg: starting the seed system's command ($([[ $overlay == 1 ]] && echo with || echo without) overlay)"
  ffmpeg -nostdin -hide_banner -nostats -loglevel info -progress "$progress" -stats_period 1 \
    -re -rtsp_transport tcp -timeout 5000000 -i "$URL_M" "${graph[@]}" \
    -c:v libx264 -preset ultrafast -tune zerolatency -threads 4 -r 30 \
    -b:v 3000k -maxrate 3000k -bufsize 6000k -g 60 -profile:v main \
    -c:a aac -b:a 128k -ar 44100 -f flv "$(rtmp_url "$key")" \
    >/dev/null 2>"$WORK/program-ffmpeg.log" &
  pid=$!
  STARTED+=("$pid")
  for ((i = 0; ; i++)); do
    require_alive "ffmpeg program" "$WORK/program-ffmpeg.log" "$pid"
    (($(ffmpeg_frames "$progress") > 0)) && break
    ((i < STREAM_TIMEOUT_S * 10)) || die "ffmpeg program sent no frame in ${STREAM_TIMEOUT_S} s"
    sleep 0.1
  done
  log "program/ffmpeg: sending; warming up ${WARMUP_S} s"
  interruptible sleep "$WARMUP_S"
  require_alive "ffmpeg program" "$WORK/program-ffmpeg.log" "$pid"
  measure program-ffmpeg "$key" "$pid" ffmpeg_frames "$progress"
  ffmpeg_mapping "$WORK/program-ffmpeg.log" program-ffmpeg
  stop_pid "$pid"
}

# --- latency ------------------------------------------------------------------------------------
latency() {
  local cam_a cam_b dest out key=cut rc=0
  start_sim A "$CLIP_A"
  start_sim B "$CLIP_B"
  start_appliance latency
  cam_a=$(add_camera green "$URL_A")
  cam_b=$(add_camera magenta "$URL_B")
  dest=$(add_destination ingest "$key")
  # Both are standby cameras, decoded all along, so no cut needs a decoder start. The camera
  # on air changes with every cut, and one that is neither on air nor standby is stopped
  # after the cut grace (2.5 s): with only B as standby, every other cut (back to A) started
  # a decoder and waited for its first live picture.
  out=$(create_output "{\"name\":\"Cuts\",\"mode\":\"program\",\"encoder\":\"x264\",\"profile\":$PROFILE,\"camera_id\":$cam_a,\"standby_camera_ids\":[$cam_a,$cam_b],\"destination_ids\":[$dest]}")
  log "latency: $START_CYCLES start/stop cycles, $CUTS cuts, then the receiver's baseline"
  interruptible python3 - "$WORK/latency.json" "$(
    python3 -c 'import json, sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
      api "$API" token "$TOKEN" output_id "$out" cam_a "$cam_a" cam_b "$cam_b" key "$key" \
      rtmp_port "$NGINX_RTMP" http_port "$NGINX_HTTP" cuts "$CUTS" cycles "$START_CYCLES" logdir "$WORK"
  )" <<'PY' || rc=$?
import bisect, collections, json, os, random, shutil, signal, statistics, subprocess, sys
import threading, time, urllib.error, urllib.request, xml.etree.ElementTree as ET

out_path, cfg = sys.argv[1], json.loads(sys.argv[2])
API, TOKEN, OUT = cfg["api"], cfg["token"], int(cfg["output_id"])
CAM = {"A": int(cfg["cam_a"]), "B": int(cfg["cam_b"])}
RTMP = f"rtmp://127.0.0.1:{cfg['rtmp_port']}/live"
STAT = f"http://127.0.0.1:{cfg['http_port']}/stat"
CUTS, CYCLES, LOGDIR = int(cfg["cuts"]), int(cfg["cycles"]), cfg["logdir"]
W, H = 32, 18  # the receiver scales every picture down to this, RGB24
FRAME = W * H * 3
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# Our ffmpeg children die with us even on SIGKILL (the parent-death signal).
PDEATH = ["setpriv", "--pdeathsig", "KILL"] if shutil.which("setpriv") else []
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
children = []
now = time.monotonic

class Fail(Exception):
    pass

def log(msg):
    print(f"[output {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

def call(method, path, body=None):
    req = urllib.request.Request(API + path, data=json.dumps(body or {}).encode(), method=method,
                                 headers={"Authorization": f"Bearer {TOKEN}",
                                          "Content-Type": "application/json"})
    try:
        with opener.open(req, timeout=30) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise Fail(f"{method} {path} -> HTTP {e.code}: {e.read()[:300]!r}") from None

def spawn(args, **kw):
    p = subprocess.Popen(PDEATH + args, **kw)
    children.append(p)
    return p

def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

def classify(buf):
    """Mean colour of the top third of the picture (1-pixel margin at 32x18): the cameras' top
    half is solid green (A) or magenta (B); the slate is navy; anything else is 'other'."""
    r = g = b = n = 0
    for y in range(1, 7):
        row = y * W * 3
        for x in range(1, W - 1):
            i = row + x * 3
            r += buf[i]; g += buf[i + 1]; b += buf[i + 2]; n += 1
    r, g, b = r / n, g / n, b / n
    if g > 110 and r < 90 and b < 90:
        cls = "A"
    elif r > 110 and b > 110 and g < 90:
        cls = "B"
    elif b > r + 25 and b < 140 and g < 100 and r < 70:
        cls = "slate"
    else:
        cls = "other"
    return cls, (round(r), round(g), round(b))

class Receiver:
    """ffmpeg playing rtmp://.../live/KEY from nginx, decoding every frame to a 32x18 RGB24
    picture on stdout (flushed per frame); a thread timestamps each one as its last byte
    arrives (time.monotonic) and classifies it."""

    def __init__(self, key, name):
        self.args = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
                     # decoder: one thread (frame threads would hold frames back), low delay;
                     # probing: stop at the first packets, no frame-rate analysis
                     "-threads", "1", "-flags", "low_delay",
                     "-probesize", "32768", "-analyzeduration", "100000", "-fpsprobesize", "0",
                     "-rtmp_live", "live", "-i", f"{RTMP}/{key}",
                     "-an", "-sn", "-vf", f"scale={W}:{H}", "-pix_fmt", "rgb24",
                     # every decoded frame out, on FLV's millisecond clock (1/30 s would
                     # collide on the rounded FLV timestamps and the muxer would drop frames)
                     "-fps_mode", "passthrough", "-enc_time_base", "-1",
                     "-flush_packets", "1", "-f", "rawvideo", "pipe:1"]
        self.log = open(os.path.join(LOGDIR, f"receiver-{name}.log"), "wb")
        self.proc = spawn(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=self.log, bufsize=0)
        self.times, self.frames = [], []  # arrival time; (class, mean rgb)
        self.cond = threading.Condition()
        self.eof = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        buf = bytearray()
        while True:
            chunk = self.proc.stdout.read(FRAME - len(buf))
            if not chunk:
                break
            buf += chunk
            if len(buf) == FRAME:
                t = now()
                c = classify(buf)
                with self.cond:
                    self.times.append(t)
                    self.frames.append(c)
                    self.cond.notify_all()
                buf = bytearray()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def first(self, after, want=None, timeout=30.0):
        """(time, class) of the first frame arriving after `after` whose class is in `want`
        (None: any), waiting up to `timeout`; None if there is none."""
        deadline = now() + timeout
        with self.cond:
            i = bisect.bisect_right(self.times, after)
            while True:
                while i < len(self.times):
                    if want is None or self.frames[i][0] in want:
                        return self.times[i], self.frames[i][0]
                    i += 1
                left = deadline - now()
                if left <= 0 or self.eof:
                    return None
                self.cond.wait(left)

    def between(self, t0, t1):
        with self.cond:
            i, j = bisect.bisect_right(self.times, t0), bisect.bisect_left(self.times, t1)
            return collections.Counter(c for c, _ in self.frames[i:j])

    def last_class(self):
        with self.cond:
            return self.frames[-1][0] if self.frames else None

    def count(self):
        with self.cond:
            return len(self.times)

    def close(self):
        # SIGKILL: once running, ffmpeg only leaves a blocking RTMP read on a second SIGTERM,
        # and what it would still write no longer matters.
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.thread.join(5)
        self.log.close()

def players(key):
    """Players of stream KEY according to nginx's /stat."""
    try:
        root = ET.fromstring(opener.open(STAT, timeout=5).read())
    except Exception:
        return 0
    for s in root.iter("stream"):
        if s.findtext("name") == key:
            return sum(1 for c in s.findall("client") if c.find("publishing") is None)
    return 0

notes = []

def wait_player(key, rx):
    deadline = now() + 10
    while now() < deadline:
        if rx.proc.poll() is not None:
            raise Fail(f"the receiver for {key} exited (see receiver log): "
                             + open(rx.log.name, "rb").read()[-500:].decode(errors="replace"))
        if players(key) > 0:
            return
        time.sleep(0.05)
    notes.append(f"nginx /stat never listed the receiver of '{key}' as a player; went on after 10 s")

def ms(x):
    return None if x is None else round(x * 1000, 1)

result = {"receiver": None, "start": [], "cuts": [], "baseline": {}, "notes": notes}
key = cfg["key"]
try:
    # ---- start latency: START_CYCLES x (receiver waiting, POST start, first frame, stop) ----
    rx = None
    for cycle in range(CYCLES):
        rx = Receiver(key, f"start{cycle + 1}")
        result["receiver"] = " ".join(rx.args)
        wait_player(key, rx)
        time.sleep(0.3)
        t_req = now()
        call("POST", f"/api/v1/outputs/{OUT}/start")
        t_resp = now()
        first = rx.first(t_req, None, 30)
        cam = rx.first(t_req, {"A"}, 30)
        entry = {"cycle": cycle + 1, "request_ms": ms(t_resp - t_req),
                 "first_frame_ms": ms(first[0] - t_resp) if first else None,
                 "first_frame_class": first[1] if first else None,
                 "first_camera_frame_ms": ms(cam[0] - t_resp) if cam else None}
        result["start"].append(entry)
        log(f"start {cycle + 1}: POST took {entry['request_ms']} ms; first frame "
            f"({entry['first_frame_class']}) {entry['first_frame_ms']} ms, first camera frame "
            f"{entry['first_camera_frame_ms']} ms after the response")
        if cycle < CYCLES - 1:
            time.sleep(2)
            call("POST", f"/api/v1/outputs/{OUT}/stop")
            rx.close()
            time.sleep(1)

    # ---- cut latency: alternate A -> B -> A ... on the running output ----
    time.sleep(3)  # A steady on air, B decoded as standby
    current = rx.last_class()
    if current != "A":
        notes.append(f"before the first cut the picture was classed '{current}', not camera A")
    current = "A"
    for i in range(CUTS):
        target = "B" if current == "A" else "A"
        time.sleep(1.5 + random.random() * 0.5)  # off the frame grid
        before = rx.last_class()
        t0 = now()
        call("POST", f"/api/v1/outputs/{OUT}/cut", {"camera_id": CAM[target]})
        t1 = now()
        hit = rx.first(t0, {target}, 10)
        entry = {"cut": i + 1, "to": target, "before": before, "request_ms": ms(t1 - t0),
                 "latency_ms": ms(hit[0] - t0) if hit else None,
                 "after_response_ms": ms(hit[0] - t1) if hit else None}
        if hit:
            entry["frames_in_between"] = dict(rx.between(t0, hit[0]))
        else:
            notes.append(f"cut {i + 1} to {target}: no frame of {target} within 10 s")
        result["cuts"].append(entry)
        log(f"cut {i + 1} to {target}: {entry['latency_ms']} ms after the POST was sent "
            f"(request {entry['request_ms']} ms)")
        current = target
    call("POST", f"/api/v1/outputs/{OUT}/stop")
    rx.close()
    rx = None

    # ---- the measuring chain's own delay: an ffmpeg publisher switching colour ----
    bkey = "baseline"
    rx = Receiver(bkey, "baseline")
    wait_player(bkey, rx)
    time.sleep(0.3)
    def yuv(y, u, v):  # a 1280x720 I420 picture of one colour
        return bytes([y]) * (1280 * 720) + bytes([u]) * (640 * 360) + bytes([v]) * (640 * 360)
    pictures = {"A": yuv(113, 72, 58), "B": yuv(84, 184, 198)}  # BT.601 of 00C000, C000C0
    seq = ["A"] * 60
    for i in range(CUTS):
        seq += ["B" if i % 2 == 0 else "A"] * (45 + random.randrange(16))
    seq += [seq[-1]] * 30
    publisher = ["ffmpeg", "-hide_banner", "-loglevel", "error",
                 "-f", "rawvideo", "-pixel_format", "yuv420p", "-video_size", "1280x720",
                 "-framerate", "30", "-i", "pipe:0",
                 "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
                 "-g", "60", "-b:v", "3000k", "-maxrate", "3000k", "-bufsize", "3000k",
                 "-flush_packets", "1", "-f", "flv", f"{RTMP}/{bkey}"]
    plog = open(os.path.join(LOGDIR, "baseline-publisher.log"), "wb")
    t_spawn = now()
    pub = spawn(publisher, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=plog)
    switches, late = [], 0
    start = now()
    for i, cls in enumerate(seq):
        due = start + i / 30
        wait = due - now()
        if wait > 0:
            time.sleep(wait)
        elif wait < -0.1:
            late += 1
        if i > 0 and cls != seq[i - 1]:
            switches.append((now(), cls))
        pub.stdin.write(pictures[cls])
        pub.stdin.flush()
    pub.stdin.close()
    pub.wait(10)
    plog.close()
    first = rx.first(t_spawn, None, 5)
    delays = []
    for t, cls in switches:
        hit = rx.first(t, {cls}, 5)
        delays.append(ms(hit[0] - t) if hit else None)
    result["baseline"] = {"publisher": " ".join(publisher), "switch_delays_ms": delays,
                          "cold_start_ms": ms(first[0] - t_spawn) if first else None,
                          "frames_written_late": late, "frames_received": rx.count()}
    log(f"baseline: colour switch -> receiver {delays} ms; publisher spawn -> first frame "
        f"{result['baseline']['cold_start_ms']} ms")
    rx.close()
    rx = None
except (Fail, OSError, subprocess.SubprocessError) as e:
    # Keep what was measured; the report says what went wrong.
    notes.append(f"the latency measurement stopped early: {e}")
    failed = True
else:
    failed = False
finally:
    for p in children:
        stop(p)
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
sys.exit(3 if failed else 0)
PY
  # 3: the helper stopped early but wrote what it had (the report says why); else a real error
  ((rc == 0 || rc == 3)) || die "the latency helper failed (exit $rc)"
  ((rc == 0)) || log "the latency measurement stopped early; receiver logs: $WORK/receiver-*.log (removed on exit)"
  require_alive vistterstream "$APP_LOG" "$APP_PID"
  stop_appliance
  stop_pid "$SIM_A_PID"
  stop_pid "$SIM_B_PID"
}

# --- report ------------------------------------------------------------------------------------
report() {
  mkdir -p "$RESULTS"
  python3 - "$WORK" "$WARMUP_S" "$WINDOW_S" "$APPLIANCE_BIN" "$OVERLAY" "$OVERLAY_APPLIED" \
    "${SEED_OVERLAY_USED:-}" "$PHASES" >"$RESULTS/output.md" <<'PY'
import json, os, platform, statistics, sys, time

work, warmup, window, app_bin, overlay_asked, overlay_applied, seed_overlay, phases = sys.argv[1:9]

def load(name, ext="json"):
    path = os.path.join(work, f"{name}.{ext}")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f) if ext.endswith("json") else f.read().strip()

def mib(kb):
    return f"{kb / 1024:.1f}"

def row(label, name, base=None, rss_target=None):
    """A table row for subject NAME; ratios against BASE (another name) when given."""
    s, m = load(name), load(name, "meta.json") or {}
    if not s:
        return f"| {label} | not run |" + " |" * 8, None
    p = s["groups"]["subject"][0]
    el = s["elapsed_s"]
    cpu = p["cpu_s"] * 60 / el
    b = load(base) if base else None
    cpu_ratio = hwm_ratio = "1.00x" if base is None else "n/a"
    if base and b:
        q = b["groups"]["subject"][0]
        bcpu = q["cpu_s"] * 60 / b["elapsed_s"]
        cpu_ratio = f"{cpu / bcpu:.2f}x" if bcpu else "n/a"
        hwm_ratio = f"{p['hwm_kb'] / q['hwm_kb']:.2f}x" if q["hwm_kb"] else "n/a"
    span = m.get("span_s") or el
    fps = f"{m['frames'] / span:.1f}" if m.get("frames") is not None else "?"
    kbps = f"{m['bytes_in'] * 8 / 1000 / span:.0f}" if m.get("bytes_in") is not None else "?"
    return (f"| {label} | {cpu:.1f} | {cpu / 60:.2f} | {cpu_ratio} | {mib(p['peak_rss_kb'])} | "
            f"{mib(p['hwm_kb'])} | {hwm_ratio} | {mib(p['peak_pss_kb'])} | {fps} | {kbps} |"), s

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

out = [f"### Output cost and latency ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", ""]
out.append(f"Machine: {os.cpu_count()} cores ({cpu_model}), Debian {debian}, Linux {platform.release()}. "
           f"Appliance: `{app_bin}`. Camera: 1280x720 30 fps H.264 Main (GOP 60, no B-frames) "
           f"~2 Mbit/s + AAC 48 kHz, looped by vistter-sim, RTSP over TCP on 127.0.0.1; ingest: "
           f"nginx-rtmp on 127.0.0.1 (live, no recording). Warm-up {warmup} s, window {window} s.")
if "/debug/" in app_bin or app_bin.endswith("/debug"):
    out += ["", "**DEBUG BUILD: the appliance's CPU and memory figures below mean nothing; "
            "build with `cargo build --release` and run again.**"]
out.append("")
head = ("| process | CPU s/min | avg cores | CPU ratio | peak RSS MiB | VmHWM MiB | VmHWM ratio | "
        "peak PSS MiB | video frames/s out | kbit/s into nginx |")
sep = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
sanity = []

def side_notes(name, label):
    s = load(name)
    if not s:
        return
    sim = s["groups"]["sim"][0]
    ng = s["groups"]["nginx"]
    el = s["elapsed_s"]
    m = load(name, "meta.json") or {}
    sanity.append(f"- {label}: window {el:.1f} s; vistter-sim {sim['cpu_s'] * 60 / el:.1f} CPU s/min, "
                  f"nginx {sum(p['cpu_s'] for p in ng) * 60 / el:.1f}; whole machine "
                  f"{s['machine_cpu_s_per_min']:.1f} CPU s/min ({s['machine_busy'] * 100:.0f}% busy)"
                  + (f"; {m['children']} child process(es) not counted" if m.get("children") else ""))

def verdict(a, b, cpu_max, hwm_max):
    """One line: the ratios against the targets."""
    x, y = load(a), load(b)
    if not (x and y):
        return []
    p, q = x["groups"]["subject"][0], y["groups"]["subject"][0]
    cx, cy = p["cpu_s"] / x["elapsed_s"], q["cpu_s"] / y["elapsed_s"]
    parts = []
    if cy:
        r = cx / cy
        parts.append(f"CPU {r:.2f}x (target <= {cpu_max:.2f}x: {'met' if r <= cpu_max else 'NOT met'})")
    if hwm_max is not None and q["hwm_kb"]:
        r = p["hwm_kb"] / q["hwm_kb"]
        parts.append(f"peak RSS {r:.2f}x (target <= {hwm_max:.2f}x: {'met' if r <= hwm_max else 'NOT met'})")
    return ["Against the targets: " + "; ".join(parts) + ".", ""] if parts else []

def mapping(name):
    m = load(name, "mapping")
    return "; ".join(f"`{l.strip()}`" for l in m.splitlines()) if m else "not recorded"

if "relay" in phases.split():
    out += ["#### Relay: one camera copied to one RTMP ingest (target: appliance <= 0.70x ffmpeg's CPU)", "",
            head, sep]
    r, _ = row("vistterstream, whole process: ingests the camera **and** relays it", "relay-appliance", "relay-ffmpeg")
    out.append(r)
    r, _ = row("ffmpeg -rtsp_transport tcp -i CAM -f lavfi -i anullsrc -c:v copy -c:a aac -f flv (also ingests)", "relay-ffmpeg")
    out.append(r)
    out += ["", "Ratios: appliance / ffmpeg. Nothing is subtracted from the appliance for its camera "
            "ingest: ffmpeg ingests too, so both rows do the whole job. The appliance copies the "
            "camera's H.264 and AAC. ffmpeg's stream mapping, as it logged it: "
            + mapping("relay-ffmpeg")
            + (" (its default stream selection takes the camera's AAC, decodes and re-encodes it, "
               "and leaves the anullsrc input unused)." if "#0:1 (aac (native) -> aac" in mapping("relay-ffmpeg")
               else "."), ""]
    out += verdict("relay-appliance", "relay-ffmpeg", 0.70, None)
    side_notes("relay-appliance", "relay, appliance")
    side_notes("relay-ffmpeg", "relay, ffmpeg")

if "program" in phases.split():
    app_ov = "with 1 PNG overlay" if overlay_applied == "1" else (
        "NO overlay (OVERLAY=1 asked, the asset/overlay API answered 404)" if overlay_asked == "1" else "no overlay")
    seed_ov = "with 1 PNG overlay" if seed_overlay == "1" else "no overlay"
    enc = load("program-appliance", "encoder") or "?"
    out += ["#### Program: 1280x720@30, 3000 kbit/s, x264 ultrafast (target: appliance <= 1.0x the "
            "seed's CPU, <= 0.5x its peak RSS)", "", head, sep]
    r, _ = row(f"vistterstream program ({enc}), {app_ov}; whole process incl. camera ingest", "program-appliance", "program-ffmpeg")
    out.append(r)
    r, _ = row(f"seed ffmpeg command (seed-system.md 6.1, `-re`), {seed_ov}", "program-ffmpeg")
    out.append(r)
    out += ["", "Ratios: appliance / seed ffmpeg; the peak-RSS ratio uses VmHWM (the process's "
            "lifetime peak). The seed command "
            + ("decodes the PNG again for every frame (`-loop 1`) and " if seed_overlay == "1" else
               "(no overlay: `-vf scale=1280:720 -map 0:v -map 1:a`, a no-op scale here) ")
            + "encodes silent AAC 44.1 kHz; the appliance decodes the camera's AAC and "
            "re-encodes it (silence underneath). Seed ffmpeg's stream mapping: "
            + mapping("program-ffmpeg") + ".", ""]
    out += verdict("program-appliance", "program-ffmpeg", 1.0, 0.5)
    side_notes("program-appliance", "program, appliance")
    side_notes("program-ffmpeg", "program, seed ffmpeg")

lat = load("latency")
if "latency" in phases.split():
    out += ["#### Start and cut latency (targets: start <= 2 s, cut <= 100 ms)", ""]
    if not lat:
        out += ["not measured (the latency helper failed; see the log above)", ""]
    else:
        def stats(values):
            v = [x for x in values if x is not None]
            missing = len(values) - len(v)
            if not v:
                return "0", "-", "-", missing
            return str(len(v)), f"{statistics.median(v):.0f}", f"{max(v):.0f}", missing
        rows = [
            ("start: `POST /start` response -> first frame at the receiver (slate or camera)",
             [s["first_frame_ms"] for s in lat["start"]], "<= 2000"),
            ("start: `POST /start` response -> first camera frame at the receiver",
             [s["first_camera_frame_ms"] for s in lat["start"]], ""),
            ("cut: `POST /cut` sent -> first frame of the new camera at the receiver",
             [c["latency_ms"] for c in lat["cuts"]], "<= 100"),
            ("cut: `POST /cut` response -> same frame",
             [c["after_response_ms"] for c in lat["cuts"]], ""),
            ("cut: `POST /cut` request itself (sent -> response)",
             [c["request_ms"] for c in lat["cuts"]], ""),
            ("baseline: ffmpeg zerolatency publisher, colour switch written -> first frame of it at the receiver",
             lat["baseline"].get("switch_delays_ms", []), ""),
            ("baseline: ffmpeg publisher spawned -> first frame at the receiver",
             [lat["baseline"].get("cold_start_ms")], ""),
        ]
        out += ["| measurement | n | p50 ms | max ms | missing | target |", "|---|---:|---:|---:|---:|---:|"]
        for label, values, target in rows:
            n, p50, mx, missing = stats(values)
            out.append(f"| {label} | {n} | {p50} | {mx} | {missing} | {target} |")
        out += ["",
                "Receiver: `" + (lat.get("receiver") or "?") + "` reading nginx's live stream; a Python "
                "helper timestamps each decoded 32x18 picture when its last byte arrives "
                "(time.monotonic) and classes it by the mean colour of its top third: camera A's "
                "picture has a solid green top half, camera B's a magenta one, the slate is navy. "
                "Cuts go to a standby camera (both cameras are standby: decoded all along). Nothing is subtracted: "
                "the baseline rows are the same receiver fed by an ffmpeg `-tune zerolatency` "
                "publisher at the same size and rate, i.e. what publishing, nginx and the receiver's "
                "decoding add on their own. Frames arrive every 33 ms, so any figure is quantised to "
                "the frame grid.", ""]
        def worst(values):
            v = [x for x in values if x is not None]
            return max(v) if v and len(v) == len(values) else None
        cut_max = worst([c["latency_ms"] for c in lat["cuts"]])
        start_max = worst([s["first_frame_ms"] for s in lat["start"]])
        out.append("Against the targets (worst case, nothing subtracted): "
                   + (f"cut max {cut_max:.0f} ms (<= 100: {'met' if cut_max <= 100 else 'NOT met'})"
                      if cut_max is not None else "cut: some cuts missing (NOT met)")
                   + "; "
                   + (f"start max {start_max:.0f} ms (<= 2000: {'met' if start_max <= 2000 else 'NOT met'})"
                      if start_max is not None else "start: some starts missing (NOT met)") + ".")
        out.append("")
        cuts = ", ".join(f"{c['to']}:{c['latency_ms']}" for c in lat["cuts"])
        out.append(f"- cuts (to camera: ms after the POST was sent): {cuts}")
        odd = [c for c in lat["cuts"] if c.get("frames_in_between") and set(c["frames_in_between"]) - {"A", "B"}]
        if odd:
            out.append("- frames of neither camera between a cut and the new camera: "
                       + "; ".join(f"cut {c['cut']}: {c['frames_in_between']}" for c in odd))
        starts = ", ".join(f"{s['first_frame_ms']} ({s['first_frame_class']}) / {s['first_camera_frame_ms']}"
                           for s in lat["start"])
        out.append(f"- starts (first frame (class) / first camera frame, ms after the response): {starts}")
        b = lat["baseline"]
        if b.get("frames_written_late"):
            out.append(f"- baseline publisher: {b['frames_written_late']} frames written >100 ms late (machine busy)")
        for n in lat.get("notes", []):
            out.append(f"- note: {n}")
        out.append("")

if sanity:
    out += ["Sanity (not counted above). Frames/s out: ffmpeg's `-progress` frame count; the "
            "appliance's `status.frames_total`; both counters move once a second, so a short "
            "window reads up to 1 s of frames too many or too few. kbit/s: growth of the stream's "
            "`bytes_in` in nginx's /stat. Both over the time between the counter reads, which "
            "bracket the window."] + sanity
print("\n".join(out))
PY
  cat "$RESULTS/output.md"
  log "written to $RESULTS/output.md"
}

# --- main ---------------------------------------------------------------------------------------
[[ $SKIP_APPLIANCE == 1 && $SKIP_FFMPEG == 1 && $PHASES != *latency* ]] && die "nothing to run"
make_assets
start_nginx
if phase_on relay || phase_on program; then start_sim M "$CLIP"; fi
if phase_on relay; then
  [[ $SKIP_APPLIANCE == 1 ]] || relay_appliance
  [[ $SKIP_FFMPEG == 1 ]] || relay_ffmpeg
fi
SEED_OVERLAY_USED=
if phase_on program; then
  [[ $SKIP_APPLIANCE == 1 ]] || program_appliance
  # Like for like: the seed command gets the overlay when the appliance got one.
  SEED_OVERLAY_USED=${SEED_OVERLAY:-$OVERLAY_APPLIED}
  [[ $SKIP_APPLIANCE == 1 && -z $SEED_OVERLAY ]] && SEED_OVERLAY_USED=$OVERLAY
  [[ $SKIP_FFMPEG == 1 ]] || program_ffmpeg "$SEED_OVERLAY_USED"
fi
if phase_on relay || phase_on program; then
  require_alive vistter-sim "$WORK/sim-M.log" "$SIM_M_PID"
  stop_pid "$SIM_M_PID"
fi
phase_on latency && latency
report
