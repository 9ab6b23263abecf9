"""Starts and stops the whole local avatar flow on 127.0.0.1, every piece on a free port:

  SeaweedFS   S3 gateway (uploads + assets buckets) and filer, whose webhook announces uploads;
              nothing but signed S3 gets in (security.toml: JWTs, gRPC mTLS; no master/filer HTTP)
  bridge      Node: filer webhook → S3 event JSON → the Lambda handler, in process
  backend     Flask: dev login, presigned POST, signed webhook, profile; also serves the page
  cdn         nginx: caching reverse proxy in front of the public avatars folder

    python flowstack.py up              # start, print the URLs, stop on Ctrl-C
    python flowstack.py run -- CMD ...  # start, run CMD with FLOW_* variables set, stop

The fault tests stop and start pieces of a running stack through its control socket
(FLOW_CONTROL, a Unix socket in a 0700 directory; `control()` below): the stack keeps owning
every process, so `stop` still stops whatever was restarted.

Everything lives in one temporary directory (data, logs, configs), removed on stop unless
FLOW_KEEP_RUN_DIR=1. Each process is stopped by its PID and waited for; SeaweedFS takes ~16 s
(its filer waits out a 15 s gRPC graceful-stop timeout).
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import socketserver
import string
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, closing
from pathlib import Path

import boto3
import requests
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

EXAMPLES = Path(__file__).resolve().parent.parent
REPO = EXAMPLES.parent
UPLOADS_BUCKET = "uploads"
ASSETS_BUCKET = "assets"
WEED_PORT_NAMES = ("master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3", "s3_grpc")


def free_ports(count: int) -> list[int]:
    """Ports the kernel calls free right now (all held open together, so they are distinct)."""
    with ExitStack() as stack:
        socks = [stack.enter_context(closing(socket.socket())) for _ in range(count)]
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]


def wait_until(check, what: str, timeout: float, proc: "Process | None" = None):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
        try:
            result = check()
            if result:
                return result
        except Exception as err:  # noqa: BLE001 - any failure means "not ready yet"
            last = err
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready after {timeout:.0f}s (last error: {last})" + (f"\n{proc.tail()}" if proc else ""))


def find_tool(name: str, *candidates: str) -> str:
    for path in (shutil.which(name), *candidates):
        if path and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(f"{name} not found (run `make -C examples setup`)")


class Process:
    """A child process in its own session (Ctrl-C reaches us, not it), logging to a file."""

    def __init__(self, name: str, argv: list[str], log_dir: Path, env: dict | None = None, cwd=None):
        self.name = name
        # What it takes to start it again (the fault tests restart the backend and the bridge).
        self.spec = (argv, env, cwd)
        self.log_path = log_dir / f"{name}.log"
        self.log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def signal(self, sig=signal.SIGTERM):
        if self.popen.poll() is None:
            self.popen.send_signal(sig)

    def wait(self, timeout: float) -> float:
        started = time.monotonic()
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        self.log.close()
        return time.monotonic() - started

    def tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(f"  [{self.name}] {line}" for line in text[-lines:])


class FlowStack:
    def __init__(self, run_dir: str | None = None, verbose: bool = True):
        self.run_dir = Path(run_dir or tempfile.mkdtemp(prefix="thumbsmith-flow-"))
        # nginx workers run as an unprivileged user and must reach their cache below this.
        self.run_dir.chmod(0o755)
        self.logs = self.run_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.verbose = verbose
        self.processes: list[Process] = []
        # name → how to tell it is ready, for restarts
        self.ready_checks: dict[str, object] = {}
        self.lock = threading.RLock()
        self.control_server: socketserver.UnixStreamServer | None = None
        self.control_path = self.run_dir / "control" / "control.sock"
        self.timings: dict[str, float] = {}
        (
            self.backend_port,
            self.bridge_port,
            self.cdn_port,
            *self.weed_ports,
        ) = free_ports(11)
        self.s3_port = self.weed_ports[6]
        self.secrets = {
            "s3_key": "flow" + secrets.token_hex(8),
            "s3_secret": secrets.token_urlsafe(30),
            "webhook": secrets.token_urlsafe(32),
            "jwt": secrets.token_urlsafe(32),
            "bridge": secrets.token_urlsafe(24),
        }

    # ----- addresses -----
    @property
    def backend_url(self):
        return f"http://127.0.0.1:{self.backend_port}"

    @property
    def s3_url(self):
        return f"http://127.0.0.1:{self.s3_port}"

    @property
    def cdn_url(self):
        return f"http://127.0.0.1:{self.cdn_port}"

    @property
    def bridge_url(self):
        return f"http://127.0.0.1:{self.bridge_port}"

    def env(self) -> dict[str, str]:
        """What tests and scripts need to talk to the stack (FLOW_*)."""
        return {
            "FLOW_RUN_DIR": str(self.run_dir),
            "FLOW_BACKEND_URL": self.backend_url,
            "FLOW_PAGE_URL": self.backend_url + "/",
            "FLOW_CDN_URL": self.cdn_url,
            "FLOW_S3_URL": self.s3_url,
            "FLOW_BRIDGE_URL": self.bridge_url,
            "FLOW_BRIDGE_TOKEN": self.secrets["bridge"],
            "FLOW_S3_KEY": self.secrets["s3_key"],
            "FLOW_S3_SECRET": self.secrets["s3_secret"],
            "FLOW_WEBHOOK_SECRET": self.secrets["webhook"],
            "FLOW_JWT_DEV_SECRET": self.secrets["jwt"],
            "FLOW_UPLOADS_BUCKET": UPLOADS_BUCKET,
            "FLOW_ASSETS_BUCKET": ASSETS_BUCKET,
            "FLOW_SEAWEEDFS_PORTS": json.dumps(dict(zip(WEED_PORT_NAMES, self.weed_ports))),
            "FLOW_CONTROL": str(self.control_path),
        }

    def s3(self):
        return boto3.client(
            "s3",
            endpoint_url=self.s3_url,
            aws_access_key_id=self.secrets["s3_key"],
            aws_secret_access_key=self.secrets["s3_secret"],
            region_name="us-east-1",
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def say(self, message: str):
        if self.verbose:
            print(message, flush=True)

    # ----- start -----
    def start(self) -> "FlowStack":
        started = time.monotonic()
        try:
            self._start_backend()
            self._start_bridge()
            self._start_seaweedfs()
            self._start_cdn()
            self._start_control()
        except BaseException:
            self.stop()
            raise
        self.timings["start_s"] = time.monotonic() - started
        (self.run_dir / "stack.json").write_text(json.dumps(self.env(), indent=2))
        return self

    def _aws_env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.secrets["s3_key"],
            "AWS_SECRET_ACCESS_KEY": self.secrets["s3_secret"],
            "AWS_REGION": "us-east-1",
            "S3_ENDPOINT_URL": self.s3_url,
            "UPLOADS_BUCKET_NAME": UPLOADS_BUCKET,
            "DEST_BUCKET_NAME": ASSETS_BUCKET,
            "FOLDER_INPUT": "uploads/",
            "FOLDER_OUTPUT": "avatars/",
            "AVATAR_WEBHOOK_SECRET": self.secrets["webhook"],
        }

    def _start_backend(self):
        wasm_dir = os.environ.get("FLOW_WASM_DIR") or default_wasm_dir()
        env = {
            **self._aws_env(),
            "JWT_DEV_SECRET": self.secrets["jwt"],
            "DEV_LOGIN": "1",
            "AVATAR_DATABASE": str(self.run_dir / "avatars.sqlite3"),
            "CDN_BASE_URL": self.cdn_url,
            "FLOW_PAGE_DIR": str(EXAMPLES / "flow-page"),
            **({"FLOW_WASM_DIR": wasm_dir} if wasm_dir else {}),
            "PYTHONPATH": str(EXAMPLES / "flask-backend"),
        }
        proc = self._spawn("backend", [sys.executable, "-m", "avatar_backend", "--port", str(self.backend_port)], env)
        self.ready_checks["backend"] = lambda: requests.get(self.backend_url + "/healthz", timeout=1).ok
        wait_until(self.ready_checks["backend"], "backend", 30, proc)

    def _start_bridge(self):
        env = {
            **self._aws_env(),
            "AVATAR_WEBHOOK_URL": self.backend_url + "/webhooks/avatar",
            "BRIDGE_PORT": str(self.bridge_port),
            "BRIDGE_TOKEN": self.secrets["bridge"],
            "BRIDGE_LOG": str(self.logs / "invocations.jsonl"),
            # Lambda's async-invocation queue: kept on disk, so a bridge killed mid-job
            # delivers the event again when it is started again.
            "BRIDGE_SPOOL": str(self.run_dir / "bridge-spool"),
            "PROCESS_WIDTH": "512",
            "PROCESS_HEIGHT": "512",
        }
        proc = self._spawn("bridge", ["node", str(EXAMPLES / "event-bridge" / "bridge.js")], env)
        self.ready_checks["bridge"] = lambda: requests.get(self.bridge_url + "/healthz", timeout=1).ok
        wait_until(self.ready_checks["bridge"], "event bridge", 30, proc)

    def _start_seaweedfs(self):
        weed_dir = self.run_dir / "seaweedfs"
        # Its credentials (s3.json, security.toml, the TLS key) are for this user alone; the run
        # directory above is open to nginx's unprivileged workers.
        weed_dir.mkdir(mode=0o700)
        (weed_dir / "data").mkdir()
        write_security_toml(weed_dir)
        (weed_dir / "s3.json").write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "flow",
                            "credentials": [{"accessKey": self.secrets["s3_key"], "secretKey": self.secrets["s3_secret"]}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        (weed_dir / "s3.json").chmod(0o600)
        # The filer reads notification.toml from its working directory.
        (weed_dir / "notification.toml").write_text(
            "[notification.webhook]\n"
            "enabled = true\n"
            f'endpoint = "{self.bridge_url}/filer-events"\n'
            f'bearer_token = "{self.secrets["bridge"]}"\n'
            'event_types = ["create", "update"]\n'
            f'path_prefixes = ["/buckets/{UPLOADS_BUCKET}/"]\n'
            "max_retries = 3\n"
            "backoff_seconds = 1\n"
        )
        master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = self.weed_ports
        argv = [
            find_tool("weed", str(Path(sys.executable).parent / "weed")),
            "server",
            "-dir=data",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            # No HTTP API on the master or the filer (a 404 for everything): nothing the S3
            # gateway needs, and the master's took `/col/delete` (a bucket's data) from anyone.
            # The volume server's HTTP carries the data and checks JWTs (security.toml).
            "-disableHttp",
            "-filer.disableHttp",
            f"-master.port={master}",
            f"-master.port.grpc={master_grpc}",
            # Small volumes, many of them: with the 30 GB default a fresh disk runs out of
            # volume slots and new buckets fail with "no writable volumes".
            "-master.volumeSizeLimitMB=64",
            "-volume.max=100",
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_grpc}",
            "-volume.preStopSeconds=0",
            "-filer",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            f"-filer.localSocket={weed_dir}/filer.sock",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_grpc}",
            "-s3.port.lance=0",
            "-s3.port.iceberg=0",
            f"-s3.localSocket={weed_dir}/s3.sock",
            f"-s3.config={weed_dir}/s3.json",
            # The gateway-wide CORS answer for requests outside a bucket's own rules.
            f"-s3.allowedOrigins={self.backend_url}",
        ]
        # TMPDIR: its logs (weed.INFO…) go to the run directory instead of /tmp.
        proc = self._spawn("seaweedfs", argv, {"TMPDIR": str(weed_dir)}, cwd=weed_dir)
        s3 = self.s3()
        wait_until(lambda: s3.list_buckets() is not None, "SeaweedFS S3 gateway", 60, proc)

        def buckets_writable():
            for bucket in (UPLOADS_BUCKET, ASSETS_BUCKET):
                try:
                    s3.create_bucket(Bucket=bucket)
                except ClientError as err:
                    if err.response["Error"]["Code"] not in ("BucketAlreadyExists", "BucketAlreadyOwnedByYou"):
                        raise
            # A bucket exists before a volume server has registered; a write proves it has.
            s3.put_object(Bucket=ASSETS_BUCKET, Key="healthcheck", Body=b"ok")
            return True

        wait_until(buckets_writable, "SeaweedFS volumes", 60, proc)
        s3.delete_object(Bucket=ASSETS_BUCKET, Key="healthcheck")
        # The page (served by the backend) posts straight to the uploads bucket.
        s3.put_bucket_cors(
            Bucket=UPLOADS_BUCKET,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": [self.backend_url],
                        "AllowedMethods": ["POST"],
                        "AllowedHeaders": ["*"],
                        "ExposeHeaders": ["ETag"],
                        "MaxAgeSeconds": 600,
                    }
                ]
            },
        )
        # Anyone may read avatars (that is what the CDN fetches); nothing else is public.
        s3.put_bucket_policy(
            Bucket=ASSETS_BUCKET,
            Policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "PublicAvatars",
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "s3:GetObject",
                            "Resource": f"arn:aws:s3:::{ASSETS_BUCKET}/avatars/*",
                        }
                    ],
                }
            ),
        )

    def _start_cdn(self):
        prefix = self.run_dir / "nginx"
        prefix.mkdir()
        template = string.Template((EXAMPLES / "cdn" / "nginx.conf.template").read_text())
        conf = template.substitute(
            prefix=prefix,
            port=self.cdn_port,
            origin=f"{self.s3_url}/{ASSETS_BUCKET}",
            # As root, nginx's workers would otherwise need the system's `www-data` setup.
            user_line="user nobody nogroup;" if os.geteuid() == 0 else "",
        )
        (prefix / "nginx.conf").write_text(conf)
        nginx = find_tool("nginx", "/usr/sbin/nginx")
        proc = self._spawn("cdn", [nginx, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(prefix / "nginx.conf")], {})
        wait_until(lambda: requests.get(self.cdn_url + "/healthz", timeout=1).ok, "nginx", 30, proc)

    def _spawn(self, name, argv, env, cwd=None) -> Process:
        proc = Process(name, argv, self.logs, env, cwd)
        with self.lock:
            self.processes.append(proc)
        self.say(f"  started {name:<9} pid {proc.pid}")
        return proc

    # ----- faults: stop and start one piece while the rest runs -----
    def process(self, name: str) -> Process | None:
        with self.lock:
            return next((p for p in self.processes if p.name == name), None)

    def pids(self) -> dict[str, int]:
        with self.lock:
            return {p.name: p.pid for p in self.processes}

    def stop_process(self, name: str, sig: int = signal.SIGKILL) -> dict:
        """Signals one server (SIGKILL by default: a crash, not a shutdown) and waits for it."""
        if name not in self.ready_checks:
            raise ValueError(f"{name} cannot be restarted (only {sorted(self.ready_checks)})")
        with self.lock:
            proc = self.process(name)
            if proc is None:
                return {"stopped": None}
            proc.signal(sig)
            proc.wait(timeout=30)
            self.processes.remove(proc)
        return {"stopped": proc.pid, "returncode": proc.popen.returncode}

    def start_process(self, name: str) -> dict:
        """Starts a stopped server again as it was first started (same port, data, secrets)."""
        if name not in self.ready_checks:
            raise ValueError(f"{name} cannot be restarted (only {sorted(self.ready_checks)})")
        with self.lock:
            if self.process(name) is not None:
                raise RuntimeError(f"{name} is running")
            spec = self._specs[name]
            proc = self._spawn(name, *spec)
        wait_until(self.ready_checks[name], name, 30, proc)
        return {"started": proc.pid}

    def _start_control(self):
        stack = self
        self._specs = {p.name: p.spec for p in self.processes}
        self.control_path.parent.mkdir(mode=0o700)

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                try:
                    request = json.loads(self.rfile.readline())
                    op, name = request["op"], request.get("name")
                    if op == "pids":
                        answer = stack.pids()
                    elif op == "stop":
                        answer = stack.stop_process(name, signal.Signals[request.get("signal", "SIGKILL")])
                    elif op == "start":
                        answer = stack.start_process(name)
                    else:
                        raise ValueError(f"unknown op {op!r}")
                    reply = {"ok": True, **answer} if isinstance(answer, dict) and op != "pids" else {"ok": True, "pids": answer}
                except Exception as err:  # noqa: BLE001 - the caller gets the reason
                    reply = {"ok": False, "error": f"{type(err).__name__}: {err}"}
                self.wfile.write(json.dumps(reply).encode() + b"\n")

        self.control_server = socketserver.ThreadingUnixStreamServer(str(self.control_path), Handler)
        self.control_server.daemon_threads = True
        threading.Thread(target=self.control_server.serve_forever, name="flow-control", daemon=True).start()

    # ----- stop -----
    def stop(self):
        # A second Ctrl-C (or the terminal closing) must not strand half-stopped servers: the
        # waits below are bounded (a process still there after 60 s is killed).
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        if self.control_server is not None:
            self.control_server.shutdown()
            self.control_server.server_close()
            self.control_server = None
        try:
            # Signal everything first, then wait: SeaweedFS's slow exit overlaps the others'.
            for proc in self.processes:
                proc.signal(signal.SIGTERM)
            for proc in reversed(self.processes):
                took = proc.wait(timeout=60)
                self.say(f"  stopped {proc.name:<9} pid {proc.pid} in {took:.1f}s")
            self.processes.clear()
            # SeaweedFS leaves its S3 gateway's gRPC socket behind, always in /tmp (ours by port).
            leftover = Path("/tmp") / f"seaweedfs-s3-grpc-{self.weed_ports[7]}.sock"
            if leftover.is_socket():
                leftover.unlink()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if os.environ.get("FLOW_KEEP_RUN_DIR") == "1":
            self.say(f"  kept {self.run_dir}")
        else:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def control(path: str, op: str, timeout: float = 90, **fields) -> dict:
    """Asks a running stack (its FLOW_CONTROL socket) to `stop` or `start` a server by name
    ("backend", "bridge"; stop takes `signal`, SIGKILL by default), or for the `pids`."""
    with closing(socket.socket(socket.AF_UNIX)) as sock:
        sock.settimeout(timeout)
        sock.connect(path)
        sock.sendall(json.dumps({"op": op, **fields}).encode() + b"\n")
        reply = json.loads(sock.makefile().readline())
    if not reply.pop("ok"):
        raise RuntimeError(f"flow control {op} {fields}: {reply['error']}")
    return reply


def write_security_toml(weed_dir: Path):
    """SeaweedFS's security.toml (read from its working directory by every server in the
    process): the only way in is signed S3.

    - jwt.signing / jwt.signing.read: the volume server takes a write or a read only with a token
      the master (or filer, for the S3 gateway) signed for that file id;
    - jwt.filer_signing / .read: the same for the filer's HTTP API (off anyway: -filer.disableHttp;
      this holds if it is ever turned back on);
    - grpc.*: mutual TLS on every gRPC port with a CA made for this run, so no client without its
      certificate reaches the filer's metadata or the volumes' data that way;
    - access.ui / filer.expose_directory_metadata: no volume UI, no directory listings.
    """
    tls = weed_dir / "tls"
    tls.mkdir(mode=0o700)
    ca_cert, node_cert, node_key = make_cluster_certificates()
    (tls / "ca.crt").write_bytes(ca_cert)
    (tls / "node.crt").write_bytes(node_cert)
    (tls / "node.key").write_bytes(node_key)
    (tls / "node.key").chmod(0o600)
    lines = []
    for section in ("jwt.signing", "jwt.signing.read", "jwt.filer_signing", "jwt.filer_signing.read"):
        lines += [f"[{section}]", f'key = "{secrets.token_urlsafe(32)}"', "expires_after_seconds = 10", ""]
    lines += ["[access]", "ui = false", "", "[filer.expose_directory_metadata]", "enabled = false", ""]
    lines += ["[grpc]", f'ca = "{tls / "ca.crt"}"', ""]
    for component in ("master", "volume", "filer", "s3", "client"):
        lines += [f"[grpc.{component}]", f'cert = "{tls / "node.crt"}"', f'key = "{tls / "node.key"}"', ""]
    path = weed_dir / "security.toml"
    path.write_text("\n".join(lines))
    path.chmod(0o600)


def make_cluster_certificates() -> tuple[bytes, bytes, bytes]:
    """A CA for this run and one certificate it signs, which every SeaweedFS server presents and
    accepts (it checks the CA, not host names). PEM: CA certificate, certificate, its key."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    valid = {"not_valid_before": now - datetime.timedelta(minutes=5), "not_valid_after": now + datetime.timedelta(days=7)}

    def name(common_name):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder(subject_name=name("thumbsmith-flow-ca"), issuer_name=name("thumbsmith-flow-ca"),
                                public_key=ca_key.public_key(), serial_number=x509.random_serial_number(), **valid)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder(subject_name=name("seaweedfs"), issuer_name=ca.subject, public_key=key.public_key(),
                                serial_number=x509.random_serial_number(), **valid)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return ca.public_bytes(pem), cert.public_bytes(pem), key_pem


