# Shared helpers of the benchmark scripts (sourced, not run). The caller defines `log`,
# `die`, the STARTED array (pids to stop on exit), WORK (temp dir) and WINDOW_S.
# Everything stays on 127.0.0.1; every process started is stopped by its pid.
# shellcheck shell=bash
forget() { # forget PID: no longer ours to stop
  local keep=() p
  for p in "${STARTED[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  STARTED=("${keep[@]}")
}
ours() { # ours PID: still a child of this shell (not a reused pid)
  [[ $(awk '{sub(/^.*\) /, ""); print $2}' "/proc/$1/stat" 2>/dev/null) == "$$" ]]
}
stop_pid() { # stop_pid PID: TERM, then KILL after 5 s
  local pid=$1 i
  forget "$pid"
  ours "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
interruptible() { # interruptible CMD...: run CMD so that a signal to this script acts at once
  "$@" <&0 &
  local pid=$! rc=0
  STARTED+=("$pid")
  wait "$pid" || rc=$?
  forget "$pid"
  return "$rc"
}
alive() { # alive PID: running and not a zombie
  local state
  state=$(awk '{sub(/^.*\) /, ""); print $1}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}
require_alive() { # require_alive NAME LOGFILE PID...
  local name=$1 logfile=$2 pid
  shift 2
  for pid in "$@"; do
    if ! alive "$pid"; then
      [[ -s $logfile ]] && tail -n 20 "$logfile" >&2
      die "$name (pid $pid) died early"
    fi
  done
}
json_field() { # json_field EXPR < JSON; EXPR in Python, the document is `d`
  python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
children_of() { # direct and indirect children of PID
  local c
  # shellcheck disable=SC2013 # the file is a space-separated list of pids
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    echo "$c"
    children_of "$c"
  done
}

# sample OUT.json GROUP=PID[,PID...]...: CPU and memory of each pid over WINDOW_S seconds.
sample() {
  interruptible python3 - "$WINDOW_S" "$@" <<'PY'
import json, os, sys, time

window, out = float(sys.argv[1]), sys.argv[2]
groups = {}
for arg in sys.argv[3:]:
    name, pids = arg.split("=", 1)
    groups[name] = [int(p) for p in pids.split(",") if p]
tck = os.sysconf("SC_CLK_TCK")

def ticks(pid):
    """utime+stime of a live process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)

def memory(pid):
    """VmRSS, VmHWM and Pss in kB, or {} for a dead process."""
    found = {}
    for name, keys in (("status", ("VmRSS", "VmHWM")), ("smaps_rollup", ("Pss",))):
        try:
            with open(f"/proc/{pid}/{name}") as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key in keys:
                        found[key] = int(value.split()[0])
        except OSError:
            pass
    return found

def machine():
    """(busy, total) jiffies of all CPUs."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is already in user/nice);
    # steal is time the hypervisor gave elsewhere: neither busy here nor idle
    user, nice, system, idle, iowait, irq, softirq, steal = values[:8]
    busy = user + nice + system + irq + softirq
    return busy, busy + idle + iowait

pids = [p for ps in groups.values() for p in ps]
machine_start = machine()
start = {p: ticks(p) for p in pids}
peak = {p: 0 for p in pids}
peak_pss = {p: 0 for p in pids}
t0 = time.monotonic()
deadline = t0 + window
while True:
    for p in pids:
        m = memory(p)
        peak[p] = max(peak[p], m.get("VmRSS", 0))
        peak_pss[p] = max(peak_pss[p], m.get("Pss", 0))
    now = time.monotonic()
    if now >= deadline:
        break
    time.sleep(min(0.5, deadline - now))
end = {p: ticks(p) for p in pids}
machine_end = machine()
hwm = {p: memory(p).get("VmHWM", 0) for p in pids}
elapsed = time.monotonic() - t0

busy = machine_end[0] - machine_start[0]
total = machine_end[1] - machine_start[1]
report = {
    "elapsed_s": elapsed,
    "clk_tck": tck,
    # everything the machine did in the window, in CPU seconds per minute
    "machine_cpu_s_per_min": busy / tck * 60 / elapsed,
    "machine_busy": busy / total if total else 0.0,
    "groups": {},
}
for name, ps in groups.items():
    report["groups"][name] = [
        {
            "pid": p,
            "alive": start[p] is not None and end[p] is not None,
            "cpu_s": ((end[p] or 0) - (start[p] or 0)) / tck,
            "peak_rss_kb": peak[p],
            "peak_pss_kb": peak_pss[p],
            "hwm_kb": hwm[p],
        }
        for p in ps
    ]
with open(out, "w") as f:
    json.dump(report, f, indent=1)
PY
}
check_sample() { # check_sample FILE: fail if a sampled process died during the window
  local dead
  dead=$(json_field '" ".join(g + ":" + str(p["pid"]) for g, ps in d["groups"].items() for p in ps if not p["alive"])' <"$1")
  [[ -z $dead ]] || die "process(es) died during the measurement window: $dead"
}

# The appliance under test. The caller also defines APPLIANCE_BIN and ADMIN_PASSWORD.
api() { # api METHOD PATH [JSON]: prints the body, fails on a non-2xx status (kept in api.status)
  local args=(--noproxy '*' -sS --max-time 30 -X "$1")
  [[ -n $TOKEN ]] && args+=(-H "Authorization: Bearer $TOKEN")
  [[ $# -ge 3 ]] && args+=(-H 'Content-Type: application/json' --data "$3")
  local body status
  body=$(curl "${args[@]}" -w '\n%{http_code}' "$API$2") || return 1
  status=${body##*$'\n'}
  body=${body%$'\n'*}
  echo "$status" >"$WORK/api.status"
  if [[ $status != 2?? ]]; then
    log "$1 $2 -> HTTP $status: $body"
    return 1
  fi
  printf '%s\n' "$body"
}
start_appliance() { # start_appliance NAME: a fresh appliance (own data dir); sets APP_PID API TOKEN
  local name=$1 port i
  [[ -x $APPLIANCE_BIN ]] || die "$APPLIANCE_BIN missing: cargo build --release -p vistterstream"
  port=$(free_port)
  API=http://127.0.0.1:$port
  TOKEN=
  mkdir -p "$WORK/data-$name"
  APP_LOG=$WORK/appliance-$name.log
  VISTTER_ADMIN_PASSWORD=$ADMIN_PASSWORD "$APPLIANCE_BIN" serve --listen "127.0.0.1:$port" \
    --data-dir "$WORK/data-$name" >"$APP_LOG" 2>&1 &
  APP_PID=$!
  STARTED+=("$APP_PID")
  for ((i = 0; ; i++)); do
    require_alive vistterstream "$APP_LOG" "$APP_PID"
    [[ $(curl --noproxy '*' -s -o /dev/null --max-time 2 -w '%{http_code}' "$API/readyz") == 200 ]] && break
    ((i < 600)) || die "the appliance was not ready (GET /readyz 200) within 60 s"
    sleep 0.1
  done
  TOKEN=$(api POST /api/v1/auth/login "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" |
    json_field 'd["access_token"]') || die "login as admin failed"
  log "$name: appliance (pid $APP_PID) ready on $API"
}

# start_sim COUNT ARGS...: COUNT simulated cameras (SIM_BIN, free ports) with ARGS; waits for
# them and sets CAMERA_URLS (one rtsp:// URL per camera).
start_sim() {
  local count=$1 i
  shift
  [[ -x $SIM_BIN ]] || die "$SIM_BIN missing: cargo build --release -p vistterstream-sim"
  "$SIM_BIN" --cameras "$count" --base-port 0 "$@" >"$WORK/sim.out" 2>"$WORK/sim.log" &
  local pid=$!
  STARTED+=("$pid")
  for ((i = 0; i < 100; i++)); do
    (($(grep -c '^camera ' "$WORK/sim.out") >= count)) && break
    require_alive vistter-sim "$WORK/sim.log" "$pid"
    sleep 0.1
  done
  mapfile -t CAMERA_URLS < <(awk '/^camera /{print $3}' "$WORK/sim.out")
  ((${#CAMERA_URLS[@]} == count)) || die "the simulated cameras did not start ($WORK/sim.log)"
}
