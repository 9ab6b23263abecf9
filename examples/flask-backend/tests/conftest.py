import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from avatar_backend import Settings, create_app  # noqa: E402

DEV_SECRET = "dev-secret-for-tests-only-0123456789"
WEBHOOK_SECRET = "webhook-secret-for-tests"


def make_settings(tmp_path, **env):
    base = {
        "AVATAR_DATABASE": str(tmp_path / "avatars.sqlite3"),
        "AVATAR_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "JWT_DEV_SECRET": DEV_SECRET,
        "DEV_LOGIN": "1",
        # Presigning is local arithmetic: no server is contacted by these tests.
        "S3_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "CDN_BASE_URL": "http://cdn.test",
    }
    base.update(env)
    return Settings.from_env({k: v for k, v in base.items() if v is not None})


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    return create_app(make_settings(tmp_path))


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, user):
    response = client.post("/api/dev/login", json={"user": user})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}
