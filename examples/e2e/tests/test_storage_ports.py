"""The only way into the object store is signed S3 (issue 31, finding 3). SeaweedFS's own ports
(master, volume, filer; HTTP and gRPC) used to take anyone on the host: the filer served a user's
original upload and took writes and deletes in both buckets, the master deleted whole buckets."""

import http.client
import json
import os
import secrets
import socket
import ssl
import stat
import time
import tomllib
import uuid
from pathlib import Path

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
EMPTY_SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


def weed_dir(flow) -> Path:
    return Path(flow.run_dir) / "seaweedfs"


def security(flow) -> dict:
    return tomllib.loads((weed_dir(flow) / "security.toml").read_text())


def put_secret_upload(flow, user) -> tuple[str, bytes]:
    key = f"uploads/{user}/{uuid.uuid4().hex}"
    body = b"original upload, EXIF and all " + secrets.token_bytes(8)
    flow.s3().put_object(Bucket=flow.uploads_bucket, Key=key, Body=body)
    return key, body


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def test_filer_http_refuses_unsigned_reads_writes_and_deletes(flow, user):
    key, body = put_secret_upload(flow, user)
    filer = f"http://127.0.0.1:{flow.ports['filer']}"
    read = requests.get(f"{filer}/buckets/{flow.uploads_bucket}/{key}", timeout=10)
    assert read.status_code >= 400 and body not in read.content
    listing = requests.get(f"{filer}/buckets/{flow.uploads_bucket}/uploads/{user}/", timeout=10)
    assert listing.status_code >= 400 and key.rsplit("/", 1)[1].encode() not in listing.content
    evil = f"avatars/{user}/0123456789abcdef.jpg"
    write = requests.put(f"{filer}/buckets/{flow.assets_bucket}/{evil}", data=b"<svg/>", timeout=10)
    assert write.status_code >= 400
    delete = requests.delete(f"{filer}/buckets/{flow.uploads_bucket}/{key}", timeout=10)
    assert delete.status_code >= 400
    # Nor over the filer's local socket.
    conn = UnixHTTPConnection(str(weed_dir(flow) / "filer.sock"))
    conn.request("GET", f"/buckets/{flow.uploads_bucket}/{key}")
    answer = conn.getresponse()
    assert answer.status >= 400 and body not in answer.read()
    # What S3 holds is unchanged.
    s3 = flow.s3()
    assert s3.get_object(Bucket=flow.uploads_bucket, Key=key)["Body"].read() == body
    with pytest.raises(ClientError):
        s3.head_object(Bucket=flow.assets_bucket, Key=evil)


def test_volume_http_refuses_unsigned_writes_and_reads(flow):
    volume = f"http://127.0.0.1:{flow.ports['volume']}"
    # The volume server's status page names its volumes (and stays open: it holds no data).
    volumes = requests.get(f"{volume}/status", timeout=10).json()["Volumes"]
    vid = next(v["Id"] for v in volumes if v["Collection"] == flow.uploads_bucket)
    fid = f"{vid},{secrets.token_hex(4)}{secrets.token_hex(4)}"
    unsigned = requests.post(f"{volume}/{fid}", files={"file": ("x", b"planted")}, timeout=10)
    assert unsigned.status_code == 401, unsigned.text
    # The same write signed with the cluster's key goes through: the port and the file id are
    # right, only the signature was missing.
    keys = security(flow)["jwt"]["signing"]

    def token(key):
        return jwt.encode({"fid": fid, "exp": int(time.time()) + 10}, key, algorithm="HS256")

    signed = requests.post(f"{volume}/{fid}", files={"file": ("x", b"planted")}, headers={"Authorization": f"Bearer {token(keys['key'])}"}, timeout=10)
    assert signed.status_code == 201, signed.text
    assert requests.get(f"{volume}/{fid}", timeout=10).status_code == 401
    readable = requests.get(f"{volume}/{fid}", headers={"Authorization": f"Bearer {token(keys['read']['key'])}"}, timeout=10)
    assert readable.content == b"planted"


def test_master_http_refuses_admin_requests(flow, user):
    """`/col/delete` took a bucket's data with it; `/dir/assign` and `/submit` wrote to volumes."""
    bucket = f"scratch-{uuid.uuid4().hex[:12]}"
    s3 = flow.s3()
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="kept", Body=b"kept")
    master = f"http://127.0.0.1:{flow.ports['master']}"
    assert requests.get(f"{master}/col/delete", params={"collection": bucket}, timeout=10).status_code >= 400
    assert requests.get(f"{master}/dir/assign", timeout=10).status_code >= 400
    assert requests.post(f"{master}/submit", files={"file": ("x", b"planted")}, timeout=10).status_code >= 400
    assert s3.get_object(Bucket=bucket, Key="kept")["Body"].read() == b"kept"


def speaks_plaintext_grpc(port) -> bool:
    """True if the port answers an HTTP/2 (gRPC) client that has no certificate."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(HTTP2_PREFACE + EMPTY_SETTINGS)
        try:
            head = sock.recv(9)
        except (ConnectionResetError, socket.timeout):
            return False
    return len(head) == 9 and head[3] == 0x04  # a SETTINGS frame


def tls_handshake(port, cert=None) -> bytes:
    """Opens TLS (ALPN h2) with or without a client certificate; returns the server's first
    HTTP/2 bytes. With TLS 1.3 a refused client certificate surfaces on this first read."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    if cert:
        context.load_cert_chain(*cert)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, context.wrap_socket(raw) as tls:
        tls.sendall(HTTP2_PREFACE + EMPTY_SETTINGS)
        return tls.recv(9)


@pytest.mark.parametrize("server", ["master_grpc", "volume_grpc", "filer_grpc", "s3_grpc"])
def test_grpc_ports_refuse_clients_without_the_cluster_certificate(flow, server):
    port = flow.ports[server]
    assert not speaks_plaintext_grpc(port)
    with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
        if not tls_handshake(port):
            raise ConnectionResetError("closed")
    # With the cluster's certificate the same handshake gets the server's SETTINGS frame.
    client = security(flow)["grpc"]["client"]
    assert tls_handshake(port, (client["cert"], client["key"]))[3] == 0x04


def test_storage_credentials_are_private_to_the_stack(flow):
    """s3.json (the S3 secret), security.toml (the signing keys) and the TLS key live in a
    directory only the stack's user can enter (the run directory itself is open for nginx)."""
    mode = os.stat(weed_dir(flow)).st_mode
    assert stat.S_IMODE(mode) & 0o077 == 0, oct(mode)
    for name in ("s3.json", "security.toml"):
        assert stat.S_IMODE(os.stat(weed_dir(flow) / name).st_mode) & 0o077 == 0, name
