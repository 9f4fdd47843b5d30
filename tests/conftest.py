"""The fixtures every test layer shares. PostgreSQL-backed tests read DATABASE_URL_PG (set by `make test`).

`app` is the service on a fresh database (SQLite file, and PostgreSQL as a `postgres` variant), REST
authentication and web pages off, with a frozen `clock`; `client` and `ctx` are its test client and
operations context. A layer that needs a richer world (tests/web: deployed models and demo users)
overrides `app` (and `clock`) in its own conftest; `client`, `ctx` and `make_client` follow.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from service.engine import FrozenClock

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_url_or_skip() -> str:
    """The server URL, or skip (fail when ALUR_REQUIRE_PG=1, as in CI, so a missing server is noticed)."""
    url = os.environ.get("DATABASE_URL_PG")
    if url:
        return url
    reason = ("DATABASE_URL_PG is not set: PostgreSQL tests need a server "
              "(`make test` starts a throwaway one via scripts/with-postgres.sh)")
    if os.environ.get("ALUR_REQUIRE_PG") == "1":
        pytest.fail(reason + "; ALUR_REQUIRE_PG=1 forbids skipping")
    pytest.skip(reason)


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    from sqlalchemy import create_engine, text

    from service.store import normalize_url

    base = normalize_url(postgres_url_or_skip())
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'alur.db'}"
    return str(request.getfixturevalue("pg_schema_url"))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def app(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Any]:
    from service.app import create_app

    application = create_app({"database_url": db_url, "instance_path": tmp_path, "scheduler": False, "web": False,
                              "rest_auth": False, "TESTING": True}, clock=clock)
    application.extensions["alur"].db.create_all()
    yield application
    application.extensions["alur"].db.dispose()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def make_client(app: Any) -> Any:
    return app.test_client


@pytest.fixture
def ctx(app: Any) -> Any:
    return app.extensions["alur"].ops
