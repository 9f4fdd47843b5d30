"""Only the default instance folder is created for the SQLite database; a user-given URL naming a missing
folder is a clear error, and a database without tables says to run `alur db upgrade`."""
from __future__ import annotations

from pathlib import Path

import pytest

from service.app import create_app
from service.cli import _missing_table, main
from service.config import Config
from service.store import Database, DatabaseSetupError


@pytest.fixture(autouse=True)
def no_env_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ALUR_INSTANCE_PATH", raising=False)


def test_cli_does_not_create_the_folder_of_a_given_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    url = f"sqlite:///{missing / 'x.db'}"
    assert main(["--database-url", url, "tasks"]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and str(missing) in err and "no such table" not in err
    assert not (tmp_path / "nonexistent").exists()
    assert main(["--database-url", url, "db", "upgrade"]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "nonexistent").exists()


def test_cli_on_a_database_without_tables_names_db_upgrade(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'kosong.db'}"
    assert main(["--database-url", url, "tasks"]) == 1
    err = capsys.readouterr().err
    assert "run `alur db upgrade`" in err and "no such table" not in err
    assert main(["--database-url", url, "db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["--database-url", url, "tasks"]) == 0
    assert "no tasks" in capsys.readouterr().err


def test_default_instance_folder_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    instance = tmp_path / "instance" / "nested"
    monkeypatch.setenv("ALUR_INSTANCE_PATH", str(instance))
    assert main(["db", "upgrade"]) == 0
    assert (instance / "alur.db").is_file()
    capsys.readouterr()
    assert main(["tasks"]) == 0


def test_database_and_app_create_the_folder_only_when_asked(tmp_path: Path) -> None:
    with pytest.raises(DatabaseSetupError, match="does not exist"):
        Database(f"sqlite:///{tmp_path / 'a' / 'x.db'}")
    assert not (tmp_path / "a").exists()
    db = Database(f"sqlite:///{tmp_path / 'b' / 'x.db'}", create_folder=True)
    assert (tmp_path / "b").is_dir() and not db.has_schema()
    with pytest.raises(DatabaseSetupError, match="alur db upgrade"):
        db.require_schema()
    db.create_all()
    assert db.has_schema()
    db.require_schema()
    db.dispose()
    memory = Database("sqlite://")
    assert not memory.has_schema()
    memory.dispose()

    app = create_app({"instance_path": tmp_path / "inst", "scheduler": False, "web": False})
    assert (tmp_path / "inst").is_dir()
    app.extensions["alur"].db.dispose()
    with pytest.raises(DatabaseSetupError):
        create_app({"instance_path": tmp_path / "inst2", "scheduler": False, "web": False,
                    "database_url": f"sqlite:///{tmp_path / 'c' / 'x.db'}"})
    assert not (tmp_path / "c").exists()


def test_config_knows_the_default_database(tmp_path: Path) -> None:
    assert Config.coerce({"instance_path": tmp_path}).uses_default_database
    assert not Config.coerce({"database_url": "sqlite:///x.db"}).uses_default_database


@pytest.mark.parametrize("detail, missing", [
    ("no such table: user_task", True),
    ('relation "user_task" does not exist', True),
    ("database is locked", False),
])
def test_missing_table_detection(detail: str, missing: bool) -> None:
    assert _missing_table(detail) is missing
