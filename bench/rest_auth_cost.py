"""Cost of REST Basic authentication per request (issue 10, item 3): time and SQL statements of 1000
authenticated `GET /engine-rest/version` after the first login. Run: .venv/bin/python bench/rest_auth_cost.py"""
from __future__ import annotations

import base64
import sys
import tempfile
import time
from pathlib import Path

import service.app  # noqa: F401  (imported before tests/ joins the path: tests/service would shadow it)
from sqlalchemy import event

sys.path.append(str(Path(__file__).resolve().parents[1] / "tests"))
from support import make_app  # noqa: E402

from service.ops.users import create_user  # noqa: E402


def main(n: int = 1000) -> None:
    app = make_app(Path(tempfile.mkdtemp()), ALUR_REST_AUTH="on")
    create_user(app.extensions["alur"].ops, "admin", "rahasia-admin-1", groups=["admin"], tenants=[])
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    event.listen(app.extensions["alur"].db.engine, "before_cursor_execute", count)
    client = app.test_client()
    headers = {"Authorization": "Basic " + base64.b64encode(b"admin:rahasia-admin-1").decode()}
    assert client.get("/engine-rest/version", headers=headers).status_code == 200
    statements[0] = 0
    start = time.perf_counter()
    for _ in range(n):
        client.get("/engine-rest/version", headers=headers)
    elapsed = time.perf_counter() - start
    print(f"{n} authenticated GET /engine-rest/version: {elapsed / n * 1000:.2f} ms each, "
          f"{statements[0]} SQL statements in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
