"""`alur complete` when the model fails at run time: exit code 1, a message naming the element, the
task still open."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main

from test_acceptance_incidents import GATEWAY


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    return url


def test_complete_with_a_failing_gateway(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "cek.bpmn"
    model.write_text(GATEWAY, encoding="utf-8")
    assert main(["deploy", str(model)]) == 0
    assert main(["start", "cek_nilai", "--json"]) == 0
    capsys.readouterr()
    assert main(["tasks", "--json"]) == 0
    [task] = json.loads(capsys.readouterr().out)

    assert main(["complete", task["id"]]) == 1
    err = capsys.readouterr().err
    assert "Element 'cek' (Nilai besar?) failed" in err and "nilai" in err and "Traceback" not in err

    assert main(["tasks", "--json"]) == 0
    assert [t["id"] for t in json.loads(capsys.readouterr().out)] == [task["id"]]
    assert main(["complete", task["id"], "--var", "nilai=3"]) == 0
    assert main(["tasks"]) == 0
    assert "no tasks" in capsys.readouterr().err
