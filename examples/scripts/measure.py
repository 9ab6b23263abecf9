"""End-to-end and handler timings over the real-photo corpus, on a running stack (FLOW_* env):

    python flowstack.py run -- python measure.py [corpus dir]     (make -C examples measure)

For each photo: presigned POST → poll the backend until the handler has reported → first CDN
request (a MISS, so the bytes come from S3 through nginx). "end to end" runs from the start of
the upload to the last byte from the CDN; "handler" is the Lambda's own time for the record
(S3 read, thumbsmith, S3 write, webhook) as the event bridge recorded it. A measurement, not a
test: the numbers depend on the machine and what else runs on it.
"""

from __future__ import annotations

import mimetypes
import os
import statistics
import sys
import time
from pathlib import Path

import requests
import thumbsmith

CORPUS = Path(sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/thumbsmith-corpus"))
BACKEND = os.environ["FLOW_BACKEND_URL"]
BRIDGE = os.environ["FLOW_BRIDGE_URL"]
BRIDGE_AUTH = {"Authorization": f"Bearer {os.environ['FLOW_BRIDGE_TOKEN']}"}


def main() -> int:
    photos = sorted(p for p in CORPUS.glob("*/*") if p.is_file())
    if not photos:
        print(f"no photos under {CORPUS}: run shared/corpus/fetch.sh first", file=sys.stderr)
        return 1
    token = requests.post(f"{BACKEND}/api/dev/login", json={"user": "measure"}, timeout=10).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    rows = []
    print(f"{'photo':<34} {'bytes':>9} {'source':>11} {'upload':>8} {'e2e ms':>8} {'handler':>8} {'thumbsmith':>10}")
    for photo in photos:
        data = photo.read_bytes()
        header = thumbsmith.metadata(data)
        presigned = requests.post(f"{BACKEND}/api/avatars/key_upload", headers=auth, json={}, timeout=10).json()
        content_type = mimetypes.guess_type(photo.name)[0] or "image/jpeg"
        started = time.perf_counter()
        response = requests.post(presigned["url"], data={**presigned["fields"], "Content-Type": content_type},
                                 files={"file": (photo.name, data, content_type)}, timeout=60)
        response.raise_for_status()
        uploaded = time.perf_counter()
        while True:
            status = requests.get(f"{BACKEND}/api/avatars/uploads/{presigned['upload_id']}", headers=auth, timeout=10).json()
            if status["status"] != "issued":
                break
            time.sleep(0.005)
        if status["status"] != "ready":
            print(f"{photo.parent.name}/{photo.name:<30} refused: {status['error']}")
            continue
        avatar = requests.get(status["avatar_url"], timeout=10)
        assert avatar.status_code == 200 and avatar.headers["X-Cache-Status"] == "MISS"
        end_to_end = (time.perf_counter() - started) * 1000
        result = next(
            e["result"]["results"][0]
            for e in reversed(requests.get(f"{BRIDGE}/invocations", headers=BRIDGE_AUTH, timeout=10).json())
            if e.get("result") and e["result"]["results"][0].get("key") == presigned["key"]
        )
        timings = result["timings"]
        rows.append((end_to_end, timings["total_ms"], timings["process_ms"]))
        name = f"{photo.parent.name}/{photo.name}"
        print(f"{name:<34} {len(data):>9} {header.oriented_width:>5}×{header.oriented_height:<5} "
              f"{(uploaded - started) * 1000:>8.1f} {end_to_end:>8.1f} {timings['total_ms']:>8.1f} {timings['process_ms']:>10.1f}")
    if rows:
        e2e, handler, process = zip(*rows)
        print(f"\n{len(rows)} photos; median end to end {statistics.median(e2e):.1f} ms (max {max(e2e):.1f}), "
              f"median handler {statistics.median(handler):.1f} ms (max {max(handler):.1f}), "
              f"of which thumbsmith {statistics.median(process):.1f} ms median (max {max(process):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