def default_wasm_dir() -> str | None:
    """The wasm binding's browser package (bindings-wasm/pkg), when it has been built."""
    package = REPO / "bindings-wasm" / "pkg"
    return str(package) if (package / "worker-client.js").exists() else None


class Interrupted(Exception):
    pass


def _raise_interrupted(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("up", "run"):
        print(__doc__)
        return 2
    # SIGTERM (CI, `kill`) and SIGHUP (the terminal closed) stop the stack as Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_interrupted)
    signal.signal(signal.SIGHUP, _raise_interrupted)
    stack = FlowStack()
    print(f"starting the avatar flow in {stack.run_dir}", flush=True)
    code = 0
    try:
        stack.start()
        print(f"  ready in {stack.timings['start_s']:.1f}s", flush=True)
        if argv[0] == "up":
            print(f"page     {stack.backend_url}/\ncdn      {stack.cdn_url}/avatars/\ns3       {stack.s3_url}\n"
                  "Ctrl-C stops everything.", flush=True)
            while True:
                time.sleep(3600)
        command = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        code = subprocess.call(command, env={**os.environ, **stack.env()})
    except (KeyboardInterrupt, Interrupted):
        print("\nstopping (SeaweedFS takes ~15 s)", flush=True)
    finally:
        stack.stop()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
