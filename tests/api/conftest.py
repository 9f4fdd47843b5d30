"""Fixtures of the /engine-rest tests beyond the shared ones (tests/conftest.py: `app` with
authentication off, `client`, `ctx`, `clock`): `auth_app` (authentication on, an admin and two tenant
users) and a live `server`."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from support import ADMIN, OTHER, PPK, make_app
from service.engine import FrozenClock


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
