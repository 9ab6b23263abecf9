"""Upload → S3 event → handler → assets bucket → CDN, on the real servers."""

import requests
import thumbsmith
from conftest import FIXTURES, SAMPLE

IMMUTABLE = "public, max-age=31536000, immutable"


def cdn_get(url):
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, (url, response.status_code, response.text[:200])
    return response


def test_sideways_phone_photo_becomes_an_upright_512_avatar_on_the_cdn(flow, user):
    photo = SAMPLE.read_bytes()
    assert thumbsmith.metadata(photo).orientation == 6
    presigned, status = flow.upload(user, photo)
    assert status["status"] == "ready", status
    profile = flow.profile(user)
    assert profile["avatar_url"] == status["avatar_url"]
    assert profile["avatar_url"].startswith(f"{flow.cdn}/avatars/{user}/")
    assert (profile["width"], profile["height"]) == (512, 512)

    first = cdn_get(profile["avatar_url"])
    assert first.headers["X-Cache-Status"] == "MISS"
    assert first.headers["Content-Type"] == "image/jpeg"
    assert first.headers["Cache-Control"] == IMMUTABLE
    header = thumbsmith.metadata(first.content)
    assert (header.format, header.width, header.height, header.orientation) == ("jpeg", 512, 512, 1)
    assert not header.has_exif and not header.has_gps
    # The Node handler wrote exactly what the Python binding makes: one core, same bytes.
    expected = thumbsmith.process(photo, width=512, height=512)
    assert first.content == expected.data
    # Upright: the same as explicitly turning the stored pixels 90° clockwise, not as leaving them.
    assert first.content == thumbsmith.process(photo, width=512, height=512, auto_orient=False, rotate=90).data
    assert first.content != thumbsmith.process(photo, width=512, height=512, auto_orient=False).data

    second = cdn_get(profile["avatar_url"])
    assert second.headers["X-Cache-Status"] == "HIT"
    assert second.content == first.content


def test_the_signed_crop_is_applied(flow, user):
    photo = SAMPLE.read_bytes()
    crop = {"left": 700, "top": 150, "width": 700, "height": 700}
    _, status = flow.upload(user, photo, crop=crop)
    assert status["status"] == "ready", status
    avatar = cdn_get(status["avatar_url"]).content
    assert avatar == thumbsmith.process(photo, crop=crop, width=512, height=512).data


def test_reupload_gives_a_new_url_at_once_and_the_old_one_stays_cached(flow, user):
    _, first = flow.upload(user, SAMPLE.read_bytes())
    old_url = first["avatar_url"]
    old_bytes = cdn_get(old_url).content  # now in the CDN cache

    _, second = flow.upload(user, (FIXTURES / "photo.jpg").read_bytes())
    assert second["status"] == "ready"
    # As soon as the handler has reported, the profile names the new, different URL.
    new_url = flow.profile(user)["avatar_url"]
    assert new_url == second["avatar_url"] != old_url
    fresh = cdn_get(new_url)
    assert fresh.headers["X-Cache-Status"] == "MISS"
    assert fresh.content != old_bytes
    # The old URL is untouched and still served from the cache: no invalidation was needed
    # (pages that still show it keep working, and nothing stale is ever served as the new one).
    old = cdn_get(old_url)
    assert old.headers["X-Cache-Status"] == "HIT"
    assert old.content == old_bytes


def test_same_picture_twice_is_the_same_immutable_object(flow, user):
    _, first = flow.upload(user, (FIXTURES / "photo.jpg").read_bytes())
    _, second = flow.upload(user, (FIXTURES / "photo.jpg").read_bytes())
    assert first["avatar_url"] == second["avatar_url"]


def test_redelivered_event_does_no_duplicate_work(flow, user):
    presigned, status = flow.upload(user, (FIXTURES / "exif-3.jpg").read_bytes())
    assert status["status"] == "ready"
    invocation = flow.invocation_for(presigned["key"])
    assert invocation["result"]["results"][0]["status"] == "processed"
    s3 = flow.s3()
    avatar_key = invocation["result"]["results"][0]["avatarKey"]
    before = s3.head_object(Bucket=flow.assets_bucket, Key=avatar_key)
    profile_before = flow.profile(user)

    # The same event again, as S3 / Lambda may deliver it (at-least-once).
    response = requests.post(
        f"{flow.bridge}/invoke",
        json=invocation["event"],
        headers={"Authorization": f"Bearer {flow.bridge_token}"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.json()["results"] == [{"status": "duplicate", "key": presigned["key"]}]
    after = s3.head_object(Bucket=flow.assets_bucket, Key=avatar_key)
    assert after["LastModified"] == before["LastModified"] and after["ETag"] == before["ETag"]
    assert flow.profile(user)["updated_at"] == profile_before["updated_at"]
    # The JPEG and its variants, nothing more.
    assert s3.list_objects_v2(Bucket=flow.assets_bucket, Prefix=f"avatars/{user}/")["KeyCount"] == 1 + len(profile_before["avatar_sources"])


def test_other_image_formats_and_bad_images(flow, user):
    for name in ("lossless.webp", "palette-trns.png", "animated.gif", "mislabelled.jpg"):
        _, status = flow.upload(f"{user}-{name.split('.')[0]}", (FIXTURES / name).read_bytes())
        assert status["status"] == "ready", (name, status)
    for name, code in (("truncated.jpg", "ERR_CORRUPT_INPUT"), ("bomb.png", "ERR_LIMIT_EXCEEDED"), ("random.bin", "ERR_UNSUPPORTED_FORMAT")):
        _, status = flow.upload(user, (FIXTURES / name).read_bytes())
        assert status["status"] == "rejected" and code in status["error"], (name, status)
    assert flow.profile(user)["avatar_url"] is None


def test_uploads_bucket_allows_only_the_page_origin(flow):
    """CORS on the uploads bucket: the page's origin may POST, another origin may not."""
    preflight = {"Access-Control-Request-Method": "POST"}
    url = f"{flow.s3_url}/{flow.uploads_bucket}/"
    ok = requests.options(url, headers={**preflight, "Origin": flow.backend}, timeout=10)
    assert ok.headers.get("Access-Control-Allow-Origin") == flow.backend
    evil = requests.options(url, headers={**preflight, "Origin": "http://evil.test"}, timeout=10)
    assert evil.headers.get("Access-Control-Allow-Origin") is None


def test_only_avatars_are_public(flow, user):
    presigned, status = flow.upload(user, (FIXTURES / "photo.jpg").read_bytes())
    flow.invocation_for(presigned["key"])  # the receipt is written last
    key = status["avatar_url"].removeprefix(flow.cdn + "/")
    assert requests.get(f"{flow.s3_url}/{flow.assets_bucket}/{key}", timeout=10).status_code == 200
    # Uploads and receipts are private, and the CDN proxies nothing else.
    uploads = flow.s3().list_objects_v2(Bucket=flow.uploads_bucket, Prefix=f"uploads/{user}/")["Contents"]
    assert requests.get(f"{flow.s3_url}/{flow.uploads_bucket}/{uploads[0]['Key']}", timeout=10).status_code == 403
    receipts = flow.s3().list_objects_v2(Bucket=flow.assets_bucket, Prefix=f"receipts/{user}/")["Contents"]
    assert requests.get(f"{flow.s3_url}/{flow.assets_bucket}/{receipts[0]['Key']}", timeout=10).status_code == 403
    assert requests.get(f"{flow.cdn}/{flow.uploads_bucket}/{uploads[0]['Key']}", timeout=10).status_code == 404
