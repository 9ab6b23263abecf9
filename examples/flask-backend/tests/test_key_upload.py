"""The presigned POST is bound to the user, the type, the size and five minutes. (That S3 enforces
these conditions is tested against the real server in examples/e2e.)"""

import base64
import json
import time

from conftest import login

KEY_UPLOAD = "/api/avatars/key_upload"


def policy_of(fields):
    return json.loads(base64.b64decode(fields["policy"]))


def test_key_is_the_users_folder_and_a_fresh_id(client):
    headers = login(client, "alice")
    first = client.post(KEY_UPLOAD, headers=headers, json={}).get_json()
    second = client.post(KEY_UPLOAD, headers=headers, json={}).get_json()
    assert first["key"] == f"uploads/alice/{first['upload_id']}"
    assert first["key"] != second["key"]
    assert first["url"] == "http://127.0.0.1:9/uploads/"
    assert first["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"  # SigV4, not SigV2


def test_policy_binds_key_type_size_and_expiry(client):
    before = time.time()
    body = client.post(KEY_UPLOAD, headers=login(client, "alice"), json={}).get_json()
    policy = policy_of(body["fields"])
    conditions = policy["conditions"]
    assert {"key": body["key"]} in conditions
    assert {"bucket": "uploads"} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions  # when the request names no type
    assert ["content-length-range", 1, 10 * 1024 * 1024] in conditions
    expires = time.mktime(time.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert 295 <= expires - before <= 305
    assert body["expires_in"] == 300 and body["max_bytes"] == 10 * 1024 * 1024


def test_crop_is_signed_into_the_policy(client):
    crop = {"left": 10, "top": 20, "width": 300, "height": 300}
    body = client.post(KEY_UPLOAD, headers=login(client, "alice"), json={"crop": crop, "content_type": "image/jpeg"}).get_json()
    assert body["fields"]["x-amz-meta-crop"] == "10,20,300,300"
    assert body["fields"]["Content-Type"] == "image/jpeg"
    assert {"x-amz-meta-crop": "10,20,300,300"} in policy_of(body["fields"])["conditions"]


def test_caller_cannot_choose_the_key_or_odd_values(client):
    headers = login(client, "alice")
    for body in (
        {"key": "uploads/bob/x"},
        {"sub": "bob"},
        {"content_type": "text/plain"},
        {"crop": {"left": -1, "top": 0, "width": 10, "height": 10}},
        {"crop": {"left": 0, "top": 0, "width": 0, "height": 10}},
        {"crop": {"left": 0, "top": 0, "width": 1.5, "height": 10}},
        {"crop": "0,0,10,10"},
        ["not", "an", "object"],
    ):
        response = client.post(KEY_UPLOAD, headers=headers, json=body)
        assert response.status_code == 400, body


def test_upload_status_is_private_to_its_owner(client):
    alice = login(client, "alice")
    upload_id = client.post(KEY_UPLOAD, headers=alice, json={}).get_json()["upload_id"]
    mine = client.get(f"/api/avatars/uploads/{upload_id}", headers=alice)
    assert mine.status_code == 200 and mine.get_json()["status"] == "issued"
    assert client.get(f"/api/avatars/uploads/{upload_id}", headers=login(client, "bob")).status_code == 404
    assert client.get(f"/api/avatars/uploads/{upload_id}").status_code == 401


def test_api_answers_are_not_cacheable(client):
    response = client.get("/api/profile/alice")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["avatar_url"] is None


# ----- the policy names every field a client may send (issue 31, finding 4) -----

# What AWS S3 exempts from "each form field must appear in the policy's conditions": the
# signature itself, the policy, the file, and fields named x-ignore-*.
EXEMPT = {"policy", "x-amz-signature", "file"}


def exact_conditions(policy):
    """{field name (lower case): value} for every exact-match condition; fails on any other kind
    but the size range, which names no field."""
    named = {}
    for condition in policy["conditions"]:
        if isinstance(condition, dict):
            ((name, value),) = condition.items()
        elif condition[0] == "eq":
            name, value = condition[1].removeprefix("$"), condition[2]
        else:
            assert condition[0] == "content-length-range", f"not an exact condition: {condition}"
            continue
        named[name.lower()] = value
    return named


def test_every_field_handed_out_is_signed_exactly_and_nothing_else_is_allowed(client):
    """AWS S3 refuses a POST carrying any field its policy does not name (so no acl,
    success_action_redirect or Cache-Control can be added), and every field the backend hands out
    is pinned to its exact value: the client may send exactly these fields and no others."""
    headers = login(client, "alice")
    crop = {"left": 1, "top": 2, "width": 30, "height": 40}
    for body in ({}, {"content_type": "image/png"}, {"content_type": "image/webp", "crop": crop}):
        answer = client.post(KEY_UPLOAD, headers=headers, json=body).get_json()
        fields = {k.lower(): v for k, v in answer["fields"].items() if k.lower() not in EXEMPT}
        named = exact_conditions(policy_of(answer["fields"]))
        # `bucket` is named by the policy but travels in the URL, not as a field.
        assert named.pop("bucket") == "uploads"
        assert named == fields, body
        assert fields["content-type"] == body.get("content_type", "image/jpeg")


def test_policy_has_no_prefix_conditions(client):
    body = client.post(KEY_UPLOAD, headers=login(client, "alice"), json={}).get_json()
    assert not [c for c in policy_of(body["fields"])["conditions"] if isinstance(c, list) and c[0] == "starts-with"]
