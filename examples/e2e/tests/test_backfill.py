"""The backfill (lambda-thumbnail/backfill.js) against SeaweedFS, the backend and the CDN: uploads
made before the variants existed get them, and running it again does nothing."""

import json
import sqlite3
import tempfile
from pathlib import Path

import requests
from backfill import run_backfill
from conftest import FIXTURES


def as_before_the_variants(flow, user: str) -> list[str]:
    """Turns the user's uploads back into what the flow made before the variants: the JPEG, a
    receipt naming only it, no variants in the database. Returns the WebP keys removed."""
    s3 = flow.s3()
    removed = []
    for obj in s3.list_objects_v2(Bucket=flow.assets_bucket, Prefix=f"avatars/{user}/").get("Contents", []):
        if not obj["Key"].endswith(".jpg"):
            s3.delete_object(Bucket=flow.assets_bucket, Key=obj["Key"])
            removed.append(obj["Key"])
    for obj in s3.list_objects_v2(Bucket=flow.assets_bucket, Prefix=f"receipts/{user}/")["Contents"]:
        receipt = json.loads(s3.get_object(Bucket=flow.assets_bucket, Key=obj["Key"])["Body"].read())
        old = {k: receipt[k] for k in ("status", "key", "etag", "avatar_key")}
        s3.put_object(Bucket=flow.assets_bucket, Key=obj["Key"], Body=json.dumps(old).encode(), ContentType="application/json")
    with sqlite3.connect(Path(flow.run_dir) / "avatars.sqlite3", timeout=30) as db:
        db.execute("UPDATE uploads SET variants = '' WHERE sub = ?", (user,))
    return removed


def test_backfill_adds_the_variants_once_and_then_does_nothing(flow, user):
    names = ["photo.jpg", "exif-6.jpg", "exif-1.jpg"]
    for name in names:
        _, status = flow.upload(user, (FIXTURES / name).read_bytes())
        assert status["status"] == "ready", status
    webps = as_before_the_variants(flow, user)
    assert len([k for k in webps if k.endswith(".webp")]) == 3
    assert flow.profile(user)["avatar_sources"] == []
    env = {**flow.env}
    prefix = ["--prefix", f"uploads/{user}/", "--concurrency", "2"]
    with tempfile.TemporaryDirectory() as tmp:
        first = run_backfill(env, Path(tmp), *prefix)
        again = run_backfill(env, Path(tmp), *prefix)
        restarted = run_backfill(env, Path(tmp), *prefix, "--restart")
    assert (first["objects"], first["counts"], first["failures"]) == (3, {"updated": 3}, [])
    assert again["objects"] == 0
    assert (restarted["objects"], restarted["counts"]) == (3, {"duplicate": 3})
    s3 = flow.s3()
    for key in webps:
        head = s3.head_object(Bucket=flow.assets_bucket, Key=key)
        assert head["ContentType"] == f"image/{key.rsplit('.', 1)[1]}"
    # The backend heard of them: the newest upload's profile lists the WebP, which the CDN serves.
    sources = {s["type"]: s["url"] for s in flow.profile(user)["avatar_sources"]}
    served = requests.get(sources["image/webp"], timeout=10)
    assert (served.status_code, served.headers["Content-Type"]) == (200, "image/webp")
