"""HMAC signatures on handler → backend notifications (the scheme Stripe and GitHub use).

Header: `X-Avatar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
The timestamp is inside the MAC, so a captured request cannot be re-dated; the backend refuses
timestamps outside its tolerance and event ids it has already seen (replays within the window).
The thumbnail handler (examples/lambda-thumbnail/signing.js) writes the same header.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

HEADER = "X-Avatar-Signature"
# re.ASCII: `\d` would otherwise take any Unicode digit, which int() reads as well.
T_VALUE = re.compile(r"\d{1,12}", re.ASCII)
MAC_VALUE = re.compile(r"[0-9a-f]{64}")


class BadSignature(Exception):
    pass


def sign(secret: bytes, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def parse(header: str | None) -> tuple[int, str]:
    """The header's timestamp and MAC, or BadSignature. Checked before the body is read, so an
    unsigned request costs nothing; only ASCII digits and lower-case hex get through."""
    if not header:
        raise BadSignature("missing signature")
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    t, given = parts.get("t", ""), parts.get("v1", "")
    if not (T_VALUE.fullmatch(t) and MAC_VALUE.fullmatch(given)):
        raise BadSignature("malformed signature header")
    return int(t), given


def verify(secret: bytes, body: bytes, header: str | None, tolerance: int, now: float | None = None) -> int:
    """Returns the signed timestamp, or raises BadSignature saying what is wrong."""
    t, given = parse(header)
    expected = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise BadSignature("signature does not match")
    if abs((time.time() if now is None else now) - t) > tolerance:
        raise BadSignature("signature timestamp outside the replay window")
    return t
