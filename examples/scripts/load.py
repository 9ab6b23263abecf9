"""The avatar flow under load: N users each upload their share of M photos, all users at once,
against the real servers (SeaweedFS, the Flask backend, the bridge + Node handler, nginx).

    python scripts/flowstack.py run -- python scripts/load.py --users 50 --uploads 500
    python scripts/load.py --users 8 --uploads 40          # starts and stops its own stack
    make -C examples load                                   # the full run (50 users, 500 photos)

Each user logs in and, one after the other, asks for a presigned POST, posts a photo to the
uploads bucket, polls the backend until the upload is no longer `issued`, and fetches the
avatar from the CDN. Upload→served latency runs from the start of the POST to the end of the
CDN's answer. Peak RSS of each server (with its child processes: nginx's workers) is sampled
every 100 ms and read from the kernel's high-water mark.

Afterwards every upload is checked against the database, both buckets, the handler's log and
the CDN: exactly one avatar written and one webhook acknowledged per upload (the handler writes
its receipt only after the backend answered 2xx), the avatar the CDN serves is byte for byte
what the Python binding makes of the photo, no object in a user's avatar folder that the
database does not name, each profile on its user's newest upload. `check()` returns the
problems as a list; the report (JSON with --json) has the counts and the timings.

Photos: real ones from ~/.cache/thumbsmith-corpus (shared/corpus/fetch.sh) with `--photos
corpus`, or (the default, and what CI uses) phone-sized JPEGs (1.2–12 MP, 0.3–3 MB) made
from the bundled sample photo. A user never uploads the same picture twice, so every upload
has an avatar of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import requests
import thumbsmith
from botocore.config import Config

EXAMPLES = Path(__file__).resolve().parent.parent
REPO = EXAMPLES.parent
SAMPLE = EXAMPLES / "assets" / "sample-exif6.jpg"
CORPUS = Path(os.environ.get("THUMBSMITH_CORPUS", Path.home() / ".cache" / "thumbsmith-corpus"))
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
MAX_UPLOAD_BYTES = 10 << 20  # the presigned POST's content-length-range (10 MiB)
MAX_PIXELS = 50_000_000  # the handler's default MAX_INPUT_PIXELS


@dataclass
class Photo:
    name: str
    data: bytes
    content_type: str
    expected: bytes = b""  # the avatar the Python binding makes: the handler must serve these bytes


@dataclass
class Upload:
    user: str
    index: int
    photo: Photo
    upload_id: str = ""
    key: str = ""
    status: str = ""
    avatar_url: str | None = None
    error: str | None = None
    posted_at: float = 0.0
    ready_s: float = 0.0  # POST start → backend says ready
    served_s: float = 0.0  # POST start → the CDN has answered with the avatar
    served: bytes = b""
    problems: list[str] = field(default_factory=list)


# ----- photos -----
def generated_photos(count: int) -> list[Photo]:
    """Distinct phone-sized JPEGs from the sample photo: upright, 1.2–12 MP, q90–94, 0.3–3 MB."""
    sample = SAMPLE.read_bytes()
    sizes = [(1600, 1000), (2400, 1500), (3264, 2040), (4032, 2520), (2000, 1250), (4400, 2750)]
    photos = []
    for i in range(count):
        width, height = sizes[i % len(sizes)]
        # A different window of the picture each time: different pixels, different avatars.
        crop = {"left": 7 * i % 300, "top": 5 * i % 200, "width": 1200, "height": 750}
        result = thumbsmith.process(sample, crop=crop, width=width, height=height, fit="fill", quality=90 + i % 5)
        photos.append(Photo(f"generated-{i}-{width}x{height}.jpg", result.data, "image/jpeg"))
    return photos


def corpus_photos(root: Path = CORPUS) -> list[Photo]:
    """Every corpus file the flow takes: an image thumbsmith reads, ≤ 10 MB, ≤ 50 MP."""
    photos = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if not data or len(data) > MAX_UPLOAD_BYTES:
            continue
        try:
            meta = thumbsmith.metadata(data)
        except thumbsmith.Error:
            continue
        if meta.format not in CONTENT_TYPES or meta.width * meta.height > MAX_PIXELS:
            continue
        photos.append(Photo(str(path.relative_to(root)), data, CONTENT_TYPES[meta.format]))
    if not photos:
        raise FileNotFoundError(f"no usable photos in {root} (run shared/corpus/fetch.sh)")
    return photos


def with_expected_avatars(photos: list[Photo]) -> list[Photo]:
    for photo in photos:
        photo.expected = thumbsmith.process(photo.data, width=512, height=512).data
    return photos


# ----- memory -----
def tree_rss_kb(pid: int, children: dict[int, list[int]]) -> tuple[int, int]:
    """(RSS now, sum of each process's peak RSS) of pid and its descendants, in KiB."""
    rss = hwm = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
        stack.extend(children.get(current, ()))
    return rss, hwm


def process_children() -> dict[int, list[int]]:
    children = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # pid (comm) state ppid …; comm may hold spaces and parentheses
        ppid = int(text.rsplit(")", 1)[1].split()[1])
        children[ppid].append(int(stat.parent.name))
    return children


class RssSampler:
    """Samples each server's RSS (its process tree) every `interval` seconds."""

    def __init__(self, pids, interval: float = 0.1):
        self.pids = pids  # callable: name → pid, asked again each time (a server may restart)
        self.interval = interval
        self.peak_kb: dict[str, int] = defaultdict(int)
        self.hwm_kb: dict[str, int] = defaultdict(int)
        self.first_kb: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss", daemon=True)

    def _sample(self):
        children = process_children()
        for name, pid in self.pids().items():
            rss, hwm = tree_rss_kb(pid, children)
            self.first_kb.setdefault(name, rss)
            self.peak_kb[name] = max(self.peak_kb[name], rss)
            self.hwm_kb[name] = max(self.hwm_kb[name], hwm)

    def _run(self):
        while not self._stop.wait(self.interval):
            try:
                self._sample()
            except Exception:  # noqa: BLE001 - a process that went away between the reads
                pass

    def __enter__(self):
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()


# ----- the users -----
class Client:
    """What a browser does, against the FLOW_* addresses."""

    def __init__(self, env: dict):
        self.env = env
        self.backend = env["FLOW_BACKEND_URL"]
        self.cdn = env["FLOW_CDN_URL"]

    def login(self, session: requests.Session, user: str) -> dict:
        response = session.post(f"{self.backend}/api/dev/login", json={"user": user}, timeout=30)
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def s3(self):
        return boto3.client(
            "s3",
            endpoint_url=self.env["FLOW_S3_URL"],
            aws_access_key_id=self.env["FLOW_S3_KEY"],
            aws_secret_access_key=self.env["FLOW_S3_SECRET"],
            region_name="us-east-1",
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, max_pool_connections=20),
        )

    def run_user(self, user: str, uploads: list[Upload], timeout: float, poll: float = 0.05):
        with requests.Session() as session:
            headers = self.login(session, user)
            for upload in uploads:
                self.run_upload(session, headers, upload, timeout, poll)

    def run_upload(self, session, headers, upload: Upload, timeout: float, poll: float):
        photo = upload.photo
        response = session.post(f"{self.backend}/api/avatars/key_upload", headers=headers,
                                 json={"content_type": photo.content_type}, timeout=30)
        response.raise_for_status()
        presigned = response.json()
        upload.upload_id, upload.key = presigned["upload_id"], presigned["key"]
        fields = {**presigned["fields"], "Content-Type": photo.content_type}
        started = time.monotonic()
        upload.posted_at = time.time()
        posted = session.post(presigned["url"], data=fields, files={"file": (photo.name, photo.data, photo.content_type)}, timeout=60)
        if posted.status_code != 204:
            upload.problems.append(f"POST to the bucket answered {posted.status_code}: {posted.text[:200]}")
            return
        deadline = started + timeout
        status = {"status": "issued"}
        while time.monotonic() < deadline:
            status = session.get(f"{self.backend}/api/avatars/uploads/{upload.upload_id}", headers=headers, timeout=30).json()
            if status["status"] != "issued":
                break
            time.sleep(poll)
        upload.ready_s = time.monotonic() - started
        upload.status, upload.avatar_url, upload.error = status["status"], status.get("avatar_url"), status.get("error")
        if upload.status != "ready":
            upload.problems.append(f"upload {upload.status} after {upload.ready_s:.1f}s: {upload.error}")
            return
        served = session.get(upload.avatar_url, timeout=30)
        upload.served_s = time.monotonic() - started
        if served.status_code != 200:
            upload.problems.append(f"CDN answered {served.status_code} for {upload.avatar_url}")
        upload.served = served.content


