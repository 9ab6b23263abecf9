"""Defaults parity: each shared case gives byte for byte what the Rust API recorded."""

import dataclasses
import hashlib

import pytest

import thumbsmith
from conftest import fixture_bytes, parity_cases

CASES = parity_cases()


def test_the_core_recorded_cases():
    assert len(CASES) >= 5


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_python_output_is_the_rust_output(case):
    result = thumbsmith.process(fixture_bytes(case["input"]), **case["options"])
    expected = dict(case["expected"])
    assert hashlib.sha256(result.data).hexdigest() == expected.pop("sha256")
    assert len(result.data) == expected.pop("bytes")
    crop = expected.pop("crop")
    assert {
        "left": result.crop.left,
        "top": result.crop.top,
        "width": result.crop.width,
        "height": result.crop.height,
    } == crop
    thumbhash = expected.pop("thumbhash")
    assert result.thumbhash == (None if thumbhash is None else bytes(thumbhash))
    # Every other field the core serialises, under the same name.
    assert {key: getattr(result, key) for key in expected} == expected
    # And no field the core does not: the result is the core's serialisation plus the bytes.
    fields = {field.name for field in dataclasses.fields(result)}
    assert fields == set(case["expected"]) - {"sha256", "bytes"} | {"data"}
    assert result.size == len(result.data)
