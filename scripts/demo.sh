#!/usr/bin/env bash
# `make demo`: two simulated RTSP cameras (vistter-sim) and the appliance on
# http://127.0.0.1:8080, with the cameras registered through the REST API and a program
# output on them started without a destination, so the console shows its preview at once.
# Ctrl-C stops both (each by its pid).
#
# Environment: VISTTER_ADMIN_PASSWORD (default vistter-demo), VISTTER_LISTEN
# (default 127.0.0.1:8080), VISTTER_DATA_DIR (default ./data), DEMO_RTSP_BASE_PORT (default 8554),
# DEMO_ONVIF_PORT (default 18899: camera 1 is a PTZ camera with a simulated ONVIF device
# whose moves and presets visibly move its picture).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BIN:-$ROOT/target/release}
export VISTTER_ADMIN_PASSWORD=${VISTTER_ADMIN_PASSWORD:-vistter-demo}
LISTEN=${VISTTER_LISTEN:-127.0.0.1:8080}
DATA_DIR=${VISTTER_DATA_DIR:-./data}
RTSP_PORT=${DEMO_RTSP_BASE_PORT:-8554}
ONVIF_PORT=${DEMO_ONVIF_PORT:-18899}
SIM_USER=demo
SIM_PASSWORD=demo-camera-pw

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

sim_out=$(mktemp)
"$BIN/vistter-sim" --cameras 2 --base-port "$RTSP_PORT" --width 1280 --height 720 --fps 25 \
  --bitrate-kbps 2000 --user "$SIM_USER" --password "$SIM_PASSWORD" \
  --onvif-port "$ONVIF_PORT" >"$sim_out" &
pids+=($!)
for _ in $(seq 50); do [ "$(wc -l <"$sim_out")" -ge 3 ] && break; sleep 0.1; done
[ "$(wc -l <"$sim_out")" -ge 3 ] || { echo "demo: simulated cameras did not start (port $RTSP_PORT or $ONVIF_PORT busy? set DEMO_RTSP_BASE_PORT / DEMO_ONVIF_PORT)" >&2; exit 1; }

"$BIN/vistterstream" serve --listen "$LISTEN" --data-dir "$DATA_DIR" &
app=$!
pids+=("$app")
base="http://$LISTEN"
for _ in $(seq 100); do curl -fs "$base/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$base/readyz" >/dev/null || { echo "demo: the appliance did not become ready" >&2; exit 1; }

token=$(curl -fs -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$VISTTER_ADMIN_PASSWORD\"}" "$base/api/v1/auth/login" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') ||
  { echo "demo: cannot log in as admin (the data dir has another admin password; set VISTTER_ADMIN_PASSWORD)" >&2; exit 1; }
existing=$(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/cameras")

api() { # METHOD PATH [BODY]: the response body (fails on an HTTP error)
  curl -fs -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    ${3:+-d "$3"} "$base$2"
}
id_of() { # NAME < JSON list: the id of the item with that name, or nothing
  python3 -c 'import json,sys; t=sys.argv[1]; print(next((c["id"] for c in json.load(sys.stdin) if c["name"]==t), ""))' "$1"
}

camera_ids=()
n=0
while read -r what name url; do
  [ "$what" = camera ] || continue
  n=$((n + 1))
  title="Demo camera $n"
  ptz=""
  if [ "$n" = 1 ]; then
    title="Demo PTZ camera"
    ptz=",\"kind\":\"ptz\",\"onvif_port\":$ONVIF_PORT"
  fi
  id=$(printf '%s' "$existing" | id_of "$title")
  body="{\"name\":\"$title\",\"rtsp_url\":\"$url\",\"username\":\"$SIM_USER\",\"password\":\"$SIM_PASSWORD\",\"enabled\":true$ptz}"
  if [ -z "$id" ]; then
    id=$(api POST /api/v1/cameras "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  else
    api PATCH "/api/v1/cameras/$id" "$body" >/dev/null
  fi
  camera_ids+=("$id")
done <"$sim_out"

# A program on the demo cameras without a destination (a rehearsal): its preview plays in the
# console at once and the switcher cuts between the cameras (keys 1 and 2).
program="Demo program"
output=$(api GET /api/v1/outputs | id_of "$program")
if [ -z "$output" ]; then
  output=$(api POST /api/v1/outputs \
    "{\"name\":\"$program\",\"camera_id\":${camera_ids[0]},\"standby_camera_ids\":[${camera_ids[1]}],\"slate_text\":\"Back in a moment\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
fi
api POST "/api/v1/outputs/$output/start" >/dev/null ||
  echo "demo: the program did not start (see the console's Outputs page)" >&2

cat <<MSG

  VistterStream demo is running on $base
    Console:               $base/          user admin, password $VISTTER_ADMIN_PASSWORD
      switcher (cut with keys 1, 2):  $base/outputs/$output/switcher
    API docs:              $base/api/docs/
    Metrics:               $base/metrics
  Two simulated cameras stream from rtsp://127.0.0.1:$RTSP_PORT/cam1 and :$((RTSP_PORT + 1))/cam2;
  cam1 is a PTZ camera (ONVIF http://127.0.0.1:$ONVIF_PORT/onvif/device_service): try
    curl -H "Authorization: Bearer <token>" -H 'Content-Type: application/json' \\
      -d '{"pan":0.8,"tilt":0.5,"zoom":0.6}' $base/api/v1/cameras/<id>/ptz/absolute
  Press Ctrl-C to stop.

MSG
wait "$app"
