"""Fixtures of the /engine-rest tests: an app on a SQLite file with a frozen clock; authentication
is off unless a test asks for `auth_app` (then an admin and two tenant users exist)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from api_support import ADMIN, OTHER, PPK, make_app
from service.engine import FrozenClock


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def app(tmp_path: Path, clock: FrozenClock) -> Iterator[Any]:
    application = make_app(tmp_path, clock, ALUR_REST_AUTH="off")
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

    application = make_app(tmp_path, clock)            # authentication on: the default
    ctx = application.extensions["alur"].ops
    create_user(ctx, ADMIN[0], ADMIN[1], groups=["admin", "process-owner"], tenants=["pagaralam", "lahat"])
    create_user(ctx, PPK[0], PPK[1], groups=["PPK"], tenants=["pagaralam"])
    create_user(ctx, OTHER[0], OTHER[1], groups=["PPK"], tenants=["lahat"])
    yield application
    application.extensions["alur"].db.dispose()
