#!/usr/bin/env bash
# `make demo`: two simulated RTSP cameras (vistter-sim) and the appliance on
# http://127.0.0.1:8080, with the cameras registered through the REST API.
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
  id=$(printf '%s' "$existing" | python3 -c 'import json,sys; t=sys.argv[1]; print(next((c["id"] for c in json.load(sys.stdin) if c["name"]==t), ""))' "$title")
  body="{\"name\":\"$title\",\"rtsp_url\":\"$url\",\"username\":\"$SIM_USER\",\"password\":\"$SIM_PASSWORD\",\"enabled\":true$ptz}"
  if [ -z "$id" ]; then
    curl -fs -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body" "$base/api/v1/cameras"
  else
    curl -fs -o /dev/null -X PATCH -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body" "$base/api/v1/cameras/$id"
  fi
done <"$sim_out"

cat <<MSG

  VistterStream demo is running on $base
    UI (live snapshots):   $base/          user admin, password $VISTTER_ADMIN_PASSWORD
    API docs:              $base/api/docs/
    Metrics:               $base/metrics
  Two simulated cameras stream from rtsp://127.0.0.1:$RTSP_PORT/cam1 and :$((RTSP_PORT + 1))/cam2;
  cam1 is a PTZ camera (ONVIF http://127.0.0.1:$ONVIF_PORT/onvif/device_service): try
    curl -H "Authorization: Bearer <token>" -H 'Content-Type: application/json' \\
      -d '{"pan":0.8,"tilt":0.5,"zoom":0.6}' $base/api/v1/cameras/<id>/ptz/absolute
  Press Ctrl-C to stop.

MSG
wait "$app"
