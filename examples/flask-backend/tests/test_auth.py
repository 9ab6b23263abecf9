"""Who may ask for an upload URL: dev HS256 tokens locally, Cognito-style RS256 + JWKS in production."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from conftest import DEV_SECRET, login, make_settings
from cryptography.hazmat.primitives.asymmetric import rsa

from avatar_backend import create_app

KEY_UPLOAD = "/api/avatars/key_upload"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def hs256(claims, secret=DEV_SECRET):
    return jwt.encode(claims, secret, algorithm="HS256")


def test_dev_login_token_gets_an_upload_url(client):
    response = client.post(KEY_UPLOAD, headers=login(client, "alice"), json={})
    assert response.status_code == 200
    assert response.get_json()["key"].startswith("uploads/alice/")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic YWxpY2U6cHc="},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-jwt"},
    ],
    ids=["none", "basic", "empty", "garbage"],
)
def test_missing_or_malformed_token_is_401(client, headers):
    response = client.post(KEY_UPLOAD, headers=headers, json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401(client):
    token = hs256({"sub": "alice", "exp": int(time.time()) - 5})
    response = client.post(KEY_UPLOAD, headers=bearer(token), json={})
    assert response.status_code == 401
    assert "expired" in response.get_json()["error"]


def test_token_signed_with_another_secret_is_401(client):
    token = hs256({"sub": "alice", "exp": int(time.time()) + 60}, secret="x" * 32)
    response = client.post(KEY_UPLOAD, headers=bearer(token), json={})
    assert response.status_code == 401
    assert "Signature verification failed" in response.get_json()["error"]


def test_unsigned_alg_none_token_is_401(client):
    token = jwt.encode({"sub": "alice", "exp": int(time.time()) + 60}, None, algorithm="none")
    assert client.post(KEY_UPLOAD, headers=bearer(token), json={}).status_code == 401


def test_token_without_expiry_or_with_unsafe_subject_is_401(client):
    assert client.post(KEY_UPLOAD, headers=bearer(hs256({"sub": "alice"})), json={}).status_code == 401
    token = hs256({"sub": "../bob", "exp": int(time.time()) + 60})
    assert client.post(KEY_UPLOAD, headers=bearer(token), json={}).status_code == 401


def test_dev_login_refuses_odd_names(client):
    assert client.post("/api/dev/login", json={"user": "a/b"}).status_code == 400
    assert client.post("/api/dev/login", json={}).status_code == 400


# ----- Cognito-style RS256 -----

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TEST"
CLIENT_ID = "client-123"


@pytest.fixture(scope="module")
def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(signing_key):
    """A local JWKS endpoint, as Cognito serves at <issuer>/.well-known/jwks.json."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "key-1", "alg": "RS256", "use": "sig"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()


def cognito_client(tmp_path, monkeypatch, jwks_url, token_use="id"):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    settings = make_settings(
        tmp_path,
        JWT_ISSUER=ISSUER,
        JWT_JWKS_URL=jwks_url,
        COGNITO_CLIENT_ID=CLIENT_ID,
        JWT_TOKEN_USE=token_use,
    )
    return create_app(settings).test_client()


def rs256(key, kid="key-1", **overrides):
    now = int(time.time())
    claims = {
        "sub": "5f2c9e1a-0000-4000-8000-000000000001",
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "token_use": "id",
        "iat": now,
        "exp": now + 300,
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_cognito_id_token_is_accepted(tmp_path, monkeypatch, jwks_url, signing_key):
    client = cognito_client(tmp_path, monkeypatch, jwks_url)
    response = client.post(KEY_UPLOAD, headers=bearer(rs256(signing_key)), json={})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["key"].startswith("uploads/5f2c9e1a-0000-4000-8000-000000000001/")


@pytest.mark.parametrize(
    "overrides",
    [
        {"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OTHER"},
        {"aud": "another-client"},
        {"token_use": "access"},
        {"exp": int(time.time()) - 10},
        {"kid": "unknown-key"},
    ],
    ids=["issuer", "client", "token_use", "expired", "unknown-kid"],
)
def test_cognito_token_with_wrong_claims_is_401(tmp_path, monkeypatch, jwks_url, signing_key, overrides):
    client = cognito_client(tmp_path, monkeypatch, jwks_url)
    response = client.post(KEY_UPLOAD, headers=bearer(rs256(signing_key, **overrides)), json={})
    assert response.status_code == 401, response.get_json()


def test_cognito_access_token_checks_client_id(tmp_path, monkeypatch, jwks_url, signing_key):
    client = cognito_client(tmp_path, monkeypatch, jwks_url, token_use="access")
    good = rs256(signing_key, aud=None, token_use="access", client_id=CLIENT_ID)
    other = rs256(signing_key, aud=None, token_use="access", client_id="another-client")
    assert client.post(KEY_UPLOAD, headers=bearer(good), json={}).status_code == 200
    assert client.post(KEY_UPLOAD, headers=bearer(other), json={}).status_code == 401


def test_cognito_mode_refuses_key_from_another_pool_and_hs256(tmp_path, monkeypatch, jwks_url):
    client = cognito_client(tmp_path, monkeypatch, jwks_url)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert client.post(KEY_UPLOAD, headers=bearer(rs256(stranger)), json={}).status_code == 401
    # Algorithm confusion: an HS256 token must not be checked with anything at all.
    token = hs256({"sub": "alice", "iss": ISSUER, "aud": CLIENT_ID, "token_use": "id", "exp": int(time.time()) + 60})
    assert client.post(KEY_UPLOAD, headers=bearer(token), json={}).status_code == 401


def test_cognito_mode_has_no_dev_login(tmp_path, monkeypatch, jwks_url):
    client = cognito_client(tmp_path, monkeypatch, jwks_url)
    assert client.post("/api/dev/login", json={"user": "alice"}).status_code == 404
