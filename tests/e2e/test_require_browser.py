"""CI sets ALUR_REQUIRE_BROWSER=1 (.ci/run): a missing browser must fail the run, not skip it."""
from __future__ import annotations

from pathlib import Path

import pytest

from . import conftest


def test_missing_chromium_fails_when_the_browser_is_required(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("ALUR_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception):
        conftest._require_browser()
    monkeypatch.delenv("ALUR_REQUIRE_BROWSER")
    with pytest.raises(pytest.skip.Exception):
        conftest._require_browser()


def test_ci_requires_the_browser():
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "export ALUR_REQUIRE_BROWSER=1" in ci and "make test" in ci
