#!/usr/bin/env bash
# Lighthouse scores of the console (issue 14): performance and accessibility of the dashboard
# and the switcher, signed in, with two simulated cameras and a live program on them, as a
# newcomer's `make demo` shows them.
#
#   cargo build --release -p vistterstream-sim && make ui && cargo build --release -p vistterstream
#   (cd benches/lighthouse && npm ci)     # lighthouse 12.8.2 (the last that runs on Node 20)
#   benches/lighthouse.sh
#
# Lighthouse drives Debian's Chromium (CHROME_PATH=/usr/bin/chromium), never a downloaded
# browser; both its mobile run (simulated slow 4G and a 4x slower CPU) and its desktop preset.
# Targets: >= 90 for performance and accessibility. Table: stdout and
# target/bench-results/lighthouse.md; the full reports stay in target/bench-results/lighthouse/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIM_BIN=${SIM_BIN:-$ROOT/target/release/vistter-sim}
APPLIANCE_BIN=${APPLIANCE_BIN:-$ROOT/target/release/vistterstream}
LIGHTHOUSE=$ROOT/benches/lighthouse/node_modules/.bin/lighthouse
ADMIN_PASSWORD=bench-admin-pw
RESULTS=$ROOT/target/bench-results
WINDOW_S=1

log() { printf '[lighthouse %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "FAILED: $*"
  exit 1
}
[[ -x $LIGHTHOUSE ]] || die "lighthouse missing: (cd benches/lighthouse && npm ci)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vistter-lighthouse.XXXXXX")
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

start_sim 2 --width 1280 --height 720 --fps 25 --bitrate-kbps 2000
start_appliance lighthouse
ids=()
for url in "${CAMERA_URLS[@]}"; do
  ids+=("$(api POST /api/v1/cameras "{\"name\":\"Camera ${#ids[@]}\",\"rtsp_url\":\"$url\"}" | json_field 'd["id"]')")
done
OUT=$(api POST /api/v1/outputs "{\"name\":\"Program\",\"camera_id\":${ids[0]},\"standby_camera_ids\":[${ids[1]}]}" | json_field 'd["id"]')
api POST "/api/v1/outputs/$OUT/start" >/dev/null
sleep 5

# The console's session cookie, as the browser would hold it after signing in.
curl --noproxy '*' -sS -c "$WORK/cookies" -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" "$API/api/v1/auth/login"
COOKIE=$(awk '$6 == "vistter_session" {print $6 "=" $7}' "$WORK/cookies")
[[ -n $COOKIE ]] || die "no session cookie from the sign-in"

mkdir -p "$RESULTS/lighthouse"
for page in dashboard switcher; do
  url=$API/
  [[ $page == switcher ]] && url=$API/outputs/$OUT/switcher
  for preset in mobile desktop; do
    args=()
    [[ $preset == desktop ]] && args+=(--preset=desktop)
    log "$page ($preset)"
    CHROME_PATH=/usr/bin/chromium "$LIGHTHOUSE" "$url" "${args[@]}" --quiet \
      --only-categories=performance,accessibility,best-practices \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking" \
      --extra-headers="{\"Cookie\":\"$COOKIE\"}" \
      --output=json --output-path="$RESULTS/lighthouse/$page-$preset.json" ||
      die "lighthouse failed on $page ($preset)"
  done
done

python3 - "$RESULTS/lighthouse" <<'PY' | tee "$RESULTS/lighthouse.md"
import json, sys
d = sys.argv[1]
print("| page | run | performance | accessibility | best practices | FCP | LCP | TBT | CLS |")
print("|---|---|---|---|---|---|---|---|---|")
for page in ("dashboard", "switcher"):
    for preset in ("mobile", "desktop"):
        r = json.load(open(f"{d}/{page}-{preset}.json"))
        c, a = r["categories"], r["audits"]
        score = lambda k: round(c[k]["score"] * 100) if c[k]["score"] is not None else "n/a"
        print(f"| {page} | {preset} | {score('performance')} | {score('accessibility')} | {score('best-practices')} | "
              f"{a['first-contentful-paint']['displayValue']} | {a['largest-contentful-paint']['displayValue']} | "
              f"{a['total-blocking-time']['displayValue']} | {a['cumulative-layout-shift']['displayValue']} |")
PY
