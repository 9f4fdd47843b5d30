"""The `alur` command, in-process (fast) plus one real subprocess for the entry point."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from service.cli import main, parse_var
from support import FIXTURES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    return url


def test_parse_var() -> None:
    assert parse_var("n=5") == ("n", 5)
    assert parse_var("ok=true") == ("ok", True)
    assert parse_var("nama=Budi Santoso") == ("nama", "Budi Santoso")
    assert parse_var('s="5"') == ("s", "5")
    assert parse_var("e=a=b") == ("e", "a=b")


def test_deploy_start_tasks_complete(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deploy", str(FIXTURES / "pengadaan.bpmn"), "--tenant", "pagaralam", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["processes"][0].startswith("pengadaan:1:")
    assert main(["start", "pengadaan", "--tenant", "pagaralam", "--business-key", "PKT-7", "--var", "nilai=5",
                 "--json"]) == 0
    instance = json.loads(capsys.readouterr().out)
    assert instance["state"] == "ACTIVE"
    assert main(["tasks", "--group", "PPK", "--tenant", "pagaralam", "--json"]) == 0
    tasks = json.loads(capsys.readouterr().out)
    assert [t["name"] for t in tasks] == ["Siapkan dokumen"]
    assert main(["complete", tasks[0]["id"], "--var", "nomor=DPP-1"]) == 0
    assert "completed" in capsys.readouterr().out
    assert main(["tasks", "--group", "verifikator"]) == 0
    assert "Periksa dokumen" in capsys.readouterr().out


def test_errors_and_exit_codes(db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["start", "tidak_ada"]) == 1
    assert "tidak_ada" in capsys.readouterr().err
    assert main(["complete", "nope"]) == 1
    assert main(["deploy", str(tmp_path / "missing.bpmn")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["deploy", str(FIXTURES / "rusak.bpmn")]) == 1
    assert "line 7" in capsys.readouterr().err
    assert main(["start", "x", "--var", "tanpa-nilai"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["bukan-perintah"])
    assert exc.value.code == 2


def test_deploy_folder_is_idempotent_with_changed_only(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["deploy", str(FIXTURES), "--changed-only", "--json"]
    # The fixtures folder holds a broken model on purpose: deploy a copy without it.
    assert main(["deploy", str(FIXTURES / "pengadaan.bpmn"), str(FIXTURES / "risiko.dmn"), "--changed-only",
                 "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["deploy", str(FIXTURES / "pengadaan.bpmn"), str(FIXTURES / "risiko.dmn"), "--changed-only",
                 "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["duplicate"] is True and second["id"] == first["id"]
    assert args  # the folder form is exercised by the serve test below


def test_worker_once(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--once"]) == 0
    assert "fired 0 instance timers" in capsys.readouterr().out


def test_deploy_dirs_plan(tmp_path: Path) -> None:
    from service.ops.directories import plan

    (tmp_path / "bpmn" / "pagaralam").mkdir(parents=True)
    (tmp_path / "bpmn" / "mojokerto").mkdir(parents=True)
    (tmp_path / "dmn" / "mojokerto").mkdir(parents=True)
    (tmp_path / "forms").mkdir()
    (tmp_path / "bpmn" / "pagaralam" / "a.bpmn").write_bytes(b"x")
    (tmp_path / "bpmn" / "mojokerto" / "b.bpmn").write_bytes(b"x")
    (tmp_path / "dmn" / "umum.dmn").write_bytes(b"x")
    (tmp_path / "dmn" / "mojokerto" / "khusus.dmn").write_bytes(b"x")
    (tmp_path / "forms" / "f.form").write_bytes(b"x")
    plans = {p.tenant: [name for name, _ in p.resources] for p in plan(tmp_path)}
    assert plans == {"pagaralam": ["bpmn/pagaralam/a.bpmn", "dmn/umum.dmn", "forms/f.form"],
                     "mojokerto": ["bpmn/mojokerto/b.bpmn", "dmn/mojokerto/khusus.dmn", "forms/f.form"]}


def test_deploy_directories_unchanged_creates_no_versions(ctx: Any, tmp_path: Path) -> None:
    from service import ops

    (tmp_path / "bpmn" / "pagaralam").mkdir(parents=True)
    (tmp_path / "dmn").mkdir()
    (tmp_path / "bpmn" / "pagaralam" / "pengadaan.bpmn").write_bytes((FIXTURES / "pengadaan.bpmn").read_bytes())
    (tmp_path / "dmn" / "risiko.dmn").write_bytes((FIXTURES / "risiko.dmn").read_bytes())
    first = ops.deploy_directories(ctx, tmp_path)
    assert [len(d.processes) for d in first] == [1]
    again = ops.deploy_directories(ctx, tmp_path)
    assert again[0].duplicate is True
    (tmp_path / "dmn" / "risiko.dmn").write_bytes((FIXTURES / "risiko.dmn").read_bytes().replace(b"Tingkat", b"Level"))
    third = ops.deploy_directories(ctx, tmp_path)
    assert [d.version for d in third[0].decisions] == [2] and third[0].processes == []
    assert ops.get_definition(ctx, "process", key="pengadaan", tenant="pagaralam").version == 1


def test_entry_point_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'sub.db'}", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "service.cli", "db", "upgrade"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "revision" in result.stdout
    result = subprocess.run([sys.executable, "-m", "service.cli", "start", "x"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "'x'" in result.stderr


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_deploys_folders_and_answers(tmp_path: Path) -> None:
    """What `make run` does: upgrade, deploy bpmn/ dmn/ forms/, serve with the scheduler thread."""
    import time
    import urllib.request

    root = tmp_path / "repo"
    (root / "bpmn" / "pagaralam").mkdir(parents=True)
    (root / "dmn").mkdir()
    (root / "bpmn" / "pagaralam" / "pengadaan.bpmn").write_bytes((FIXTURES / "pengadaan.bpmn").read_bytes())
    (root / "dmn" / "risiko.dmn").write_bytes((FIXTURES / "risiko.dmn").read_bytes())
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "PYTHONPATH": str(ROOT),
           "ALUR_SCHEDULER_INTERVAL": "0.5", "ALUR_WEB": "off", "ALUR_REST_AUTH": "off"}
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--deploy-dirs",
                             "--root", str(root)], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/engine-rest"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(base + "/version", timeout=1) as r:
                    assert json.loads(r.read()) == {"version": "7.22.0"}
                break
            except OSError as exc:
                if proc.poll() is not None:
                    raise AssertionError(proc.stderr.read() if proc.stderr else "serve exited") from exc
                time.sleep(0.1)
        else:
            raise AssertionError("alur serve did not answer")
        request = urllib.request.Request(base + "/process-definition/key/pengadaan/tenant-id/pagaralam/start",
                                         data=b'{"businessKey": "S-1"}', method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as r:
            assert json.loads(r.read())["businessKey"] == "S-1"
        with urllib.request.urlopen(base + "/task?candidateGroup=PPK", timeout=10) as r:
            assert [t["name"] for t in json.loads(r.read())] == ["Siapkan dokumen"]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "deployed alur-pagaralam (tenant pagaralam): 1 process, 1 decision" in err


def test_parse_var_keeps_non_json_constants_as_text() -> None:
    # json.loads accepts NaN/Infinity; JSON does not, and a NaN variable breaks every JSON answer later.
    assert parse_var("x=NaN") == ("x", "NaN")
    assert parse_var("x=-Infinity") == ("x", "-Infinity")
    assert parse_var("x=[1, NaN]") == ("x", "[1, NaN]")
    assert parse_var("x=1.5") == ("x", 1.5)
