"""What the CDN stand-in serves, and what it must not let a client change (issue 31, finding
2). It models CloudFront in the CDK app: no query string reaches the origin or the cache key."""

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
    for response in (requests.get(status["avatar_url"], timeout=10), requests.get(f"{flow.cdn}/avatars/{user}/x.jpg", timeout=10)):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
