"""Runs the installed `thumbsmith` wheel on the shared parity cases and the avatar job.

`python parity.py FIXTURES AVATAR_PHOTO`: every case of FIXTURES/parity.json must give the bytes
the Rust API recorded; the avatar job (512×512 JPEG of the sideways sample) must come out upright
at that size. Exits non-zero on any difference. Run from a fresh venv by test-dist.sh, so it
imports what pip installed, never the checkout.
"""

import hashlib
import json
import pathlib
import sys
import time

import thumbsmith


def main() -> int:
    fixtures = pathlib.Path(sys.argv[1])
    cases = json.loads((fixtures / "parity.json").read_text())
    failed = 0
    for case in cases:
        result = thumbsmith.process((fixtures / case["input"]).read_bytes(), **case["options"])
        same = hashlib.sha256(result.data).hexdigest() == case["expected"]["sha256"]
        failed += not same
        print(f"{'ok  ' if same else 'FAIL'} {case['name']} ({len(result.data)} bytes)")
    photo = pathlib.Path(sys.argv[2]).read_bytes()
    started = time.perf_counter()
    avatar = thumbsmith.process(photo, width=512, height=512)
    elapsed = time.perf_counter() - started
    upright = (avatar.width, avatar.height, avatar.format) == (512, 512, "jpeg")
    failed += not upright
    print(f"avatar job: {avatar.width}x{avatar.height} {avatar.format}, {len(avatar.data)} bytes, {elapsed * 1000:.0f} ms")
    print(f"{thumbsmith.__file__}: {len(cases) + 1 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
