"""The avatar backend: presigned uploads bound to the logged-in user, the signed webhook the
thumbnail handler calls, and the profile that serves the current avatar's CDN URL."""

from __future__ import annotations

import json
import re
import time
import uuid

import boto3
import thumbsmith
from botocore.config import Config
from botocore.exceptions import ClientError
from flask import Flask, abort, current_app, g, jsonify, request, send_from_directory

from . import signing, store
from .auth import SUBJECT, TokenVerifier, issue_dev_token, login_required
from .config import Settings

UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
CROP_KEYS = ("left", "top", "width", "height")
# The handler's output name: thumbsmith's content hash (16 hex digits of SHA-256), then .jpg.
AVATAR_NAME = r"[0-9a-f]{16,64}\.jpg"
# The other encodings the handler may write beside the JPEG, under the same hash, with the MIME
# type a `<picture>` source names: format → (extension, type).
VARIANT_FORMATS = {"avif": ("avif", "image/avif"), "webp": ("webp", "image/webp")}
# What thumbsmith reads; anything else (SVG, HEIC, a bare `image/`, CR/LF) is refused up front.
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
# The largest body any route takes is a webhook notification (well under 2 KB): a bigger one is
# refused with 413 before it is read.
MAX_REQUEST_BYTES = 64 * 1024


class BadJSON(Exception):
    pass


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder=None)
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.extensions["token_verifier"] = TokenVerifier(settings)
    app.extensions["s3"] = s3_client(settings)
    store.init(settings.database)

    app.add_url_rule("/api/dev/login", view_func=dev_login, methods=["POST"])
    app.add_url_rule("/api/avatars/key_upload", view_func=key_upload, methods=["POST"])
    app.add_url_rule("/api/avatars/uploads/<upload_id>", view_func=upload_status)
    app.add_url_rule("/webhooks/avatar", view_func=avatar_webhook, methods=["POST"])
    app.add_url_rule("/api/profile/<user>", view_func=profile)
    app.add_url_rule("/healthz", "healthz", lambda: {"ok": True})
    # The flow page and the wasm package it imports, same origin as the API (no CORS needed).
    if settings.page_dir:
        app.add_url_rule("/", "page", lambda: send_from_directory(settings.page_dir, "index.html"))
        app.add_url_rule("/page/<path:name>", "page_file", lambda name: send_from_directory(settings.page_dir, name))
    if settings.wasm_dir:
        app.add_url_rule("/wasm/<path:name>", "wasm_file", lambda name: wasm_file(settings.wasm_dir, name))

    @app.after_request
    def no_store(response):
        # API answers change with every upload; only the CDN's immutable images are cacheable.
        if request.path.startswith(("/api/", "/webhooks/")):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_appcontext
    def close_db(_exc):
        db = g.pop("db", None)
        if db is not None:
            db.close()

    return app


def wasm_file(wasm_dir: str, name: str):
    """The wasm binding's browser package (loader, worker, .wasm builds)."""
    mimetype = "application/wasm" if name.endswith(".wasm") else None  # for compileStreaming
    return send_from_directory(wasm_dir, name, mimetype=mimetype)


def s3_client(settings: Settings):
    # boto3 presigns POSTs with SigV2 against a custom endpoint unless told otherwise; S3 in every
    # region takes SigV4. Path-style because a local endpoint has no per-bucket host names.
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path" if settings.s3_endpoint_url else "auto"},
    )
    return boto3.client(
        "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region, config=config
    )


def settings() -> Settings:
    return current_app.config["SETTINGS"]


def db():
    if "db" not in g:
        g.db = store.connect(settings().database)
    return g.db


def bad_request(message: str, status: int = 400):
    response = jsonify(error=message)
    response.status_code = status
    return response


def parse_json(raw: bytes):
    """JSON, or BadJSON: not only for bad syntax but for nesting too deep for Python's parser
    (RecursionError, which `request.get_json(silent=True)` lets through as a 500)."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise BadJSON(str(err)[:100]) from err


def json_body(default):
    """The request's JSON body (at most MAX_REQUEST_BYTES, else 413); an empty body is `default`."""
    raw = request.get_data(cache=False)
    return default if not raw.strip() else parse_json(raw)


# ----- routes -----


def dev_login():
    """Issues a short-lived HS256 token for any well-formed user name: the local demo only."""
    s = settings()
    if not s.dev_login:
        abort(404)
    try:
        body = json_body({})
    except BadJSON:
        return bad_request("body must be JSON")
    user = body.get("user", "") if isinstance(body, dict) else ""
    if not isinstance(user, str) or not SUBJECT.fullmatch(user):
        return bad_request("user must be 1-128 letters, digits, '.', '_' or '-'")
    return {"token": issue_dev_token(s, user), "user": user, "token_type": "Bearer"}


