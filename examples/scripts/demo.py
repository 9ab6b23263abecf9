"""`make demo`: the serverless avatar flow on this machine, with one scripted upload.

Starts SeaweedFS, the event bridge (running the Lambda handler), the Flask backend and nginx on
127.0.0.1, then does what the browser page does with examples/assets/sample-exif6.jpg (a phone
photo stored sideways): log in → presigned POST → S3 event → handler → assets bucket → webhook →
profile → CDN. Prints the CDN URL, each step's time and the page URL, then keeps everything up
until Ctrl-C. DEMO_KEEP=0 (the default without a terminal) stops right after the upload.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import requests
import thumbsmith

sys.path.insert(0, str(Path(__file__).resolve().parent))
from flowstack import EXAMPLES, REPO, FlowStack, Interrupted, _raise_interrupted  # noqa: E402

SAMPLE = EXAMPLES / "assets" / "sample-exif6.jpg"


class Steps:
    def __init__(self):
        self.rows: list[tuple[str, float]] = []

    def timed(self, name, fn, *args, **kwargs):
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        self.rows.append((name, (time.perf_counter() - started) * 1000))
        return result

    def add(self, name, ms):
        self.rows.append((name, ms))


def run_upload(stack: FlowStack) -> None:
    steps = Steps()
    photo = SAMPLE.read_bytes()
    header = thumbsmith.metadata(photo)
    print(f"\nuploading {SAMPLE.relative_to(REPO)}: {header.width}×{header.height} stored, EXIF orientation "
          f"{header.orientation} → shown {header.oriented_width}×{header.oriented_height}")

    base = stack.backend_url
    login = steps.timed("dev login (JWT)", requests.post, f"{base}/api/dev/login", json={"user": "demo"}, timeout=10)
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    presigned = steps.timed("presigned POST from the backend", requests.post, f"{base}/api/avatars/key_upload",
                            headers=auth, json={"content_type": "image/jpeg"}, timeout=10).json()
    upload_started = time.perf_counter()
    response = steps.timed("upload to S3 (presigned POST)", requests.post, presigned["url"], data=presigned["fields"],
                           files={"file": (SAMPLE.name, photo, "image/jpeg")}, timeout=30)
    response.raise_for_status()

    def wait_ready():
        while True:
            status = requests.get(f"{base}/api/avatars/uploads/{presigned['upload_id']}", headers=auth, timeout=10).json()
            if status["status"] != "issued":
                return status
            time.sleep(0.02)

    status = steps.timed("S3 event → handler → webhook → profile", wait_ready)
    if status["status"] != "ready":
        raise SystemExit(f"the handler refused the sample: {status}")
    profile = requests.get(f"{base}/api/profile/demo", timeout=10).json()
    first = steps.timed("CDN first request", requests.get, profile["avatar_url"], timeout=10)
    end_to_end = (time.perf_counter() - upload_started) * 1000
    second = steps.timed("CDN second request", requests.get, profile["avatar_url"], timeout=10)

    invocation = None
    for _ in range(500):  # the handler sends the webhook, then returns: give it a moment
        log = requests.get(f"{stack.bridge_url}/invocations", headers={"Authorization": f"Bearer {stack.secrets['bridge']}"}, timeout=10).json()
        invocation = next((e for e in reversed(log) if e.get("result") and e["result"]["results"][0].get("key") == presigned["key"]), None)
        if invocation:
            break
        time.sleep(0.01)
    avatar = thumbsmith.metadata(first.content)
    out = REPO / "out" / "flow-avatar.jpg"
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(first.content)

    print(f"\navatar   {profile['avatar_url']}")
    print(f"         {avatar.format} {avatar.width}×{avatar.height}, orientation {avatar.orientation} (upright), "
          f"{len(first.content)} bytes, Cache-Control: {first.headers.get('Cache-Control')}")
    print(f"         CDN: {first.headers.get('X-Cache-Status')} then {second.headers.get('X-Cache-Status')}; "
          f"copy in {out.relative_to(REPO)}")
    print("\nstep                                          ms")
    for name, ms in steps.rows:
        print(f"  {name:<42} {ms:8.1f}")
    if invocation:
        for name, ms in invocation["result"]["results"][0]["timings"].items():
            print(f"    handler {name:<34} {ms:8.1f}")
    print(f"  {'upload → avatar served by the CDN':<42} {end_to_end:8.1f}")


def main() -> int:
    signal.signal(signal.SIGTERM, _raise_interrupted)
    signal.signal(signal.SIGHUP, _raise_interrupted)
    keep = os.environ.get("DEMO_KEEP", "1" if sys.stdin.isatty() else "0") == "1"
    stack = FlowStack()
    print(f"starting the avatar flow (SeaweedFS, event bridge + handler, backend, nginx) in {stack.run_dir}", flush=True)
    try:
        stack.start()
        print(f"  all up in {stack.timings['start_s']:.1f}s")
        run_upload(stack)
        print(f"\npage     {stack.backend_url}/   (log in, pick a photo, crop, upload)")
        print(f"profile  {stack.backend_url}/api/profile/demo")
        if keep:
            print("\nEverything keeps running; Ctrl-C stops it.", flush=True)
            while True:
                time.sleep(3600)
    except (KeyboardInterrupt, Interrupted):
        print("\nstopping (SeaweedFS takes ~15 s)", flush=True)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
