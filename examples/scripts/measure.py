"""End-to-end and handler timings over the real-photo corpus, on a running stack (FLOW_* env):

    python flowstack.py run -- python measure.py [--rounds N] [corpus dir]   (make -C examples measure)

For each photo: presigned POST → poll the backend until the handler has reported → first CDN
request (a MISS, so the bytes come from S3 through nginx). "end to end" runs from the start of
the upload to the last byte from the CDN; "handler" is the Lambda's own time for the record
(S3 read, thumbsmith, S3 write, webhook) as the event bridge recorded it. A measurement, not a
test: the numbers depend on the machine and what else runs on it, hence several rounds
(each as another user, so that every first CDN request is a MISS) and medians.
"""

from __future__ import annotations

import argparse
import mimetypes
import os
import statistics
import sys
import time
from pathlib import Path

import requests
import thumbsmith

BACKEND = os.environ["FLOW_BACKEND_URL"]
BRIDGE = os.environ["FLOW_BRIDGE_URL"]
BRIDGE_AUTH = {"Authorization": f"Bearer {os.environ['FLOW_BRIDGE_TOKEN']}"}


def upload_one(auth, photo: Path) -> dict | str:
    data = photo.read_bytes()
    # The backend signs the exact type into the policy; it takes the four thumbsmith reads (the
    # bytes decide what a file is, so another file goes as image/jpeg and is judged by them).
    content_type = mimetypes.guess_type(photo.name)[0]
    if content_type not in ("image/jpeg", "image/png", "image/webp", "image/gif"):
        content_type = "image/jpeg"
    presigned = requests.post(f"{BACKEND}/api/avatars/key_upload", headers=auth, json={"content_type": content_type},
                              timeout=10).json()
    started = time.perf_counter()
    response = requests.post(presigned["url"], data=presigned["fields"],
                             files={"file": (photo.name, data, content_type)}, timeout=60)
    if response.status_code != 204:
        code = response.text.split("<Code>")[1].split("</Code>")[0] if "<Code>" in response.text else response.status_code
        return f"refused by S3: {code} ({len(data)} bytes)"
    uploaded = time.perf_counter()
    while True:
        status = requests.get(f"{BACKEND}/api/avatars/uploads/{presigned['upload_id']}", headers=auth, timeout=10).json()
        if status["status"] != "issued":
            break
        time.sleep(0.005)
    if status["status"] != "ready":
        return f"refused by the handler: {status['error']}"
    avatar = requests.get(status["avatar_url"], timeout=10)
    assert avatar.status_code == 200 and avatar.headers["X-Cache-Status"] == "MISS", avatar.headers
    end_to_end = (time.perf_counter() - started) * 1000
    return {"upload": (uploaded - started) * 1000, "e2e": end_to_end, **handler_result(presigned["key"])["timings"]}


def handler_result(key: str, timeout: float = 10) -> dict:
    """The handler's result for `key`, once the bridge has it: the webhook that marks the upload
    ready is sent from inside the handler, so the invocation may still be finishing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in reversed(requests.get(f"{BRIDGE}/invocations", headers=BRIDGE_AUTH, timeout=10).json()):
            if entry.get("result") and entry["result"]["results"][0].get("key") == key:
                return entry["result"]["results"][0]
        time.sleep(0.01)
    raise TimeoutError(f"no invocation for {key}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("corpus", nargs="?", default=os.path.expanduser("~/.cache/thumbsmith-corpus"))
    args = parser.parse_args()
    photos = sorted(p for p in Path(args.corpus).glob("*/*") if p.is_file())
    if not photos:
        print(f"no photos under {args.corpus}: run shared/corpus/fetch.sh first", file=sys.stderr)
        return 1
    runs: dict[Path, list[dict]] = {photo: [] for photo in photos}
    refused: dict[Path, str] = {}
    for round_ in range(args.rounds):
        user = f"measure-{os.getpid()}-{round_}"
        token = requests.post(f"{BACKEND}/api/dev/login", json={"user": user}, timeout=10).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        for photo in photos:  # interleaved: every photo once per round
            outcome = upload_one(auth, photo)
            if isinstance(outcome, str):
                refused[photo] = outcome
            else:
                runs[photo].append(outcome)

    med = statistics.median
    print(f"medians of {args.rounds} rounds; ms")
    print(f"{'photo':<34} {'bytes':>9} {'upright':>11} {'upload':>7} {'e2e':>7} {'handler':>8} {'read':>6} {'thumbsmith':>10} {'write':>6} {'notify':>7}")
    for photo in photos:
        name = f"{photo.parent.name}/{photo.name}"
        if photo in refused:
            print(f"{name:<34} {refused[photo]}")
            continue
        header = thumbsmith.metadata(photo.read_bytes())
        r = runs[photo]
        print(f"{name:<34} {photo.stat().st_size:>9} {header.oriented_width:>5}×{header.oriented_height:<5} "
              + " ".join(f"{med(x[k] for x in r):>{w}.1f}" for k, w in (("upload", 7), ("e2e", 7), ("total_ms", 8), ("read_ms", 6), ("process_ms", 10), ("write_ms", 6), ("notify_ms", 7))))
    done = [x for r in runs.values() for x in r]
    if done:
        per_photo = {k: [med(x[k] for x in r) for r in runs.values() if r] for k in ("e2e", "total_ms", "process_ms")}
        print(f"\n{len(per_photo['e2e'])} photos processed, {len(refused)} refused. Across photos (each its median): "
              f"end to end median {med(per_photo['e2e']):.1f} ms (max {max(per_photo['e2e']):.1f}); "
              f"handler median {med(per_photo['total_ms']):.1f} ms (max {max(per_photo['total_ms']):.1f}), "
              f"of which thumbsmith {med(per_photo['process_ms']):.1f} ms (max {max(per_photo['process_ms']):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