@login_required
def key_upload():
    """A presigned POST for `<upload prefix><sub>/<new upload id>`: the key comes from the token,
    never from the request, and S3 itself enforces type, size, key and expiry."""
    try:
        body = json_body({})
    except BadJSON:
        return bad_request("body must be JSON")
    if not isinstance(body, dict) or set(body) - {"content_type", "crop"}:
        return bad_request("body may only hold `content_type` and `crop`")
    content_type = body.get("content_type")
    if content_type is not None and content_type not in CONTENT_TYPES:
        return bad_request(f"content_type must be one of {', '.join(CONTENT_TYPES)}")
    crop = body.get("crop")
    if crop is not None:
        if not (
            isinstance(crop, dict)
            and set(crop) == set(CROP_KEYS)
            # type(), not isinstance(): True and False are ints to Python.
            and all(type(crop[k]) is int and 0 <= crop[k] <= 65535 for k in CROP_KEYS)
            and crop["width"] > 0
            and crop["height"] > 0
        ):
            return bad_request("crop must be {left, top, width, height} in whole pixels")

    upload_id = uuid.uuid4().hex
    store.record_upload(db(), g.sub, upload_id)
    post = presign_upload(
        current_app.extensions["s3"], settings(), g.sub, upload_id, content_type, crop
    )
    return {
        "upload_id": upload_id,
        "key": post["fields"]["key"],
        "url": post["url"],
        "fields": post["fields"],
        "max_bytes": settings().max_upload_bytes,
        "expires_in": settings().upload_expires_seconds,
    }


def presign_upload(s3, s: Settings, sub, upload_id, content_type=None, crop=None, expires_in=None):
    """Every field the client is handed is pinned to its exact value by the policy, and S3 refuses
    a POST carrying a field the policy does not name (AWS's rule; see examples/README.md for
    where the local SeaweedFS falls short of it)."""
    key = f"{s.upload_prefix}{sub}/{upload_id}"
    fields = {"Content-Type": content_type or "image/jpeg"}
    conditions = [
        {"Content-Type": fields["Content-Type"]},
        ["content-length-range", 1, s.max_upload_bytes],
    ]
    if crop:
        # Stored as object metadata; the handler reads it back. Signed, so it cannot be swapped.
        value = ",".join(str(crop[k]) for k in CROP_KEYS)
        fields["x-amz-meta-crop"] = value
        conditions.append({"x-amz-meta-crop": value})
    post = s3.generate_presigned_post(
        s.uploads_bucket,
        key,
        Fields=fields,
        Conditions=conditions,
        ExpiresIn=s.upload_expires_seconds if expires_in is None else expires_in,
    )
    # The bucket URL with its trailing slash: S3 applies the bucket's CORS rules to it.
    if not post["url"].endswith("/"):
        post["url"] += "/"
    return post


@login_required
def upload_status(upload_id):
    row = store.upload(db(), g.sub, upload_id) if UPLOAD_ID.fullmatch(upload_id) else None
    if row is None:
        abort(404)
    return {
        "upload_id": upload_id,
        "status": row["status"],
        "avatar_url": cdn_url(row["avatar_key"]) if row["avatar_key"] else None,
        "avatar_sources": avatar_sources(row),
        "error": row["error"],
    }


def avatar_webhook():
    """Called by the thumbnail handler. Unsigned, stale or replayed requests get 401."""
    s = settings()
    header = request.headers.get(signing.HEADER)
    try:
        # The header first: an unsigned request is refused before its body is read.
        signing.parse(header)
        raw = request.get_data(cache=False)  # over MAX_REQUEST_BYTES: 413, unread
        signing.verify(s.webhook_secret, raw, header, s.webhook_tolerance_seconds)
    except signing.BadSignature as err:
        return bad_request(str(err), 401)
    try:
        event = parse_json(raw)
        event_id, kind, sub, upload_key = (event[k] for k in ("id", "type", "sub", "upload_key"))
    except (BadJSON, KeyError, TypeError):
        return bad_request("malformed notification")
    if not all(isinstance(v, str) for v in (event_id, kind, sub, upload_key)) or not SUBJECT.fullmatch(sub):
        return bad_request("malformed notification")
    if not store.first_sighting(db(), event_id, s.webhook_tolerance_seconds):
        return bad_request("replayed notification", 401)

    # Matched whole: the user's folder and an upload id, nothing before, between or after.
    key = re.fullmatch(re.escape(f"{s.upload_prefix}{sub}/") + UPLOAD_ID.pattern, upload_key)
    row = store.upload(db(), sub, upload_key.rsplit("/", 1)[1]) if key else None
    if row is None:
        return bad_request("no such upload for this user", 404)
    upload_id = row["upload_id"]

    if kind == "avatar.rejected":
        error = event.get("error")
        if not (
            isinstance(error, dict)
            and isinstance(error.get("code"), str)
            and isinstance(error.get("message"), str)
        ):
            return bad_request("error must be {code, message} strings")
        store.mark_rejected(db(), sub, upload_id, f"{error['code'][:100]}: {error['message'][:1000]}")
        return {"status": "rejected"}
    if kind != "avatar.ready":
        return bad_request(f"unknown notification type {kind[:100]!r}")

    avatar_key = event.get("avatar_key")
    # What the handler writes: `<avatar prefix><sub>/<content hash>.jpg`, matched whole, so no
    # `..`, no other folder, no other name.
    if not (isinstance(avatar_key, str) and re.fullmatch(re.escape(f"{s.avatar_prefix}{sub}/") + AVATAR_NAME, avatar_key)):
        return bad_request("avatar key is not a content-addressed name in the user's folder", 422)
    variants = parse_variants(event.get("variants", []), avatar_key)
    if variants is None:
        return bad_request("variants must be [{format, key}] beside the avatar, each format once", 422)
    try:
        header = verify_avatar(s, avatar_key)
        verify_variants(s, avatar_key, variants)
    except (thumbsmith.Error, LookupError) as err:
        return bad_request(f"avatar failed verification: {err}", 422)
    store.mark_ready(db(), sub, upload_id, avatar_key, header.width, header.height, ",".join(variants))
    return {"status": "ready", "avatar_url": cdn_url(avatar_key)}


