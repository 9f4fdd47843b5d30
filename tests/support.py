"""Helpers shared by the API, operations and service tests: app factory, fixture files (tests/fixtures),
deployment through /engine-rest, typed variables, demo users."""
from __future__ import annotations

import io
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from service.app import create_app
from service.engine import FrozenClock

FIXTURES = Path(__file__).parent / "fixtures"
ADMIN = ("admin", "rahasia-admin-1")
PPK = ("ppk.pagaralam", "rahasia-ppk-1")
OTHER = ("ppk.lahat", "rahasia-lahat-1")


def make_app(tmp_path: Path, clock: FrozenClock | None = None, *, database_url: str | None = None,
             **settings: Any) -> Any:
    app = create_app({"database_url": database_url or f"sqlite:///{tmp_path / 'alur.db'}",
                      "instance_path": tmp_path, "scheduler": False, "web": False, "TESTING": True, **settings},
                     clock=clock)
    app.extensions["alur"].db.create_all()
    return app


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def deploy(client: Any, *names: str, tenant: str | None = None, name: str = "uji", **headers: Any) -> Any:
    data: dict[str, Any] = {"deployment-name": name, "deployment-source": "Camunda Modeler",
                            "deploy-changed-only": "false", "enable-duplicate-filtering": "false"}
    if tenant:
        data["tenant-id"] = tenant
    for fname in names:
        data[fname] = (io.BytesIO(fixture_bytes(fname)), fname)
    return client.post("/engine-rest/deployment/create", data=data, content_type="multipart/form-data", **headers)


def deploy_rest(client: Any, *files: str | tuple[str, bytes], name: str = "test", tenant: str | None = None,
                **flags: str) -> Any:
    """Deploy fixture files (names) or (name, bytes) pairs, one multipart part per file as Camunda Modeler
    sends them; `flags` are further form fields (deploy-changed-only...)."""
    data: dict[str, Any] = {"deployment-name": name, "deployment-source": "pytest"}
    if tenant:
        data["tenant-id"] = tenant
    data.update(flags)
    for f in files:
        fname, content = (f, fixture_bytes(f)) if isinstance(f, str) else f
        data[fname] = (io.BytesIO(content), fname)
    return client.post("/engine-rest/deployment/create", data=data, content_type="multipart/form-data")


def typed(value: Any, type_: str | None = None) -> dict[str, Any]:
    return {"value": value, **({"type": type_} if type_ else {})}


@contextmanager
def pg_schema_url(base_url: str) -> Iterator[str]:
    """A URL on `base_url`'s server whose search_path is a fresh schema, dropped afterwards."""
    from sqlalchemy import create_engine, text

    from service.store import normalize_url

    base = normalize_url(base_url)
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


def postgres_base() -> str | None:
    return os.environ.get("DATABASE_URL_PG") or None
