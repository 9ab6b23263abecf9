"""What the CDN stand-in serves, and what it must not let a client change (issue 31, findings 2
and 6). It models CloudFront in the CDK app: no query string reaches the origin or the cache key."""

import requests
from conftest import FIXTURES

POISON = {"response-content-type": "text/html", "response-content-disposition": "attachment; filename=x.html"}


def test_a_query_string_cannot_change_what_the_cdn_serves_or_caches(flow, user):
    _, status = flow.upload(user, (FIXTURES / "photo.jpg").read_bytes())
    assert status["status"] == "ready", status
    url = status["avatar_url"]
    # The origin honours these on anonymous GETs: asked directly, it answers as told.
    direct = requests.get(f"{flow.s3_url}/{flow.assets_bucket}/{url.removeprefix(flow.cdn + '/')}", params=POISON, timeout=10)
    assert direct.headers["Content-Type"] == "text/html"
    # The first request for this fresh URL carries them; it, and everyone after it, get the JPEG.
    first = requests.get(url, params=POISON, timeout=10)
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "image/jpeg"
    assert "Content-Disposition" not in first.headers
    plain = requests.get(url, timeout=10)
    assert plain.headers["X-Cache-Status"] == "HIT"
    assert plain.headers["Content-Type"] == "image/jpeg"
    assert "Content-Disposition" not in plain.headers
    assert plain.content == first.content


def test_the_cdn_says_nosniff(flow, user):
    _, status = flow.upload(user, (FIXTURES / "photo.jpg").read_bytes())
    for response in (requests.get(status["avatar_url"], timeout=10), requests.get(f"{flow.cdn}/avatars/{user}/", timeout=10)):
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_cdn_does_not_tell_which_users_have_avatars(flow, user):
    """Only the handler's content-addressed names are proxied: a user's folder answers as an
    unknown user's does (SeaweedFS answers 200 for a folder that exists)."""
    _, status = flow.upload(user, (FIXTURES / "photo.jpg").read_bytes())
    assert status["status"] == "ready", status
    nobody = f"nobody-{user}"
    for path in ("{}/", "{}", "{}/?list-type=2", "{}//", "{}/."):
        known = requests.get(f"{flow.cdn}/avatars/{path.format(user)}", timeout=10)
        unknown = requests.get(f"{flow.cdn}/avatars/{path.format(nobody)}", timeout=10)
        assert (known.status_code, known.content) == (404, unknown.content), path
        assert unknown.status_code == 404, path
    # A well-formed name that does not exist is the origin's 404 whoever's folder it is in.
    for who in (user, nobody):
        assert requests.get(f"{flow.cdn}/avatars/{who}/0000000000000000.jpg", timeout=10).status_code == 404


def test_each_encoding_is_its_own_immutable_url_cached_by_path(flow, user):
    # Separate keys, not one negotiated URL (README.md, "Modern formats"): whatever a client's
    # Accept says, a URL always gets the same bytes, so no Vary: Accept and no Accept in the cache key.
    _, status = flow.upload(user, (FIXTURES / "exif-6.jpg").read_bytes())
    assert status["status"] == "ready", status
    sources = status["avatar_sources"]
    assert [s["type"] for s in sources][-1] == "image/webp", sources
    profile = flow.profile(user)
    assert profile["avatar_sources"] == sources
    stem = status["avatar_url"].removesuffix(".jpg")
    for source in sources:
        assert source["url"] == f"{stem}.{source['type'].removeprefix('image/')}"
    for url, mime in [(status["avatar_url"], "image/jpeg"), *((s["url"], s["type"]) for s in sources)]:
        for accept in ("image/avif,image/webp,image/*,*/*;q=0.8", "image/jpeg"):
            answer = requests.get(url, headers={"Accept": accept}, timeout=10)
            assert answer.status_code == 200, url
            assert answer.headers["Content-Type"] == mime
            assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert "accept" not in answer.headers.get("Vary", "").lower()
        assert answer.headers["X-Cache-Status"] == "HIT", url
    # Only the handler's extensions pass the CDN, whatever the bucket holds.
    assert requests.get(f"{stem}.png", timeout=10).status_code == 404
