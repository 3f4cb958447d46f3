"""Shared fixtures for the protocol tests: the golden vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data" / "vectors.json"


@pytest.fixture(scope="session")
def vectors() -> dict[str, Any]:
    return json.loads(DATA.read_text())  # type: ignore[no-any-return]
