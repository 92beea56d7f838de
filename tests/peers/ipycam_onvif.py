#!/usr/bin/env python3
"""Test peer: ipycam 1.3.0's ONVIF SOAP server as a *non-conformant* ONVIF device.

Used by the ONVIF client tests: ipycam's PTZ replies are not namespace-well-formed
(unbound `ptz:`/`tptz:` prefixes, unfilled `{{...}}` placeholders), and our client
must fail cleanly within its timeout on them.

Serves ONLY ipycam's HTTP/ONVIF handler, on 127.0.0.1. It never calls
IPCamera.start(), so there is no WS-Discovery (UDP 3702 multicast), no 0.0.0.0
bind, no go2rtc / RTSP / MJPEG / webcam. No auth unless --user/--password given
(then WS-Security UsernameToken is required).

    pip install --no-deps ipycam==1.3.0      # numpy / opencv are stubbed if absent
    python3 tests/peers/ipycam_onvif.py --port 18080   (--port 0: any free port)
    -> prints "READY <port>" once listening; exits 0 on SIGTERM / SIGINT.
"""
import argparse, importlib.util, os, signal, socketserver, sys, tempfile, threading, types

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--user", default="")
ap.add_argument("--password", default="")
args = ap.parse_args()

# ipycam.config/streamer/ptz import numpy and cv2 at module level but only use
# them for frame processing; stub them when missing to keep CI installs tiny.
for mod in ("numpy", "cv2"):
    if importlib.util.find_spec(mod) is None:
        sys.modules[mod] = types.SimpleNamespace(ndarray=object)

# Bypass ipycam/__init__.py (it pulls in camera/webrtc/rtsp/recorder).
spec = importlib.util.find_spec("ipycam")
pkg = types.ModuleType("ipycam")
pkg.__path__ = list(spec.submodule_search_locations)
sys.modules["ipycam"] = pkg
from ipycam.config import CameraConfig  # noqa: E402
from ipycam.onvif import ONVIFService  # noqa: E402
from ipycam.ptz import PTZController  # noqa: E402
from ipycam.http import IPCameraHTTPHandler  # noqa: E402

tmp = tempfile.TemporaryDirectory(prefix="ipycam_peer_")
os.chdir(tmp.name)  # PTZController reads/writes ptz_presets.json in CWD


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


server = Server(("127.0.0.1", args.port), IPCameraHTTPHandler)  # --port 0 = pick a free port
port = server.server_address[1]
# local_ip set explicitly: skips get_local_ip() and makes advertised XAddrs loopback.
config = CameraConfig(local_ip="127.0.0.1", onvif_port=port,
                      username=args.user, password=args.password)
ptz = PTZController(output_width=config.main_width, output_height=config.main_height)
IPCameraHTTPHandler.camera = types.SimpleNamespace(config=config, ptz=ptz,
                                                   onvif=ONVIFService(config, ptz))
signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
signal.signal(signal.SIGINT, lambda *_: threading.Thread(target=server.shutdown).start())
print(f"READY {port}", flush=True)
server.serve_forever()
server.server_close()
ptz.stop()
os.chdir("/")
tmp.cleanup()
