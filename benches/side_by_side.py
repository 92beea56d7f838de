#!/usr/bin/env python3
"""Side-by-side CPU comparison: several subjects do the same job in the same time windows.

    benches/side_by_side.py --mode relay   target/release/vistterstream ffmpeg
    benches/side_by_side.py --mode program --overlay target/release/vistterstream seed
    benches/side_by_side.py --mode relay   OLD_BUILD NEW_BUILD ffmpeg

Why: on a shared 2-core VM the same binary measured 19 to 27 CPU s/min in consecutive
one-minute windows, so measuring subjects one after the other (benches/output.sh) compares
machine states as much as programs. Here every subject runs at once, fed by one simulated
camera, publishing to one nginx-rtmp, and is sampled over the same windows: whatever the
machine does hits all of them alike. The subjects share the cores, so absolute figures run a
little higher than alone; the ratios are what this measures.

Subjects: a path to an appliance binary (a fresh data dir each, one camera, one output of
--mode to nginx; program outputs use the default profile with x264 forced, and with
--overlay the same PNG overlay as benches/output.sh), `ffmpeg` (the relay reference of
issue 3: -c:v copy + AAC encoded from anullsrc) or `seed` (the existing system's program
command, seed-system.md 6.1, with the overlay when --overlay is given).

Prints, per window, CPU seconds per minute and context switches per second of each subject
and the camera, then the median per subject and its ratio to the last reference subject.
Needs the assets benches/output.sh makes (run it once), nginx with the RTMP module, ffmpeg,
curl. Everything listens on 127.0.0.1; every process started is stopped by its pid.
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASSETS = os.path.join(ROOT, "target", "bench-assets")
CLIP = os.path.join(ASSETS, "ingest-720p30-2mbps-30s.mp4")
LOGO = os.path.join(ASSETS, "output-logo-400x160.png")
SIM = os.environ.get("SIM_BIN", os.path.join(ROOT, "target", "release", "vistter-sim"))
PASSWORD = "bench-admin-pw"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """Everything started here, stopped by pid (SIGTERM, then SIGKILL) in reverse order."""

    def __init__(self):
        self.started = []

    def start(self, args, **kw):
        p = subprocess.Popen(args, **kw)
        self.started.append(p)
        return p

    def stop_all(self):
        for p in reversed(self.started):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.started:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def start_nginx(procs, work):
    port = free_port()
    d = os.path.join(work, "nginx")
    os.makedirs(os.path.join(d, "logs"))
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(
            "load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;\n"
            f"daemon off; master_process off; pid {d}/nginx.pid; error_log {d}/logs/error.log;\n"
            "events { worker_connections 256; }\n"
            f"rtmp {{ server {{ listen 127.0.0.1:{port}; chunk_size 4096;\n"
            "  application live { live on; record off; } } }\n"
        )
    procs.start(["nginx", "-c", conf, "-p", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return f"rtmp://127.0.0.1:{port}/live"
        except OSError:
            time.sleep(0.1)
    sys.exit("nginx did not listen")


def start_camera(procs, work):
    out_path = os.path.join(work, "sim.out")
    with open(out_path, "w") as out:
        sim = procs.start(
            [SIM, "--cameras", "1", "--base-port", "0", "--file", CLIP,
             "--width", "1280", "--height", "720", "--fps", "30"],
            stdout=out, stderr=subprocess.DEVNULL)
    for _ in range(300):
        with open(out_path) as f:
            for line in f:
                if line.startswith("camera "):
                    return sim, line.split()[2]
        if sim.poll() is not None:
            sys.exit("vistter-sim exited")
        time.sleep(0.1)
    sys.exit("vistter-sim announced no camera")


class Api:
    def __init__(self, base):
        self.base = base
        self.token = None

    def call(self, method, path, body=None):
        req = urllib.request.Request(
            self.base + path, method=method,
            data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"null")


def start_appliance(procs, work, n, binary, mode, overlay, camera_url, rtmp):
    port = free_port()
    data = os.path.join(work, f"data-{n}")
    os.makedirs(data)
    log = open(os.path.join(work, f"appliance-{n}.log"), "w")
    env = dict(os.environ, VISTTER_ADMIN_PASSWORD=PASSWORD)
    p = procs.start([binary, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data],
                    env=env, stdout=log, stderr=subprocess.STDOUT)
    api = Api(f"http://127.0.0.1:{port}")
    for _ in range(600):
        try:
            urllib.request.urlopen(api.base + "/readyz", timeout=2)
            break
        except OSError:
            if p.poll() is not None:
                sys.exit(f"{binary} exited; see {log.name}")
            time.sleep(0.1)
    api.token = api.call("POST", "/api/v1/auth/login",
                         {"username": "admin", "password": PASSWORD})["access_token"]
    cam = api.call("POST", "/api/v1/cameras", {"name": "cam", "rtsp_url": camera_url})["id"]
    for _ in range(300):
        if api.call("GET", f"/api/v1/cameras/{cam}")["status"]["state"] == "streaming":
            break
        time.sleep(0.2)
    dest = api.call("POST", "/api/v1/destinations",
                    {"name": "ingest", "platform": "custom", "server_url": rtmp,
                     "stream_key": f"subject-{n}"})["id"]
    body = {"name": "bench", "mode": mode, "camera_id": cam, "destination_ids": [dest]}
    if mode == "program":
        body["encoder"] = "x264"
    out = api.call("POST", "/api/v1/outputs", body)["id"]
    if overlay:
        upload = subprocess.run(
            ["curl", "--noproxy", "*", "-sS", "--max-time", "30", "-H",
             f"Authorization: Bearer {api.token}", "-F", f"file=@{LOGO};type=image/png",
             "-F", "name=logo", f"{api.base}/api/v1/assets"],
            check=True, capture_output=True, text=True)
        asset = json.loads(upload.stdout)["id"]
        api.call("PUT", f"/api/v1/outputs/{out}/overlays",
                 [{"asset_id": asset, "x": 0.02, "y": 0.02, "width": 0.2, "opacity": 1.0,
                   "z": 1, "visible": True}])
    api.call("POST", f"/api/v1/outputs/{out}/start", {})
    for _ in range(300):
        status = api.call("GET", f"/api/v1/outputs/{out}")["status"]
        if status["state"] == "live":
            return p.pid
        time.sleep(0.2)
    sys.exit(f"{binary}: output not live; see {log.name}")


def start_reference(procs, work, n, kind, overlay, camera_url, rtmp):
    url = f"{rtmp}/subject-{n}"
    if kind == "ffmpeg":
        args = ["-rtsp_transport", "tcp", "-i", camera_url,
                "-f", "lavfi", "-i", "anullsrc=channel_layout=stereo:sample_rate=48000",
                "-c:v", "copy", "-c:a", "aac", "-f", "flv", url]
    else:
        graph = (["-loop", "1", "-i", LOGO,
                  "-f", "lavfi", "-i", "anullsrc=channel_layout=stereo:sample_rate=44100",
                  "-filter_complex",
                  "[0:v]scale=1280:720[base];[1:v]scale=256:-1[s0];[base][s0]overlay=x=26:y=14[out]",
                  "-map", "[out]", "-map", "2:a"] if overlay else
                 ["-f", "lavfi", "-i", "anullsrc=channel_layout=stereo:sample_rate=44100",
                  "-vf", "scale=1280:720", "-map", "0:v", "-map", "1:a"])
        args = (["-re", "-rtsp_transport", "tcp", "-timeout", "5000000", "-i", camera_url]
                + graph
                + ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
                   "-threads", "4", "-r", "30", "-b:v", "3000k", "-maxrate", "3000k",
                   "-bufsize", "6000k", "-g", "60", "-profile:v", "main",
                   "-c:a", "aac", "-b:a", "128k", "-ar", "44100", "-f", "flv", url])
    log = open(os.path.join(work, f"{kind}-{n}.log"), "w")
    p = procs.start(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error"] + args,
                    stdout=subprocess.DEVNULL, stderr=log)
    return p.pid


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def context_switches(pid):
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                total += sum(int(l.split()[1]) for l in f if "ctxt_switches" in l)
        except FileNotFoundError:
            pass  # a thread that ended meanwhile
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=["relay", "program"], required=True)
    ap.add_argument("--overlay", action="store_true", help="program: one PNG overlay")
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--window-s", type=float, default=60)
    ap.add_argument("--warmup-s", type=float, default=15)
    ap.add_argument("subjects", nargs="+", help="appliance binaries, `ffmpeg`, `seed`")
    a = ap.parse_args()
    for need in (CLIP, LOGO, SIM):
        if not os.path.exists(need):
            sys.exit(f"{need} missing: build vistter-sim and run benches/output.sh once")
    procs = Processes()
    work = tempfile.mkdtemp(prefix="vistter-side-")
    try:
        rtmp = start_nginx(procs, work)
        sim, camera_url = start_camera(procs, work)
        pids = {}
        for n, s in enumerate(a.subjects):
            label = f"{n}:{s if s in ('ffmpeg', 'seed') else os.path.relpath(s, ROOT)}"
            if s in ("ffmpeg", "seed"):
                pids[label] = start_reference(procs, work, n, s, a.overlay, camera_url, rtmp)
            else:
                pids[label] = start_appliance(procs, work, n, s, a.mode, a.overlay,
                                              camera_url, rtmp)
        pids["camera (vistter-sim)"] = sim.pid
        print(f"mode {a.mode}{' with overlay' if a.overlay else ''}; warm-up {a.warmup_s:.0f} s, "
              f"{a.windows} windows of {a.window_s:.0f} s; logs in {work}", flush=True)
        time.sleep(a.warmup_s)
        cpu = {k: [] for k in pids}
        switches = {k: [] for k in pids}
        for w in range(a.windows):
            c0 = {k: cpu_seconds(p) for k, p in pids.items()}
            s0 = {k: context_switches(p) for k, p in pids.items()}
            t0 = time.monotonic()
            time.sleep(a.window_s)
            dt = time.monotonic() - t0
            for k, p in pids.items():
                cpu[k].append((cpu_seconds(p) - c0[k]) * 60 / dt)
                switches[k].append((context_switches(p) - s0[k]) / dt)
            print(f"window {w + 1}: " + "; ".join(
                f"{k} {cpu[k][-1]:.2f} CPU s/min, {switches[k][-1]:.0f} cs/s" for k in pids),
                flush=True)
        refs = [k for k in pids if k.split(":", 1)[-1] in ("ffmpeg", "seed")]
        ref = refs[-1] if refs else None
        print("\n| subject | CPU s/min (median) | per window | ratio to reference (median of "
              "per-window ratios) | context switches/s |")
        print("|---|---:|---|---:|---:|")
        for k in pids:
            ratio = ""
            if ref and k != "camera (vistter-sim)":
                ratio = f"{statistics.median(x / y for x, y in zip(cpu[k], cpu[ref])):.2f}x"
            print(f"| {k} | {statistics.median(cpu[k]):.2f} | "
                  f"{' / '.join(f'{x:.2f}' for x in cpu[k])} | {ratio} | "
                  f"{statistics.median(switches[k]):.0f} |")
    finally:
        procs.stop_all()


if __name__ == "__main__":
    main()
