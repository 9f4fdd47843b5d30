"""Helpers for the service tests (fixture files, REST deployment, typed variables)."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def deploy_rest(client: Any, *files: str | tuple[str, bytes], name: str = "test", tenant: str | None = None,
                **flags: str) -> Any:
    data: dict[str, Any] = {"deployment-name": name, "deployment-source": "pytest"}
    if tenant:
        data["tenant-id"] = tenant
    data.update(flags)
    parts = []
    for f in files:
        fname, content = (f, fixture_bytes(f)) if isinstance(f, str) else f
        parts.append((io.BytesIO(content), fname))
    # Camunda Modeler sends one part per file, the part name being the file name.
    for stream, fname in parts:
        data[fname] = (stream, fname)
    return client.post("/engine-rest/deployment/create", data=data, content_type="multipart/form-data")


def typed(value: Any, type_: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"value": value}
    if type_:
        body["type"] = type_
    return body
