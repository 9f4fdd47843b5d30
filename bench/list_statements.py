"""SQL statements and cProfile of one request of each list line of tasklist_bench (prints figures; not a
test): the web task list `/` for a lane user, `GET /engine-rest/task?sortBy=dueDate` as a lane user and as
admin, `GET /task/count`. Counts what each request sends to the database (SQLAlchemy
`before_cursor_execute`), lists the statements with --show, and prints the top of a cProfile with
--profile.

Run: .venv/bin/python bench/list_statements.py [--database-url URL] [--instances 200] [--show] [--profile]
"""
from __future__ import annotations

import argparse
import base64
import cProfile
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib as bl  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    ap.add_argument("--instances", type=int, default=200)
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    from sqlalchemy import event

    from service.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'list.db'}"
        ctx = bl.ops_context(url)
        bl.deploy_model(ctx)
        bl.create_users(ctx, {"staf_a": ["lane_a"], "admin": [bl.admin_group()]})
        dues = bl.due_dates(args.instances)
        bl.start_instances(ctx, ({"grup": "lane_a" if j % 20 == 0 else "lane_b", "tenggat": dues[j]}
                                 for j in range(args.instances)))
        app = create_app({"database_url": url, "instance_path": tmp, "scheduler": False})
        engine = app.extensions["alur"].db.engine
        web = app.test_client()
        page = web.get("/masuk").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        r = web.post("/masuk", data={"csrf_token": token.group(1), "username": "staf_a", "password": bl.PASSWORD})
        assert r.status_code in (302, 303), r.status_code
        rest = app.test_client()

        def auth(user: str) -> dict[str, str]:
            return {"Authorization": "Basic " + base64.b64encode(f"{user}:{bl.PASSWORD}".encode()).decode()}

        due = "/engine-rest/task?sortBy=dueDate&sortOrder=asc&firstResult=0&maxResults=25"
        lines = [("web / (lane user)", lambda: web.get("/")),
                 ("GET /task lane user", lambda: rest.get(due, headers=auth("staf_a"))),
                 ("GET /task admin", lambda: rest.get(due, headers=auth("admin"))),
                 ("GET /task/count admin", lambda: rest.get("/engine-rest/task/count", headers=auth("admin")))]
        for name, call in lines:
            call()          # warm: caches, credentials
            seen: list[str] = []

            def grab(conn: Any, cursor: Any, statement: str, *_: Any, into: list[str] = seen) -> None:
                into.append(" ".join(statement.split()))

            event.listen(engine, "before_cursor_execute", grab)
            try:
                status = call().status_code
            finally:
                event.remove(engine, "before_cursor_execute", grab)
            cpu = time.process_time()
            for _ in range(20):
                call()
            cpu_ms = (time.process_time() - cpu) / 20 * 1000
            print(f"{name:26} status {status}: {len(seen)} statements, {cpu_ms:.1f} ms CPU per request")
            if args.show:
                for s in seen:
                    print(f"    {s[:200]}")
            if args.profile:
                prof = cProfile.Profile()
                prof.enable()
                for _ in range(20):
                    call()
                prof.disable()
                pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
