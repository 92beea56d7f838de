#!/usr/bin/env bash
# Installs every system package VistterStream needs to build, run and test on Debian 12.
# Idempotent: installs only what is missing, so a second run is a no-op.
set -euo pipefail

packages=(
  # build
  pkg-config build-essential
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libgstrtspserver-1.0-dev          # simulated cameras (tests, demo)
  # run: the GStreamer elements the appliance uses
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-tools
  gstreamer1.0-x fonts-dejavu-core  # slate text/clock and overlay text: their font
  glib-networking                   # TLS for RTMPS publishing (rtmp2sink uses GIO)
  ca-certificates curl python3      # demo and benchmark scripts read JSON with it
  # tests: real peers and probes (see ../shared/TESTING.md)
  ffmpeg                            # ffprobe on what the peers received
  prometheus                        # promtool check metrics
  nginx libnginx-mod-rtmp stunnel4  # RTMP / RTMPS ingest stand-ins
  openssl                           # the RTMPS tests' own certificate authority
  socat procps
  apache2 apache2-utils             # HTTP snapshot endpoint with Digest/Basic auth
  libxml2-utils python3-pip         # xmllint: our SOAP requests against the ONVIF schemas
  python3-venv util-linux           # schemathesis in its own venv, run under unshare (loopback only)
  chromium                          # the page, driven by playwright-core (tests/browser)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages present"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install Rust >= 1.94 (https://rustup.rs) and run again" >&2
  exit 1
fi

# Python test peers (TESTING.md), unpacked from pinned wheels into target/peers/site: no
# virtualenv and no dependencies needed. ipycam 1.3.0 is the non-conformant ONVIF camera
# (tests/peers/ipycam_onvif.py); onvif-zeep-async 4.3.0 carries the ONVIF WSDL/XSD files our
# SOAP requests are validated against (tests/peers/validate_onvif_soap.py).
peers="$(dirname "${BASH_SOURCE[0]}")/../target/peers"
if [ ! -f "$peers/ready-1" ]; then
  echo "setup: fetching the Python test peers (ipycam, onvif-zeep-async)"
  rm -rf "$peers"
  mkdir -p "$peers/wheels" "$peers/site"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check \
    --dest "$peers/wheels" ipycam==1.3.0 onvif-zeep-async==4.3.0
  for wheel in "$peers"/wheels/*.whl; do
    python3 -m zipfile -e "$wheel" "$peers/site"
  done
  touch "$peers/ready-1"
else
  echo "setup: Python test peers present"
fi

# Browser tests: playwright-core (pinned in tests/browser/package-lock.json) driving Debian's
# Chromium; never `playwright install` (no browser downloads).
browser="$(dirname "${BASH_SOURCE[0]}")/../tests/browser"
if [ ! -d "$browser/node_modules/playwright-core" ]; then
  command -v npm >/dev/null 2>&1 || { echo "setup: npm not found; install Node.js >= 18 with npm" >&2; exit 1; }
  echo "setup: installing playwright-core for the browser tests"
  (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "setup: playwright-core present"
fi

# schemathesis (tests/contract.rs) in its own virtualenv, pinned by tests/contract/requirements.txt;
# a changed pin list makes a new venv.
contract="$(dirname "${BASH_SOURCE[0]}")/../target/peers/schemathesis"
pins="$(dirname "${BASH_SOURCE[0]}")/../tests/contract/requirements.txt"
if ! cmp -s "$pins" "$contract/requirements.txt" 2>/dev/null; then
  echo "setup: installing schemathesis (target/peers/schemathesis)"
  rm -rf "$contract"
  python3 -m venv "$contract"
  "$contract/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$pins"
  cp "$pins" "$contract/requirements.txt"
else
  echo "setup: schemathesis present"
fi

# The console (web/): its pinned build tools (web/package-lock.json), installed the same way.
web="$(dirname "${BASH_SOURCE[0]}")/../web"
if [ ! -d "$web/node_modules/vite" ]; then
  command -v npm >/dev/null 2>&1 || { echo "setup: npm not found; install Node.js >= 20.19 with npm" >&2; exit 1; }
  echo "setup: installing the console's build tools (web/node_modules)"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "setup: console build tools present"
fi
