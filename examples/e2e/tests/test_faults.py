"""The flow with a piece failing, on the real servers. Each fault, and what it is in production,
is in examples/README.md ("Faults").

The bridge stands in for Lambda's asynchronous invocation of the handler: it queues each S3
event durably, retries a failed one twice (after 2 and 4 s here; ~1 and ~2 min on AWS) and then
puts it in a dead-letter queue (the CDK app's SQS `ThumbnailFailures`), from which it is
redriven. Its /faults endpoint makes the handler's S3 client see the assets store refuse (503
SlowDown, as S3 answers when it sheds load) or stall its writes."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import load
import pytest
import requests
import thumbsmith
from conftest import FIXTURES, SAMPLE, avatar_objects


# ----- helpers -----
def bridge(flow, method: str, path: str, **kwargs):
    response = requests.request(method, f"{flow.bridge}{path}", headers={"Authorization": f"Bearer {flow.bridge_token}"},
                                timeout=30, **kwargs)
    response.raise_for_status()
    return response.json() if response.content else None


def set_faults(flow, **faults):
    return bridge(flow, "POST", "/faults", json=faults)


def attempts(flow, key: str) -> list[dict]:
    """Every finished invocation for `key`, from the bridge's log file (it outlives restarts)."""
    return [e for e in load.handler_log(flow.run_dir) if e["event"]["Records"][0]["s3"]["object"]["key"] == key]


def outcomes(flow, key: str) -> list[str]:
    return [e["result"]["results"][0]["status"] if "result" in e else "failed" for e in attempts(flow, key)]


def wait_for(check, what: str, timeout: float = 60, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what} after {timeout}s")


def keys(flow, bucket: str, prefix: str) -> list[str]:
    return [o["Key"] for o in flow.s3().list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]


def start_upload(flow, user: str, photo: bytes, content_type="image/jpeg") -> tuple[dict, dict]:
    headers = flow.login(user)
    presigned = flow.key_upload(headers, content_type=content_type)
    response = flow.post_file(presigned, photo, content_type=content_type)
    assert response.status_code == 204, response.text
    return headers, presigned


def assert_one_avatar(flow, user: str, presigned: dict, status: dict, photo: bytes):
    """Ready, exactly one avatar object and one receipt, the CDN serves the binding's bytes, and
    the handler processed the upload exactly once."""
    assert status["status"] == "ready", status
    assert flow.profile(user)["avatar_url"] == status["avatar_url"]
    assert keys(flow, flow.assets_bucket, f"avatars/{user}/") == avatar_objects(flow, status)
    assert len(keys(flow, flow.assets_bucket, f"receipts/{user}/")) == 1
    served = requests.get(status["avatar_url"], timeout=10)
    assert served.status_code == 200 and served.content == thumbsmith.process(photo, width=512, height=512).data
    wait_for(lambda: "processed" in outcomes(flow, presigned["key"]), "the handler's log entry", 30)
    assert outcomes(flow, presigned["key"]).count("processed") == 1, outcomes(flow, presigned["key"])


@pytest.fixture(autouse=True)
def no_faults_left(flow):
    yield
    set_faults(flow)
    pids = flow.pids()
    for name in ("backend", "bridge"):
        if name not in pids:
            flow.control("start", name=name)


# ----- the assets store refuses writes -----
def test_assets_store_refusing_writes_for_a_while_is_retried_and_nothing_half_written_is_public(flow, user):
    photo = SAMPLE.read_bytes()
    set_faults(flow, refuse_puts_ms=3000)
    refused_from = time.monotonic()
    headers, presigned = start_upload(flow, user, photo)
    # While the store refuses, nothing of this upload is in the public folder or on the CDN.
    while time.monotonic() - refused_from < 2.5:
        assert keys(flow, flow.assets_bucket, f"avatars/{user}/") == []
        time.sleep(0.2)
    status = flow.wait_for_upload(headers, presigned["upload_id"], timeout=60)
    assert_one_avatar(flow, user, presigned, status, photo)
    # The first attempt failed on the store's 503 and a later one (Lambda's retry) made it.
    tried = outcomes(flow, presigned["key"])
    assert tried[0] == "failed" and tried[-1] == "processed", tried
    assert "Please reduce your request rate" in attempts(flow, presigned["key"])[0]["error"]  # S3's SlowDown


