"""Settings from environment variables, so the same code runs against AWS and the local stack."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    database: str
    uploads_bucket: str
    assets_bucket: str
    cdn_base_url: str
    # None means "the AWS default": boto3 finds the endpoint, region and credentials itself.
    s3_endpoint_url: str | None
    s3_region: str
    upload_prefix: str
    avatar_prefix: str
    max_upload_bytes: int
    upload_expires_seconds: int
    webhook_secret: bytes
    webhook_tolerance_seconds: int
    # Local development: HS256 tokens signed with a shared secret, issued by /api/dev/login.
    jwt_dev_secret: str | None
    dev_login: bool
    # Production: Cognito (or any OIDC issuer) RS256 tokens checked against the issuer's JWKS.
    jwt_issuer: str | None
    jwt_jwks_url: str | None
    jwt_client_id: str | None
    jwt_token_use: str
    # The avatar flow page (examples/flow-page) and the wasm package it imports, if served here.
    page_dir: str | None
    wasm_dir: str | None

    @classmethod
    def from_env(cls, env: os._Environ | dict = os.environ) -> "Settings":
        issuer = env.get("JWT_ISSUER")
        pool = env.get("COGNITO_USER_POOL_ID")
        if pool and not issuer:
            # Cognito's issuer is derived from the pool id, whose prefix is the region.
            region = env.get("COGNITO_REGION") or pool.split("_", 1)[0]
            issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool}"
        jwks_url = env.get("JWT_JWKS_URL") or (
            f"{issuer}/.well-known/jwks.json" if issuer else None
        )
        secret = env.get("AVATAR_WEBHOOK_SECRET")
        if not secret:
            raise RuntimeError("AVATAR_WEBHOOK_SECRET must be set (shared with the thumbnail handler)")
        if not issuer and not env.get("JWT_DEV_SECRET"):
            raise RuntimeError("set COGNITO_USER_POOL_ID (or JWT_ISSUER) or, locally, JWT_DEV_SECRET")
        return cls(
            database=env.get("AVATAR_DATABASE", "avatars.sqlite3"),
            uploads_bucket=env.get("UPLOADS_BUCKET_NAME", "uploads"),
            assets_bucket=env.get("DEST_BUCKET_NAME", "assets"),
            cdn_base_url=env.get("CDN_BASE_URL", "").rstrip("/"),
            s3_endpoint_url=env.get("S3_ENDPOINT_URL") or None,
            s3_region=env.get("AWS_REGION", "us-east-1"),
            upload_prefix=_folder(env.get("FOLDER_INPUT", "uploads/")),
            avatar_prefix=_folder(env.get("FOLDER_OUTPUT", "avatars/")),
            max_upload_bytes=int(env.get("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),
            upload_expires_seconds=int(env.get("UPLOAD_EXPIRES_SECONDS", 300)),
            webhook_secret=secret.encode(),
            webhook_tolerance_seconds=int(env.get("WEBHOOK_TOLERANCE_SECONDS", 300)),
            jwt_dev_secret=None if issuer else env.get("JWT_DEV_SECRET"),
            # Never in production: issuing tokens is Cognito's job there.
            dev_login=not issuer and env.get("DEV_LOGIN") == "1",
            jwt_issuer=issuer,
            jwt_jwks_url=jwks_url,
            jwt_client_id=env.get("COGNITO_CLIENT_ID") or env.get("JWT_CLIENT_ID"),
            jwt_token_use=env.get("JWT_TOKEN_USE", "id"),
            page_dir=env.get("FLOW_PAGE_DIR"),
            wasm_dir=env.get("FLOW_WASM_DIR"),
        )


def _folder(prefix: str) -> str:
    return prefix if prefix.endswith("/") else prefix + "/"
