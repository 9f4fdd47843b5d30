"""The schema: migrations equal the models on SQLite and PostgreSQL; UTC columns; configuration."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from service.config import Config, ConfigError
from service.store import Database, Tenant, current_revision, head_revision, upgrade
from service.store.models import metadata
from service.store.types import UTCDateTime


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.db'}"
    return request.getfixturevalue("pg_schema_url")


def test_migrations_match_models(empty_url: str) -> None:
    upgrade(empty_url)
    assert current_revision(empty_url) == head_revision()
    upgrade(empty_url)          # idempotent
    db = Database(empty_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == [], f"models and migrations differ; add a migration: {diff}"
    finally:
        db.dispose()


def test_utc_datetimes_round_trip(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'u.db'}")
    db.create_all()
    wib = timezone(timedelta(hours=7))
    with db.unit_of_work() as s:
        s.add(Tenant(id="t", name="T", created=datetime(2026, 1, 5, 15, 0, tzinfo=wib)))
    with db.unit_of_work() as s:
        created = s.get(Tenant, "t").created
    assert created == datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc) and created.tzinfo is not None
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 5), db.engine.dialect)
    db.dispose()


def test_unit_of_work_rolls_back_everything(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    db.create_all()
    with pytest.raises(RuntimeError):
        with db.unit_of_work() as s:
            s.add(Tenant(id="a"))
            s.flush()
            raise RuntimeError("fails half-way")
    with db.unit_of_work() as s:
        assert s.get(Tenant, "a") is None
    db.dispose()


def test_config_from_env(tmp_path: Path) -> None:
    cfg = Config.from_env({"ALUR_INSTANCE_PATH": str(tmp_path), "ALUR_SCHEDULER": "off",
                           "ALUR_TRUSTED_SCRIPTS": "0", "ALUR_SCHEDULER_INTERVAL": "2.5"})
    assert cfg.scheduler is False and cfg.scheduler_interval == 2.5
    assert cfg.effective_database_url == f"sqlite:///{(tmp_path / 'alur.db').resolve()}"
    assert Config.from_env({"DATABASE_URL": "postgresql://x/y"}).database_url == "postgresql://x/y"
    with pytest.raises(ConfigError, match="ALUR_SCHEDULER"):
        Config.from_env({"ALUR_SCHEDULER": "kadang"})
    with pytest.raises(ConfigError, match="ALUR_TIMER_LEASE"):
        Config.from_env({"ALUR_TIMER_LEASE": "lama"})
    with pytest.raises(ConfigError, match="unknown configuration keys: databse_url"):
        Config.coerce({"databse_url": "x"})
    assert Config.coerce({"TESTING": True}).flask == {"TESTING": True}


def test_postgres_urls_use_psycopg3() -> None:
    from service.store import normalize_url

    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