def test_assets_store_refusing_longer_than_the_retries_dead_letters_the_event_and_a_redrive_completes_it(flow, user):
    photo = (FIXTURES / "photo.jpg").read_bytes()
    set_faults(flow, refuse_puts_ms=600_000)
    headers, presigned = start_upload(flow, user, photo)
    dead = wait_for(lambda: [d for d in bridge(flow, "GET", "/dlq") if d["key"] == presigned["key"]], "no dead letter", 60)
    assert dead[0]["attempts"] == 3  # the first try and Lambda's two retries
    assert outcomes(flow, presigned["key"]) == ["failed"] * 3
    assert keys(flow, flow.assets_bucket, f"avatars/{user}/") == []
    assert requests.get(f"{flow.backend}/api/avatars/uploads/{presigned['upload_id']}", headers=headers,
                        timeout=10).json()["status"] == "issued"
    assert flow.profile(user)["avatar_url"] is None

    set_faults(flow)  # the store is back
    redriven = bridge(flow, "POST", "/dlq/redrive", json={"key": presigned["key"]})
    assert redriven["redriven"] == 1
    status = flow.wait_for_upload(headers, presigned["upload_id"], timeout=60)
    assert_one_avatar(flow, user, presigned, status, photo)
    assert not [d for d in bridge(flow, "GET", "/dlq") if d["key"] == presigned["key"]]


# ----- the webhook receiver is down -----
def test_backend_down_when_the_handler_notifies_gets_the_avatar_to_the_profile_once_it_is_back(flow, user):
    photo = (FIXTURES / "exif-5.jpg").read_bytes()
    headers = flow.login(user)
    presigned = flow.key_upload(headers)
    flow.control("stop", name="backend")
    try:
        assert flow.post_file(presigned, photo).status_code == 204
        # The handler makes the avatar, then cannot notify: the invocation fails and is retried.
        wait_for(lambda: "failed" in outcomes(flow, presigned["key"]), "no failed notification", 30)
        # Written (the JPEG and its variants, one content hash), not yet named.
        assert len({k.rsplit(".", 1)[0] for k in keys(flow, flow.assets_bucket, f"avatars/{user}/")}) == 1
        assert keys(flow, flow.assets_bucket, f"receipts/{user}/") == []  # not acknowledged
    finally:
        flow.control("start", name="backend")
    status = flow.wait_for_upload(headers, presigned["upload_id"], timeout=60)
    assert_one_avatar(flow, user, presigned, status, photo)


# ----- the handler dies mid-job -----
def test_handler_killed_mid_job_is_redelivered_and_completes_once(flow, user):
    photo = SAMPLE.read_bytes()
    set_faults(flow, stall_puts_ms=600_000)  # the job hangs at its avatar write
    headers, presigned = start_upload(flow, user, photo)
    wait_for(lambda: presigned["key"] in bridge(flow, "GET", "/queue")["running"], "the job never started", 30)
    killed = flow.control("stop", name="bridge", signal="SIGKILL")
    assert killed["returncode"] == -9
    assert outcomes(flow, presigned["key"]) == []  # it died before it could log anything
    assert keys(flow, flow.assets_bucket, f"avatars/{user}/") == []
    flow.control("start", name="bridge")  # a new process: no faults, the queued event is still there
    status = flow.wait_for_upload(headers, presigned["upload_id"], timeout=60)
    assert_one_avatar(flow, user, presigned, status, photo)
    assert bridge(flow, "GET", "/queue") == {"queued": [], "running": [], "delayed": []}


