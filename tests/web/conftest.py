"""The web tests' world: `app` (overriding the shared one of tests/conftest.py) is on a SQLite file with the
Persiapan Pemilihan Penyedia SOP deployed to two tenants and the demo users (one per lane per tenant)
seeded, the web pages on; `clock` starts on a Monday at 08:00 WIB. `client`, `ctx` and `make_client`
come from tests/conftest.py."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from service.app import create_app
from service.engine import FrozenClock
from service.ops import deploy, deploy_directories
from service.ops.users import create_user, seed_demo_users

from .support import CHECK_FORM, INLINE_BPMN, INLINE_KEY, PASSWORD, build_model_root


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    # scrypt costs ~0.15 s per hash; the suite hashes hundreds of times. test_auth checks the real default.
    monkeypatch.setattr("service.ops.users.PASSWORD_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture(scope="session", autouse=True)
def _translations() -> None:
    from service.web.i18n import compile_catalogs
    compile_catalogs()


@pytest.fixture(scope="session")
def model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_model_root(tmp_path_factory.mktemp("models"))


@pytest.fixture
def clock() -> FrozenClock:
    # Monday 5 January 2026, 08:00 WIB
    return FrozenClock(datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc))


@pytest.fixture
def app(tmp_path: Path, model_root: Path, clock: FrozenClock) -> Iterator[Any]:
    application = create_app({"database_url": f"sqlite:///{tmp_path / 'alur.db'}", "instance_path": tmp_path,
                              "scheduler": False, "TESTING": True, "ALUR_DOCUMENT_MAX_BYTES": 50_000},
                             clock=clock)
    application.extensions["alur"].db.create_all()
    ctx = application.extensions["alur"].ops
    deploy_directories(ctx, model_root)
    seed_demo_users(ctx, password=PASSWORD)
    yield application
    application.extensions["alur"].db.dispose()


@pytest.fixture
def pg_app(model_root: Path, clock: FrozenClock, tmp_path: Path, pg_schema_url: str) -> Iterator[Any]:
    """The same app on PostgreSQL (a fresh schema of DATABASE_URL_PG), for the `postgres` variants."""
    from service.store import upgrade

    upgrade(pg_schema_url)       # the real migrations, including 0100 (users, documents)
    application = create_app({"database_url": pg_schema_url, "instance_path": tmp_path, "scheduler": False,
                              "TESTING": True}, clock=clock)
    ctx = application.extensions["alur"].ops
    deploy_directories(ctx, model_root)
    seed_demo_users(ctx, password=PASSWORD)
    yield application
    application.extensions["alur"].db.dispose()


@pytest.fixture
def inline_model(ctx):
    deploy(ctx, [("uji.bpmn", INLINE_BPMN), ("uji-periksa.form", json.dumps(CHECK_FORM).encode())],
           name="uji", tenant="pagaralam")
    return INLINE_KEY


@pytest.fixture
def small_app(tmp_path: Path) -> Iterator[Any]:
    application = create_app({"database_url": f"sqlite:///{tmp_path / 'a.db'}", "instance_path": tmp_path,
                              "scheduler": False, "TESTING": True}, clock=FrozenClock())
    application.extensions["alur"].db.create_all()
    create_user(application.extensions["alur"].ops, "ppk", PASSWORD, groups=["PPK"], tenants=["t"])
    yield application
    application.extensions["alur"].db.dispose()
