"""Only fresh notifications signed with the shared secret change a profile. (The `avatar.ready`
path, which reads the avatar back from S3, is tested against the real servers in examples/e2e.)"""

import json
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from conftest import WEBHOOK_SECRET, login

from avatar_backend import signing

SIGNING_JS = Path(__file__).resolve().parents[2] / "lambda-thumbnail" / "signing.js"


def issued_upload(client, user="alice"):
    return client.post("/api/avatars/key_upload", headers=login(client, user), json={}).get_json()


def rejected(upload, user="alice", event_id=None):
    return json.dumps(
        {
            "id": event_id or str(uuid.uuid4()),
            "type": "avatar.rejected",
            "sub": user,
            "upload_key": upload["key"],
            "error": {"code": "ERR_UNSUPPORTED_FORMAT", "message": "unsupported image format: text"},
        }
    ).encode()


def post(client, body, header):
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers[signing.HEADER] = header
    return client.post("/webhooks/avatar", data=body, headers=headers)


def test_signed_notification_is_recorded(client):
    upload = issued_upload(client)
    body = rejected(upload)
    response = post(client, body, signing.sign(WEBHOOK_SECRET.encode(), body))
    assert response.status_code == 200, response.get_json()
    status = client.get(f"/api/avatars/uploads/{upload['upload_id']}", headers=login(client, "alice")).get_json()
    assert status["status"] == "rejected" and "ERR_UNSUPPORTED_FORMAT" in status["error"]


@pytest.mark.parametrize("how", ["unsigned", "wrong-secret", "tampered-body", "stale", "future", "malformed"])
def test_forged_notification_is_401(client, how):
    upload = issued_upload(client)
    body = rejected(upload)
    header = {
        "unsigned": None,
        "wrong-secret": signing.sign(b"not-the-secret", body),
        "tampered-body": signing.sign(WEBHOOK_SECRET.encode(), body.replace(b"alice", b"alicf")),
        "stale": signing.sign(WEBHOOK_SECRET.encode(), body, int(time.time()) - 301),
        "future": signing.sign(WEBHOOK_SECRET.encode(), body, int(time.time()) + 301),
        "malformed": "v1=deadbeef",
    }[how]
    assert post(client, body, header).status_code == 401
    status = client.get(f"/api/avatars/uploads/{upload['upload_id']}", headers=login(client, "alice")).get_json()
    assert status["status"] == "issued"


def test_replayed_notification_is_401(client):
    upload = issued_upload(client)
    body = rejected(upload)
    header = signing.sign(WEBHOOK_SECRET.encode(), body)
    assert post(client, body, header).status_code == 200
    replay = post(client, body, header)
    assert replay.status_code == 401 and "replayed" in replay.get_json()["error"]


def test_notification_for_someone_elses_upload_is_refused(client):
    upload = issued_upload(client, "bob")
    body = rejected(upload, user="alice")  # alice's name on bob's key
    assert post(client, body, signing.sign(WEBHOOK_SECRET.encode(), body)).status_code == 404


def test_avatar_outside_the_users_folder_is_refused(client):
    upload = issued_upload(client)
    body = json.dumps(
        {"id": str(uuid.uuid4()), "type": "avatar.ready", "sub": "alice", "upload_key": upload["key"], "avatar_key": "avatars/bob/x.jpg"}
    ).encode()
    assert post(client, body, signing.sign(WEBHOOK_SECRET.encode(), body)).status_code == 422


def test_node_handler_signature_verifies_here():
    """The handler (Node) and the backend (Python) implement the scheme separately: same bytes."""
    body = b'{"id":"x","note":"caf\xc3\xa9"}'
    script = (
        "const { signatureHeader } = require(process.argv[1]);"
        "process.stdout.write(signatureHeader(process.argv[2], Buffer.from(process.argv[3], 'base64'), 1700000000));"
    )
    import base64

    header = subprocess.run(
        ["node", "-e", script, str(SIGNING_JS), WEBHOOK_SECRET, base64.b64encode(body).decode()],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert header == signing.sign(WEBHOOK_SECRET.encode(), body, 1700000000)
    assert signing.verify(WEBHOOK_SECRET.encode(), body, header, 300, now=1700000100) == 1700000000


@pytest.mark.parametrize(
    "variants",
    [
        "webp",
        [{"format": "webp", "key": "avatars/alice/0123456789abcdef.png"}],
        [{"format": "webp", "key": "avatars/bob/0123456789abcdef.webp"}],
        [{"format": "gif", "key": "avatars/alice/0123456789abcdef.gif"}],
        [{"format": "webp", "key": "avatars/alice/0123456789abcdef.webp"}] * 2,
        [{"format": "webp"}],
    ],
)
def test_variants_not_beside_the_avatar_are_refused(client, variants):
    # Refused from the names alone, before anything is read from S3.
    upload = issued_upload(client)
    body = json.dumps(
        {
            "id": str(uuid.uuid4()),
            "type": "avatar.ready",
            "sub": "alice",
            "upload_key": upload["key"],
            "avatar_key": "avatars/alice/0123456789abcdef.jpg",
            "variants": variants,
        }
    ).encode()
    response = post(client, body, signing.sign(WEBHOOK_SECRET.encode(), body))
    assert response.status_code == 422, response.get_json()
    assert "variants" in response.get_json()["error"]


def test_a_database_from_before_the_variants_gains_the_column(tmp_path):
    import sqlite3

    from avatar_backend import store

    path = tmp_path / "old.sqlite3"
    old_schema = store.SCHEMA.replace("    variants    TEXT NOT NULL DEFAULT '',\n", "")
    assert old_schema != store.SCHEMA
    with sqlite3.connect(path) as db:
        db.executescript(old_schema)
        db.execute("INSERT INTO uploads (upload_id, sub, issued_at) VALUES ('u', 'alice', 0)")
    store.init(str(path))
    db = store.connect(str(path))
    store.mark_ready(db, "alice", "u", "avatars/alice/0123456789abcdef.jpg", 512, 512, "webp")
    assert store.current_avatar(db, "alice")["variants"] == "webp"