# ----- the backend restarts mid-upload -----
def test_backend_killed_and_restarted_mid_upload_keeps_its_database_intact(flow, user):
    # Someone else's avatar, from before: it must survive the crash untouched.
    other = f"{user}-other"
    _, before = flow.upload(other, (FIXTURES / "photo.jpg").read_bytes())
    other_profile = flow.profile(other)

    photos = load.with_expected_avatars(load.generated_photos(4))
    users = [f"{user}-{i}" for i in range(4)]
    started = []
    for name, photo in zip(users, photos):
        headers = flow.login(name)
        started.append((name, headers, flow.key_upload(headers), photo))
    # All four posted at once; the backend dies while the handler is notifying it about them.
    threads = [threading.Thread(target=lambda p=presigned, ph=photo: flow.post_file(p, ph.data)) for _, _, presigned, photo in started]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    flow.control("stop", name="backend", signal="SIGKILL")
    for thread in threads:
        thread.join()
    time.sleep(1)
    flow.control("start", name="backend")

    for name, headers, presigned, photo in started:
        status = flow.wait_for_upload(headers, presigned["upload_id"], timeout=60)
        assert status["status"] == "ready", status
        served = requests.get(status["avatar_url"], timeout=10)
        assert served.content == photo.expected
        assert keys(flow, flow.assets_bucket, f"avatars/{name}/") == avatar_objects(flow, status)
        wait_for(lambda: "processed" in outcomes(flow, presigned["key"]), "the handler's log entry", 30)
        assert outcomes(flow, presigned["key"]).count("processed") == 1
    db = sqlite3.connect(f"file:{Path(flow.run_dir) / 'avatars.sqlite3'}?mode=ro", uri=True)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = db.execute(f"SELECT sub, status FROM uploads WHERE sub IN ({','.join('?' * len(users))})", users).fetchall()
    assert sorted(rows) == sorted((name, "ready") for name in users)
    db.close()
    def stored(profile):  # the profile as the database has it (served_at is the answer's time)
        return {k: v for k, v in profile.items() if k != "served_at"}

    assert stored(flow.profile(other)) == stored(other_profile) and other_profile["avatar_url"] == before["avatar_url"]


# ----- bad uploads: refused, reported, nothing written -----
@pytest.mark.parametrize(
    "name, code",
    [("text.txt", "ERR_UNSUPPORTED_FORMAT"), ("bomb.png", "ERR_LIMIT_EXCEEDED"), ("truncated.jpg", "ERR_CORRUPT_INPUT")],
)
def test_a_bad_upload_is_refused_reported_once_and_nothing_is_written(flow, user, name, code):
    headers, presigned = start_upload(flow, user, (FIXTURES / name).read_bytes())
    status = flow.wait_for_upload(headers, presigned["upload_id"])
    assert status["status"] == "rejected" and status["error"].startswith(code), status
    assert keys(flow, flow.assets_bucket, f"avatars/{user}/") == []
    assert flow.profile(user)["avatar_url"] is None
    # Deterministic: rejected at the first attempt, never retried, and the receipt says so.
    wait_for(lambda: outcomes(flow, presigned["key"]), "the handler's log entry", 30)
    assert outcomes(flow, presigned["key"]) == ["rejected"]
    (receipt,) = keys(flow, flow.assets_bucket, f"receipts/{user}/")
    body = flow.s3().get_object(Bucket=flow.assets_bucket, Key=receipt)["Body"].read()
    assert b'"status":"rejected"' in body and code.encode() in body


def test_an_upload_over_the_limit_is_refused_by_the_bucket_and_nothing_reaches_the_handler(flow, user):
    headers = flow.login(user)
    presigned = flow.key_upload(headers)
    too_big = SAMPLE.read_bytes() + bytes(10 << 20)  # a valid JPEG with trailing bytes, > 10 MiB
    response = flow.post_file(presigned, too_big)
    assert response.status_code == 400 and b"EntityTooLarge" in response.content
    assert keys(flow, flow.uploads_bucket, f"uploads/{user}/") == []
    time.sleep(1)  # what the handler would need to be told of it: it is not
    assert outcomes(flow, presigned["key"]) == []
    assert keys(flow, flow.assets_bucket, f"avatars/{user}/") == []
    assert requests.get(f"{flow.backend}/api/avatars/uploads/{presigned['upload_id']}", headers=headers,
                        timeout=10).json()["status"] == "issued"


def test_an_object_over_the_limit_written_around_the_presigned_post_is_rejected_by_the_handler(flow, user):
    """Another writer with the bucket's credentials (no content-length-range): the handler's own
    MAX_INPUT_BYTES refuses it from the event's size, before reading it, and reports it."""
    headers = flow.login(user)
    presigned = flow.key_upload(headers)
    flow.s3().put_object(Bucket=flow.uploads_bucket, Key=presigned["key"], Body=SAMPLE.read_bytes() + bytes(11 << 20),
                         ContentType="image/jpeg")
    status = flow.wait_for_upload(headers, presigned["upload_id"])
    assert status["status"] == "rejected" and status["error"].startswith("ERR_LIMIT_EXCEEDED"), status
    assert keys(flow, flow.assets_bucket, f"avatars/{user}/") == []
    wait_for(lambda: outcomes(flow, presigned["key"]), "the handler's log entry", 30)
    assert outcomes(flow, presigned["key"]) == ["rejected"]
