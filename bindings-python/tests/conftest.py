import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "core" / "tests" / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parity_cases() -> List[Dict[str, Any]]:
    """The expected outputs the core's tests record (core/tests/parity.rs)."""
    cases: List[Dict[str, Any]] = json.loads((FIXTURES / "parity.json").read_text())
    return cases


@pytest.fixture
def photo() -> bytes:
    return fixture_bytes("photo.jpg")