def parse_variants(reported, avatar_key: str) -> list[str] | None:
    """The formats of the encodings beside the JPEG, in the handler's order of preference, or None
    when the list is not what the handler writes: each key is the avatar's own name with the
    format's extension (so the name check on `avatar_key` covers it), each format at most once."""
    if not isinstance(reported, list) or len(reported) > 1 + len(VARIANT_FORMATS):
        return None
    formats: list[str] = []
    for item in reported:
        if not isinstance(item, dict) or not isinstance(item.get("format"), str) or not isinstance(item.get("key"), str):
            return None
        if item["format"] == "jpeg" and item["key"] == avatar_key:
            continue
        ext = VARIANT_FORMATS.get(item["format"], (None,))[0]
        if ext is None or item["format"] in formats or item["key"] != variant_key(avatar_key, ext):
            return None
        formats.append(item["format"])
    return formats


def variant_key(avatar_key: str, ext: str) -> str:
    return f"{avatar_key.rsplit('.', 1)[0]}.{ext}"


def verify_variants(s: Settings, avatar_key: str, formats: list[str]) -> None:
    """Each variant exists with the Content-Type the CDN will serve it with (a HEAD each)."""
    s3 = current_app.extensions["s3"]
    for fmt in formats:
        ext, mime = VARIANT_FORMATS[fmt]
        key = variant_key(avatar_key, ext)
        try:
            head = s3.head_object(Bucket=s.assets_bucket, Key=key)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise  # not a verdict on the variant: 500, and the handler retries
            raise LookupError(f"{key} does not exist") from err
        if head.get("ContentType") != mime:
            raise LookupError(f"{key} is served as {head.get('ContentType')}, not {mime}")


def avatar_sources(row) -> list[dict]:
    """`<picture>` sources for the avatar's other encodings, preferred first; the JPEG
    (`avatar_url`) is the `<img>` every client can show."""
    if not row or not row["avatar_key"] or not row["variants"]:
        return []
    return [
        {"type": VARIANT_FORMATS[fmt][1], "url": cdn_url(variant_key(row["avatar_key"], VARIANT_FORMATS[fmt][0]))}
        for fmt in row["variants"].split(",")
    ]


def verify_avatar(s: Settings, avatar_key: str) -> "thumbsmith.Metadata":
    """Trust, but verify: the profile only ever points at an existing JPEG without GPS data.
    thumbsmith reads the header only, so this costs one GET and microseconds."""
    s3 = current_app.extensions["s3"]
    try:
        data = s3.get_object(Bucket=s.assets_bucket, Key=avatar_key)["Body"].read()
    except s3.exceptions.NoSuchKey as err:
        raise LookupError(f"{avatar_key} does not exist") from err
    header = thumbsmith.metadata(data)
    if header.format != "jpeg" or header.has_gps:
        raise LookupError(f"{avatar_key} is {header.format} (GPS: {header.has_gps}), not a clean jpeg")
    return header


def profile(user):
    if not SUBJECT.fullmatch(user):
        abort(404)
    row = store.current_avatar(db(), user)
    return {
        "user": user,
        "avatar_url": cdn_url(row["avatar_key"]) if row else None,
        "avatar_sources": avatar_sources(row),
        "width": row["width"] if row else None,
        "height": row["height"] if row else None,
        "updated_at": row["updated_at"] if row else None,
        "served_at": time.time(),
    }


def cdn_url(key: str) -> str:
    return f"{settings().cdn_base_url}/{key}"
