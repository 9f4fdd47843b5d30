"""Fixtures of the /engine-rest tests: an app on a SQLite file with a frozen clock; authentication
is off unless a test asks for `auth_app` (then an admin and two tenant users exist)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from api_support import ADMIN, OTHER, PPK, make_app, pg_schema_url, postgres_base
from service.engine import FrozenClock


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema (DATABASE_URL_PG, set by `make test`)."""
    base = postgres_base()
    if not base:
        if os.environ.get("ALUR_REQUIRE_PG") == "1":
            pytest.fail("DATABASE_URL_PG is not set and ALUR_REQUIRE_PG=1 forbids skipping")
        pytest.skip("DATABASE_URL_PG is not set: PostgreSQL tests need a server (`make test` starts one)")
    with pg_schema_url(base) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest, tmp_path: Path, clock: FrozenClock) -> Iterator[Any]:
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    application = make_app(tmp_path, clock, database_url=url, ALUR_REST_AUTH="off")
    yield application
    application.extensions["alur"].db.dispose()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def ctx(app: Any) -> Any:
    return app.extensions["alur"].ops


@pytest.fixture
def auth_app(tmp_path: Path, clock: FrozenClock) -> Iterator[Any]:
    from service.ops.users import create_user

    application = make_app(tmp_path, clock, ALUR_REST_AUTH="on")
    ctx = application.extensions["alur"].ops
    create_user(ctx, ADMIN[0], ADMIN[1], groups=["admin", "process-owner"], tenants=["pagaralam", "lahat"])
    create_user(ctx, PPK[0], PPK[1], groups=["PPK"], tenants=["pagaralam"])
    create_user(ctx, OTHER[0], OTHER[1], groups=["PPK"], tenants=["lahat"])
    yield application
    application.extensions["alur"].db.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server on a free 127.0.0.1 port (werkzeug, threaded), authentication on, user `admin`."""
    import threading

    from werkzeug.serving import make_server

    from service.ops.users import create_user

    app = make_app(Path(tmp_path_factory.mktemp("live")), ALUR_REST_AUTH="on", TESTING=False)
    create_user(app.extensions["alur"].ops, ADMIN[0], ADMIN[1], groups=["admin", "process-owner"], tenants=[])
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}/engine-rest"
    finally:
        http.shutdown()
        thread.join(5)
        app.extensions["alur"].db.dispose()
