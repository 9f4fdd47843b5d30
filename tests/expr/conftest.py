"""Shared fixtures for the FEEL tests."""
from __future__ import annotations

from typing import Any

import pytest

from service.expr import feel


@pytest.fixture
def ev():
    """Evaluate a FEEL expression, returning (value, diagnostics)."""
    def run(text: str, variables: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
        diagnostics: list[str] = []
        return feel.evaluate(text, variables or {}, diagnostics=diagnostics), diagnostics
    return run
