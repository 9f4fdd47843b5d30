"""Database engine, sessions and the unit of work (one transaction per operation)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool


def normalize_url(url: str) -> str:
    """Plain postgresql:// URLs use psycopg 3 (the driver we ship), not psycopg2."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


# A table of the first migration: its absence means the schema was never created.
SCHEMA_TABLE = "process_instance"


class DatabaseSetupError(Exception):
    """The database cannot be used as configured (its folder or its schema is missing); says what to do."""


# Connections beyond the pool, for the rare moment a thread holds two (they are closed after use).
POOL_OVERFLOW = 2


def make_engine(url: str, *, echo: bool = False, create_folder: bool = False,
                pool_size: int | None = None) -> Engine:
    """An engine for `url`. A SQLite file's folder is created only with `create_folder` (the default
    instance folder); a user-given URL naming a missing folder is a DatabaseSetupError, since a typo
    must not silently create directories and an empty database.

    `pool_size`: the connections kept open, one per thread that uses the database at once. SQLAlchemy's
    default (5 + 10 overflow) opens and closes a connection per request beyond 5 concurrent ones, which on
    PostgreSQL costs a new backend each time; a pool as large as the threads keeps them all."""
    url = normalize_url(url)
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if pool_size is not None:
        kwargs.update(pool_size=pool_size, max_overflow=POOL_OVERFLOW)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        memory = database in ("", ":memory:") or database.startswith("file::memory:") \
            or "mode=memory" in database
        # Writers wait for each other instead of failing at once with "database is locked".
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if memory:
            kwargs["poolclass"] = StaticPool
            kwargs.pop("pool_size", None)
            kwargs.pop("max_overflow", None)
        elif not database.startswith("file:"):
            _sqlite_folder(Path(database), create=create_folder)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, wal=not memory)
        return engine
    kwargs["pool_pre_ping"] = True
    return create_engine(url, **kwargs)


def _sqlite_folder(path: Path, *, create: bool) -> None:
    folder = path.parent
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        raise DatabaseSetupError(
            f"the folder of the SQLite database {str(path)!r} does not exist: create {str(folder)!r} or "
            f"give another database URL (folder database SQLite tidak ada)")


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if wal:
            # WAL lets the scheduler thread read while a request writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


class Database:
    """An engine plus its session factory; `unit_of_work()` is the only way operations touch SQL."""

    def __init__(self, url: str, *, echo: bool = False, create_folder: bool = False,
                 pool_size: int | None = None) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, echo=echo, create_folder=create_folder, pool_size=pool_size)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Commit when the block ends normally; roll everything back when it raises."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def has_schema(self) -> bool:
        """True when the tables exist (`alur db upgrade` or `create_all()` was run)."""
        with self.engine.connect() as connection:
            return inspect(connection).has_table(SCHEMA_TABLE)

    def require_schema(self) -> None:
        """DatabaseSetupError naming `alur db upgrade` when the schema has not been created."""
        if not self.has_schema():
            raise DatabaseSetupError(
                f"the database {self.engine.url.render_as_string(hide_password=True)} has no Alur tables: "
                "run `alur db upgrade` first (jalankan `alur db upgrade` lebih dahulu)")

    def create_all(self) -> None:
        """Create the tables straight from the models (tests); production uses `upgrade()`."""
        from .base import Base
        from . import models  # noqa: F401  (registers every table)
        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


__all__ = ["Database", "DatabaseSetupError", "SCHEMA_TABLE", "make_engine", "normalize_url"]
