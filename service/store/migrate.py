"""Alembic migrations run from code, so an installed package needs no alembic.ini on disk."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from .db import make_engine, normalize_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on '%' in passwords.
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head", *, engine: Engine | None = None,
            create_folder: bool = False) -> None:
    """Create or migrate the schema. A SQLite file's folder is created only with `create_folder`
    (the default instance folder); otherwise a missing folder is a DatabaseSetupError."""
    cfg = alembic_config(url)
    own = engine is None
    engine = engine or make_engine(url, create_folder=create_folder)
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
    finally:
        if own:
            engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


__all__ = ["upgrade", "head_revision", "current_revision", "alembic_config", "MIGRATIONS_DIR"]