def plan(users: int, uploads: int, photos: list[Photo], prefix: str) -> dict[str, list[Upload]]:
    """uploads spread over users as evenly as they go; user u's j-th photo is photos[(u·k + j) % P]
    with k = its share, so nobody uploads the same picture twice while P ≥ the largest share."""
    share = -(-uploads // users)
    if len(photos) < share:
        raise ValueError(f"{len(photos)} distinct photos for {share} uploads per user: a user would repeat one")
    by_user: dict[str, list[Upload]] = {}
    for n in range(uploads):
        u, j = n % users, n // users
        user = f"{prefix}-{u:03d}"
        by_user.setdefault(user, []).append(Upload(user, j, photos[(u * share + j) % len(photos)]))
    return by_user


# ----- after the run: nothing lost, nothing twice, nothing inconsistent -----
def handler_log(run_dir: str) -> list[dict]:
    path = Path(run_dir) / "logs" / "invocations.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def settled_log(run_dir: str, keys: set[str], timeout: float = 60) -> list[dict]:
    """The handler's log once every key has a finished invocation. The backend marks an upload
    ready when the handler notifies it; the handler then writes its receipt and only then does
    the bridge log the invocation, so the last few are still running when the users are done."""
    deadline = time.monotonic() + timeout
    while True:
        log = handler_log(run_dir)
        finished = {r["s3"]["object"]["key"] for e in log if "result" in e for r in e["event"].get("Records", [])}
        if keys <= finished or time.monotonic() > deadline:
            return log
        time.sleep(0.2)


def check(env: dict, by_user: dict[str, list[Upload]], client: Client) -> tuple[list[str], dict]:
    problems: list[str] = []
    uploads = [u for us in by_user.values() for u in us]
    for upload in uploads:
        problems += [f"{upload.key or upload.user}: {p}" for p in upload.problems]
        if upload.served and upload.served != upload.photo.expected:
            problems.append(f"{upload.key}: the CDN served other bytes than the binding makes of {upload.photo.name}")

    # The handler's log: per upload key, what each invocation ended as.
    outcomes: dict[str, Counter] = defaultdict(Counter)
    for entry in settled_log(env["FLOW_RUN_DIR"], {u.key for u in uploads if u.key}):
        keys = [r["s3"]["object"]["key"] for r in entry["event"].get("Records", [])]
        if "result" in entry:
            for result in entry["result"]["results"]:
                outcomes[result.get("key", "?")][result["status"]] += 1
        else:
            for key in keys:
                outcomes[key]["failed"] += 1
    ours = {u.key for u in uploads}
    processed = Counter({key: outcomes[key]["processed"] for key in ours})
    lost = [key for key in ours if processed[key] == 0]
    duplicated = [key for key in ours if processed[key] > 1]
    problems += [f"{key}: never processed ({dict(outcomes[key])})" for key in lost]
    problems += [f"{key}: processed {processed[key]} times" for key in duplicated]

    # Database, buckets and CDN agree.
    s3 = client.s3()
    db = sqlite3.connect(f"file:{Path(env['FLOW_RUN_DIR']) / 'avatars.sqlite3'}?mode=ro", uri=True, timeout=30)
    db.row_factory = sqlite3.Row
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    if integrity != "ok":
        problems.append(f"database integrity_check: {integrity}")

    def keys(bucket: str, prefix: str) -> list[str]:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [o["Key"] for page in pages for o in page.get("Contents", [])]

    assets, uploads_bucket = env["FLOW_ASSETS_BUCKET"], env["FLOW_UPLOADS_BUCKET"]
    receipts_per_upload = Counter()
    for user, user_uploads in by_user.items():
        rows = {r["upload_id"]: r for r in db.execute("SELECT * FROM uploads WHERE sub = ?", (user,))}
        avatar_objects = set(keys(assets, f"avatars/{user}/"))
        named = set()
        for upload in user_uploads:
            row = rows.get(upload.upload_id)
            if row is None:
                problems.append(f"{upload.key}: not in the database")
                continue
            if row["status"] != "ready":
                problems.append(f"{upload.key}: database says {row['status']}")
                continue
            # The JPEG and the variants beside it under the same hash (AVIF/WebP).
            stem = row["avatar_key"].rsplit(".", 1)[0]
            for key in [row["avatar_key"], *(f"{stem}.{fmt}" for fmt in filter(None, row["variants"].split(",")))]:
                named.add(key)
                if key not in avatar_objects:
                    problems.append(f"{upload.key}: database names {key}, not in the bucket")
        for orphan in sorted(avatar_objects - named):
            problems.append(f"{orphan}: in the bucket, named by no upload in the database")
        avatar_objects = {k for k in avatar_objects if k.endswith(".jpg")}
        if len(avatar_objects) != len(user_uploads):
            problems.append(f"{user}: {len(avatar_objects)} avatars in the bucket for {len(user_uploads)} distinct uploads")
        for key in keys(assets, f"receipts/{user}/"):
            receipts_per_upload[key.split("/")[2]] += 1
        stored_uploads = keys(uploads_bucket, f"uploads/{user}/")
        if len(stored_uploads) != len(user_uploads):
            problems.append(f"{user}: {len(stored_uploads)} objects in uploads/ for {len(user_uploads)} uploads")
        # The profile is the newest upload's avatar, and the CDN serves it.
        profile = requests.get(f"{client.backend}/api/profile/{user}", timeout=30).json()
        newest = max(user_uploads, key=lambda u: u.index)
        if profile.get("avatar_url") != newest.avatar_url:
            problems.append(f"{user}: profile shows {profile.get('avatar_url')}, newest upload is {newest.avatar_url}")
        elif newest.avatar_url:
            cdn = requests.get(newest.avatar_url, timeout=30)
            if cdn.status_code != 200 or cdn.content != newest.photo.expected:
                problems.append(f"{user}: the CDN's copy of the profile avatar is not the expected avatar")
    for upload in uploads:
        if receipts_per_upload[upload.upload_id] != 1:
            problems.append(f"{upload.key}: {receipts_per_upload[upload.upload_id]} receipts (webhook acknowledgements)")
    db.close()
    counts = {
        "uploads": len(uploads),
        "ready": sum(u.status == "ready" for u in uploads),
        "served": sum(bool(u.served) and u.served == u.photo.expected for u in uploads),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "webhooks_acknowledged": sum(receipts_per_upload[u.upload_id] for u in uploads),
        "handler_failures": sum(outcomes[k]["failed"] for k in ours),
        "problems": len(problems),
    }
    return problems, counts


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def run_load(env: dict, users: int, uploads: int, photos: list[Photo], pids=None, prefix: str | None = None,
             timeout: float = 300) -> dict:
    """Runs the load against the stack `env` describes; returns the report (with `problems`)."""
    client = Client(env)
    prefix = prefix or f"load{int(time.time()) % 10**6}"
    by_user = plan(users, uploads, photos, prefix)
    sampler = RssSampler(pids or (lambda: {}))
    started = time.monotonic()
    with sampler, ThreadPoolExecutor(max_workers=users) as pool:
        futures = [pool.submit(client.run_user, user, us, timeout) for user, us in by_user.items()]
        errors = [f.exception() for f in futures]
    wall = time.monotonic() - started
    problems = [f"user failed: {e!r}" for e in errors if e]
    more, counts = check(env, by_user, client)
    problems += more
    served = [u.served_s for us in by_user.values() for u in us if u.served]
    ready = [u.ready_s for us in by_user.values() for u in us if u.status == "ready"]
    return {
        "users": users,
        "uploads": uploads,
        "photos": len(photos),
        "photo_bytes_mean": round(statistics.mean(len(u.photo.data) for us in by_user.values() for u in us)),
        "wall_s": round(wall, 2),
        "throughput_per_s": round(len(served) / wall, 2),
        "upload_to_served_s": {"p50": round(percentile(served, 50), 3), "p95": round(percentile(served, 95), 3),
                               "max": round(max(served, default=float("nan")), 3)},
        "upload_to_ready_s": {"p50": round(percentile(ready, 50), 3), "p95": round(percentile(ready, 95), 3),
                              "max": round(max(ready, default=float("nan")), 3)},
        "peak_rss_mib": {name: round(kb / 1024, 1) for name, kb in sorted(sampler.peak_kb.items())},
        "peak_rss_hwm_mib": {name: round(kb / 1024, 1) for name, kb in sorted(sampler.hwm_kb.items())},
        "rss_at_start_mib": {name: round(kb / 1024, 1) for name, kb in sorted(sampler.first_kb.items())},
        **counts,
        "problems": problems,
    }


def format_report(report: dict) -> str:
    latency = report["upload_to_served_s"]
    lines = [
        f"{report['users']} users, {report['uploads']} uploads ({report['photos']} distinct photos, "
        f"{report['photo_bytes_mean'] / 1e6:.2f} MB mean) in {report['wall_s']:.1f}s: "
        f"{report['throughput_per_s']:.2f} avatars/s",
        f"upload→served  p50 {latency['p50']:.2f}s  p95 {latency['p95']:.2f}s  max {latency['max']:.2f}s",
        "peak RSS (sampled, MiB): " + ", ".join(f"{k} {v}" for k, v in report["peak_rss_mib"].items()),
        "peak RSS (kernel high-water mark, MiB): " + ", ".join(f"{k} {v}" for k, v in report["peak_rss_hwm_mib"].items()),
        f"ready {report['ready']}, served as expected {report['served']}, webhooks acknowledged "
        f"{report['webhooks_acknowledged']}, lost {report['lost']}, duplicated {report['duplicated']}, "
        f"handler failures (retried) {report['handler_failures']}, problems {len(report['problems'])}",
    ]
    lines += [f"  problem: {p}" for p in report["problems"][:50]]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--uploads", type=int, default=500)
    parser.add_argument("--photos", choices=("generated", "corpus"), default="generated")
    parser.add_argument("--distinct", type=int, default=24, help="generated photos to make (≥ uploads per user)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds an upload may take to be ready")
    parser.add_argument("--json", type=Path, help="write the report here too")
    args = parser.parse_args(argv)

    photos = corpus_photos() if args.photos == "corpus" else generated_photos(max(args.distinct, -(-args.uploads // args.users)))
    with_expected_avatars(photos)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from flowstack import FlowStack, control

    def run(env):
        pids = (lambda: control(env["FLOW_CONTROL"], "pids")["pids"]) if env.get("FLOW_CONTROL") else None
        return run_load(env, args.users, args.uploads, photos, pids=pids, timeout=args.timeout)

    if "FLOW_BACKEND_URL" in os.environ:
        report = run(dict(os.environ))
    else:
        with FlowStack(verbose=False) as stack:
            report = run(stack.env())
    print(format_report(report), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
