"""The backfill on the running stack: lambda-thumbnail/backfill.js over the uploads bucket.

    make -C examples backfill                       # seed N uploads made before the variants, backfill, report
    python scripts/flowstack.py run -- python scripts/backfill.py --seed 0   # backfill a stack as it is

With `--seed N` (what `make backfill` does) the stack's handler was started with
AVATAR_FORMATS=jpeg, so N uploads through the real flow (scripts/load.py: users log in, presigned
POSTs, generated phone-sized photos) end up as they did before the variants existed: a JPEG and a
receipt naming it. Then the backfill runs three times with every variant:

1. from scratch: each upload gets its WebP (and AVIF when the binding writes it) → objects/s;
2. again with its checkpoint: nothing is listed;
3. again from scratch (`--restart`): every upload is a duplicate of its receipt, nothing written.

Afterwards every upload's profile row names its variants and the CDN serves them. The report
(JSON with --json) has the three runs and the problems found; the exit status is 1 on any.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent
BACKFILL_JS = EXAMPLES / "lambda-thumbnail" / "backfill.js"


def handler_env(env: dict) -> dict:
    """What the handler needs, from the stack's FLOW_* variables; every variant (no AVATAR_FORMATS)."""
    out = {k: v for k, v in os.environ.items() if k != "AVATAR_FORMATS"}
    out.update(
        {
            "AWS_ACCESS_KEY_ID": env["FLOW_S3_KEY"],
            "AWS_SECRET_ACCESS_KEY": env["FLOW_S3_SECRET"],
            "AWS_REGION": "us-east-1",
            "S3_ENDPOINT_URL": env["FLOW_S3_URL"],
            "UPLOADS_BUCKET_NAME": env["FLOW_UPLOADS_BUCKET"],
            "DEST_BUCKET_NAME": env["FLOW_ASSETS_BUCKET"],
            "AVATAR_WEBHOOK_URL": env["FLOW_BACKEND_URL"] + "/webhooks/avatar",
            "AVATAR_WEBHOOK_SECRET": env["FLOW_WEBHOOK_SECRET"],
        }
    )
    return out


def run_backfill(env: dict, workdir: Path, *args: str) -> dict:
    """One run of backfill.js; its report (failures included)."""
    report = workdir / "report.json"
    proc = subprocess.run(
        ["node", str(BACKFILL_JS), "--checkpoint", str(workdir / "checkpoint.json"), "--report", str(report), *args],
        env=handler_env(env), capture_output=True, text=True, timeout=3600,
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"backfill.js exited {proc.returncode}: {proc.stderr[-2000:]}")
    return json.loads(report.read_text())


def check_profiles(env: dict, subs: list[str]) -> list[str]:
    """Every user's profile names a WebP source the CDN serves as image/webp."""
    problems = []
    for sub in subs:
        profile = requests.get(f"{env['FLOW_BACKEND_URL']}/api/profile/{sub}", timeout=10).json()
        types = {s["type"]: s["url"] for s in profile.get("avatar_sources", [])}
        if "image/webp" not in types:
            problems.append(f"{sub}: profile has no WebP source: {profile}")
            continue
        served = requests.get(types["image/webp"], timeout=10)
        if served.status_code != 200 or served.headers.get("Content-Type") != "image/webp":
            problems.append(f"{sub}: CDN answered {served.status_code} {served.headers.get('Content-Type')} for the WebP")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=200, help="uploads to make first (0: backfill the stack as it is)")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--json", help="write the report here")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    report: dict = {"seed": args.seed, "concurrency": args.concurrency, "problems": []}
    subs: list[str] = []
    if args.seed:
        if os.environ.get("AVATAR_FORMATS") != "jpeg":
            print("--seed needs the stack's handler started with AVATAR_FORMATS=jpeg (make backfill does)", file=sys.stderr)
            return 2
        users = min(args.users, args.seed)
        photos = load.with_expected_avatars(load.generated_photos(-(-args.seed // users)))
        seeded = load.run_load(env, users, args.seed, photos, prefix="backfill")
        report["seeding"] = {k: seeded[k] for k in ("uploads", "wall_s", "throughput_per_s")}
        report["problems"] += [f"seeding: {p}" for p in seeded["problems"]]
        subs = [f"backfill-{u:03d}" for u in range(users)]
    with tempfile.TemporaryDirectory(prefix="backfill-") as tmp:
        workdir = Path(tmp)
        concurrency = ["--concurrency", str(args.concurrency)]
        runs = {
            "first": run_backfill(env, workdir, *concurrency),
            "with_checkpoint": run_backfill(env, workdir, *concurrency),
            "restarted": run_backfill(env, workdir, *concurrency, "--restart"),
        }
    for name, run in runs.items():
        report["problems"] += [f"{name}: {f['key']}: {f['error']}" for f in run["failures"]]
    first, again, restarted = runs["first"], runs["with_checkpoint"], runs["restarted"]
    if again["objects"]:
        report["problems"].append(f"the run with the checkpoint listed {again['objects']} objects")
    if set(restarted["counts"]) - {"duplicate", "skipped"}:
        report["problems"].append(f"the restarted run did work: {restarted['counts']}")
    if args.seed and first["counts"].get("updated") != args.seed:
        report["problems"].append(f"{args.seed} seeded, first run: {first['counts']}")
    report["problems"] += check_profiles(env, subs)
    report["runs"] = runs
    summary = {name: {k: run[k] for k in ("objects", "counts", "seconds", "objects_per_s")} for name, run in runs.items()}
    print(json.dumps({"seeding": report.get("seeding"), "runs": summary, "problems": report["problems"]}, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
