"""Bearer-token authentication: who is uploading decides where the upload may go.

Production verifies Cognito tokens (RS256, keys from the pool's JWKS, issuer, client id and
`token_use` checked). Locally, `/api/dev/login` issues HS256 tokens with a dev secret.
"""

from __future__ import annotations

import functools
import re
import time

import jwt
from flask import current_app, g, jsonify

from .config import Settings

# A subject becomes part of an S3 key, so only a safe alphabet is accepted (Cognito subs are UUIDs).
# Always used with fullmatch: `$` would also match before a final newline ("alice\n").
SUBJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
DEV_TOKEN_SECONDS = 15 * 60


class Unauthorized(Exception):
    """The request carries no valid token; the message says why (returned to the caller)."""


class TokenVerifier:
    def __init__(self, settings: Settings):
        self.settings = settings
        # PyJWKClient caches the key set and refetches it when a token names an unknown key id
        # (Cognito rotates keys that way).
        self.jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None

    def subject(self, authorization: str | None) -> str:
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthorized("missing bearer token")
        token = authorization[len("Bearer ") :].strip()
        try:
            claims = self._claims(token)
        except jwt.PyJWTError as err:
            raise Unauthorized(f"invalid token: {err}") from err
        sub = claims.get("sub")
        if not isinstance(sub, str) or not SUBJECT.fullmatch(sub):
            raise Unauthorized("invalid token: unusable subject")
        return sub

    def _claims(self, token: str) -> dict:
        s = self.settings
        if self.jwks is None:
            return jwt.decode(
                token, s.jwt_dev_secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}
            )
        key = self.jwks.get_signing_key_from_jwt(token).key
        # Cognito ID tokens carry the app client id in `aud`, access tokens in `client_id`.
        id_token = s.jwt_token_use == "id"
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            issuer=s.jwt_issuer,
            audience=s.jwt_client_id if id_token else None,
            options={"require": ["exp", "sub", "iss"], "verify_aud": id_token},
        )
        if claims.get("token_use") != s.jwt_token_use:
            raise jwt.InvalidTokenError(f"token_use is not {s.jwt_token_use!r}")
        if not id_token and s.jwt_client_id and claims.get("client_id") != s.jwt_client_id:
            raise jwt.InvalidTokenError("token was issued to another client")
        return claims


def issue_dev_token(settings: Settings, user: str, lifetime: int = DEV_TOKEN_SECONDS) -> str:
    now = int(time.time())
    claims = {"sub": user, "iat": now, "exp": now + lifetime, "token_use": "id"}
    return jwt.encode(claims, settings.jwt_dev_secret, algorithm="HS256")


def login_required(view):
    """Puts the token's subject in `g.sub`, or answers 401 with the reason."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        from flask import request

        try:
            g.sub = current_app.extensions["token_verifier"].subject(
                request.headers.get("Authorization")
            )
        except Unauthorized as err:
            response = jsonify(error=str(err))
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        return view(*args, **kwargs)

    return wrapper
