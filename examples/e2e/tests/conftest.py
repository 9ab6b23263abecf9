"""The real servers (SeaweedFS, backend, bridge + handler, nginx), started once per test run by
`flowstack.py run` (FLOW_* variables), or here when pytest is run on its own."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

EXAMPLES = Path(__file__).resolve().parents[2]
REPO = EXAMPLES.parent
FIXTURES = REPO / "core" / "tests" / "fixtures"
SAMPLE = EXAMPLES / "assets" / "sample-exif6.jpg"
sys.path.insert(0, str(EXAMPLES / "scripts"))
sys.path.insert(0, str(EXAMPLES / "flask-backend"))


@dataclass
class Flow:
    backend: str
    cdn: str
    s3_url: str
    bridge: str
    bridge_token: str
    s3_key: str
    s3_secret: str
    webhook_secret: str
    jwt_secret: str
    uploads_bucket: str
    assets_bucket: str
    run_dir: str
    # SeaweedFS's own ports (master, volume, filer and their gRPC twins, s3_grpc): only the S3
    # gateway is meant to be reachable without the stack's credentials.
    ports: dict
    # Every FLOW_* variable (scripts/load.py takes them as they are).
    env: dict

    def control(self, op: str, **fields) -> dict:
        """Stops (`signal`, SIGKILL by default) or starts the backend or the bridge, or lists
        the servers' pids: flowstack.py owns the processes, so its stop still stops them all."""
        from flowstack import control

        return control(self.env["FLOW_CONTROL"], op, **fields)

    def pids(self) -> dict:
        return self.control("pids")["pids"]

    def s3(self):
        return boto3.client(
            "s3",
            endpoint_url=self.s3_url,
            aws_access_key_id=self.s3_key,
            aws_secret_access_key=self.s3_secret,
            region_name="us-east-1",
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    # ----- what a browser does -----
    def login(self, user: str) -> dict:
        response = requests.post(f"{self.backend}/api/dev/login", json={"user": user}, timeout=10)
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def key_upload(self, headers: dict, **body) -> dict:
        response = requests.post(f"{self.backend}/api/avatars/key_upload", headers=headers, json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def post_file(self, presigned: dict, data: bytes, content_type="image/jpeg", filename="avatar.jpg", allow_redirects=True, **overrides):
        fields = {**presigned["fields"], "Content-Type": content_type, **overrides}
        return requests.post(presigned["url"], data=fields, files={"file": (filename, data, content_type)}, timeout=30,
                             allow_redirects=allow_redirects)

    def wait_for_upload(self, headers: dict, upload_id: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = requests.get(f"{self.backend}/api/avatars/uploads/{upload_id}", headers=headers, timeout=10).json()
            if status["status"] != "issued":
                return status
            time.sleep(0.05)
        raise TimeoutError(f"upload {upload_id} still unprocessed after {timeout}s")

    def upload(self, user: str, data: bytes, **body) -> tuple[dict, dict]:
        headers = self.login(user)
        presigned = self.key_upload(headers, **body)
        response = self.post_file(presigned, data)
        assert response.status_code == 204, response.text
        return presigned, self.wait_for_upload(headers, presigned["upload_id"])

    def profile(self, user: str) -> dict:
        return requests.get(f"{self.backend}/api/profile/{user}", timeout=10).json()

    def invocations(self) -> list[dict]:
        response = requests.get(f"{self.bridge}/invocations", headers={"Authorization": f"Bearer {self.bridge_token}"}, timeout=10)
        response.raise_for_status()
        return response.json()

    def invocation_for(self, key: str, timeout: float = 10) -> dict:
        """The bridge's record of the handler run for `key`. The handler notifies the backend
        before it returns (and writes its receipt), so this waits for the run to finish."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry in reversed(self.invocations()):
                if entry["event"]["Records"][0]["s3"]["object"]["key"] == key and "result" in entry:
                    return entry
            time.sleep(0.01)
        raise TimeoutError(f"no finished invocation for {key}")


def avatar_objects(flow: Flow, status: dict) -> list[str]:
    """The assets-bucket keys of an upload's avatar: the JPEG and the variants beside it, sorted."""
    urls = [status["avatar_url"], *(source["url"] for source in status.get("avatar_sources", []))]
    return sorted(url.removeprefix(flow.cdn + "/") for url in urls)


def _flow_from_env(env) -> Flow:
    return Flow(
        backend=env["FLOW_BACKEND_URL"],
        cdn=env["FLOW_CDN_URL"],
        s3_url=env["FLOW_S3_URL"],
        bridge=env["FLOW_BRIDGE_URL"],
        bridge_token=env["FLOW_BRIDGE_TOKEN"],
        s3_key=env["FLOW_S3_KEY"],
        s3_secret=env["FLOW_S3_SECRET"],
        webhook_secret=env["FLOW_WEBHOOK_SECRET"],
        jwt_secret=env["FLOW_JWT_DEV_SECRET"],
        uploads_bucket=env["FLOW_UPLOADS_BUCKET"],
        assets_bucket=env["FLOW_ASSETS_BUCKET"],
        run_dir=env["FLOW_RUN_DIR"],
        ports=json.loads(env["FLOW_SEAWEEDFS_PORTS"]),
        env={k: v for k, v in env.items() if k.startswith("FLOW_")},
    )


@pytest.fixture(scope="session")
def flow():
    if "FLOW_BACKEND_URL" in os.environ:
        yield _flow_from_env(os.environ)
        return
    from flowstack import FlowStack

    with FlowStack(verbose=False) as stack:
        yield _flow_from_env(stack.env())


@pytest.fixture
def user(request):
    """A user of its own for each test, so tests share the stack but not state."""
    return f"{request.node.name[:40].replace('[', '-').replace(']', '').replace('_', '-').strip('-')}-{int(time.time() * 1000) % 10**8}"
