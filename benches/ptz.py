#!/usr/bin/env python3
"""PTZ benchmark (issue 4): preset recall latency and the cost of a joystick.

Starts the release `vistter-sim` (one PTZ camera with its simulated ONVIF device) and the
release appliance on free 127.0.0.1 ports, both stopped by their pids at the end.

1. Preset recall: API call `POST /api/v1/presets/{id}/goto` (waits until settled) to its
   answer, 50 recalls, p50/p99:
   a. "in place": a recall to where the head already is: the appliance's own cost (API,
      ONVIF round trips, settle detection at the configured 200 ms poll);
   b. "across": alternating between two presets 1.0 apart in pan; the simulated head moves
      at 1.0 unit/s, so ~1000 ms of each figure is the (simulated) mechanics.
   The existing system sleeps a fixed 2 s after every move (seed-system.md §2.5), so its
   recall takes travel + 2 s whatever the camera does.
2. Joystick: 50 continuous-move updates per second for 10 s over one keep-alive
   connection; appliance CPU seconds in that window against an idle window of the same
   length, and how many ContinuousMove commands the device actually received.

Usage: benches/ptz.py  (after `cargo build --release --workspace`)
Prints a Markdown table for docs/benchmarks.md.
"""
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("BIN", os.path.join(ROOT, "target", "release"))
ADMIN_PW = "bench-admin-pw"
USER, PW = "bench", "bench-camera-pw"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


class Api:
    """One keep-alive connection, reopened when the server closed an idle one."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = None

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = json.dumps(body) if body is not None else None
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, payload, headers)
                r = self.conn.getresponse()
                data = r.read()
                return r.status, (json.loads(data) if data else None)
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def session(delay_ms, recall_too):
    """One sim + appliance; returns (recall in place, recall across, joystick summary)."""
    started = []
    work = tempfile.mkdtemp(prefix="vistter-ptz-bench-")
    try:
        rtsp, onvif, http_port = free_port(), free_port(), free_port()
        sim = subprocess.Popen(
            [f"{BIN}/vistter-sim", "--cameras", "1", "--base-port", str(rtsp),
             "--width", "640", "--height", "360", "--user", USER, "--password", PW,
             "--onvif-port", str(onvif), "--onvif-delay-ms", str(delay_ms)],
            stdout=subprocess.PIPE, text=True)
        started.append(sim)
        sim.stdout.readline()  # camera line
        sim.stdout.readline()  # onvif line
        env = dict(os.environ, VISTTER_ADMIN_PASSWORD=ADMIN_PW, VISTTER_LOG_LEVEL="warn")
        app = subprocess.Popen(
            [f"{BIN}/vistterstream", "serve", "--listen", f"127.0.0.1:{http_port}",
             "--data-dir", os.path.join(work, "data")],
            env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "app.log"), "w"))
        started.append(app)
        api = Api(http_port)
        for _ in range(100):
            try:
                if api.call("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        _, login = api.call("POST", "/api/v1/auth/login", {"username": "admin", "password": ADMIN_PW})
        api.token = login["access_token"]
        _, cam = api.call("POST", "/api/v1/cameras", {
            "name": "Bench PTZ", "kind": "ptz", "rtsp_url": f"rtsp://127.0.0.1:{rtsp}/cam1",
            "username": USER, "password": PW, "onvif_port": onvif})
        cid = cam["id"]
        for _ in range(200):
            _, st = api.call("GET", f"/api/v1/cameras/{cid}/ptz/status")
            if st and st.get("state") == "up":
                break
            time.sleep(0.1)
        else:
            sys.exit(f"PTZ never came up: {st}")

        in_place, across = [], []
        if recall_too:
            presets = []
            for name, pan in (("left", -0.5), ("right", 0.5)):
                api.call("POST", f"/api/v1/cameras/{cid}/ptz/absolute", {"pan": pan, "tilt": 0.0, "zoom": 0.0})
                status, p = api.call("POST", f"/api/v1/cameras/{cid}/presets", {"name": name})
                assert status == 201, p
                presets.append(p["id"])

            def recall(pid):
                t = time.perf_counter()
                status, out = api.call("POST", f"/api/v1/presets/{pid}/goto")
                assert status == 200 and out["settled"], out
                return (time.perf_counter() - t) * 1000

            in_place = [recall(presets[1]) for _ in range(50)]
            across = [recall(presets[i % 2]) for i in range(50)]

        # Joystick: an idle window first, then 50 updates/s for the same time.
        window = 10.0
        c0 = cpu_seconds(app.pid)
        time.sleep(window)
        idle_cpu = cpu_seconds(app.pid) - c0
        updates, coalesced = 0, 0
        c0 = cpu_seconds(app.pid)
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < window:
            delay = t0 + updates * 0.02 - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            speed = 0.3 + 0.2 * ((updates % 10) / 10)
            status, out = api.call("POST", f"/api/v1/cameras/{cid}/ptz/move",
                                   {"pan": speed if (updates // 50) % 2 == 0 else -speed,
                                    "timeout_ms": 500})
            assert status == 202, out
            updates += 1
            coalesced += 1 if out["coalesced"] else 0
        elapsed = time.perf_counter() - t0
        joy_cpu = cpu_seconds(app.pid) - c0
        api.call("POST", f"/api/v1/cameras/{cid}/ptz/stop")
        time.sleep(0.5 + delay_ms / 1000)
        mconn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
        mconn.request("GET", "/metrics")
        metrics_text = mconn.getresponse().read().decode()
        sent = sum(float(l.rsplit(" ", 1)[1]) for l in metrics_text.splitlines()
                   if l.startswith("vistter_ptz_commands_total{") and 'command="move"' in l)
        sim.terminate()
        out, _ = sim.communicate(timeout=10)
        started.remove(sim)
        stats = next((l for l in out.splitlines() if l.startswith("onvif-stats")), "no stats")
        joystick = (f"| {delay_ms} | {updates} in {elapsed:.1f} s | {coalesced} | {sent:.0f} | "
                    f"{joy_cpu:.2f} / {idle_cpu:.2f} | +{(joy_cpu - idle_cpu) / window * 100:.1f} % | {stats.split(' ', 2)[2]} |")
        return in_place, across, joystick
    finally:
        for p in reversed(started):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def main():
    in_place, across, fast = session(0, True)
    _, _, slow = session(100, False)
    print("| measurement | p50 | p99 | max |")
    print("|---|---|---|---|")
    print(f"| preset recall in place (API → settled), ms | {pct(in_place, .5):.0f} | {pct(in_place, .99):.0f} | {max(in_place):.0f} |")
    print(f"| preset recall across 1.0 pan (incl. ~1000 ms simulated travel), ms | {pct(across, .5):.0f} | {pct(across, .99):.0f} | {max(across):.0f} |")
    print()
    print("| device reply delay ms | updates sent to the API | answered `coalesced` | ContinuousMove sent by the appliance | appliance CPU s (joystick / idle, 10 s) | extra CPU (one core) | device received |")
    print("|---|---|---|---|---|---|---|")
    print(fast)
    print(slow)


if __name__ == "__main__":
    main()
