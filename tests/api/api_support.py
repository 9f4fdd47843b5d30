"""Helpers of the /engine-rest tests: app factory, fixture files, deployment, typed variables."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from service.app import create_app
from service.engine import FrozenClock

FIXTURES = Path(__file__).parent / "fixtures"
ADMIN = ("admin", "rahasia-admin-1")
PPK = ("ppk.pagaralam", "rahasia-ppk-1")
OTHER = ("ppk.lahat", "rahasia-lahat-1")


def make_app(tmp_path: Path, clock: FrozenClock | None = None, **settings: Any) -> Any:
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'alur.db'}", "instance_path": tmp_path,
                      "scheduler": False, "web": False, "TESTING": True, **settings}, clock=clock)
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


def typed(value: Any, type_: str | None = None) -> dict[str, Any]:
    return {"value": value, **({"type": type_} if type_ else {})}
