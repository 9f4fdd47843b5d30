"""SQL statements per task completion (prints figures; not a test).

Counts what `POST /engine-rest/task/{id}/complete` sends to the database (an SQLAlchemy
`before_cursor_execute` event: one count per statement execution, an executemany counting once and its
parameter sets shown beside), for the loop model of bench/step_bench.py (user task -> gateway -> back: each
completion ends one task and creates the next) and for a step of a 15-step sequential model. Lists the
statements of one completion with --show.

Run: .venv/bin/python bench/completion_statements.py [--database-url URL] [--show]
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from step_bench import LOOP_BPMN  # noqa: E402


def sequential_bpmn(steps: int = 15) -> bytes:
    tasks = "".join(f'<bpmn:userTask id="Langkah_{i}" name="Langkah {i}" camunda:candidateGroups="staf" />'
                    for i in range(1, steps + 1))
    ids = ["Mulai"] + [f"Langkah_{i}" for i in range(1, steps + 1)] + ["Selesai"]
    flows = "".join(f'<bpmn:sequenceFlow id="F{i}" sourceRef="{a}" targetRef="{b}" />'
                    for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False)))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_seq" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="bench_seq" isExecutable="true"><bpmn:startEvent id="Mulai" />{tasks}
  <bpmn:endEvent id="Selesai" />{flows}</bpmn:process></bpmn:definitions>""".encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--show", action="store_true", help="print the statements of one completion")
    args = parser.parse_args()
    from sqlalchemy import event

    from service.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'count.db'}"
        app = create_app({"database_url": url, "instance_path": tmp, "scheduler": False, "web": False,
                          "ALUR_REST_AUTH": "off"})
        db = app.extensions["alur"].db
        db.create_all()
        client = app.test_client()
        for name, data in (("loop.bpmn", LOOP_BPMN), ("seq.bpmn", sequential_bpmn())):
            r = client.post("/engine-rest/deployment/create", content_type="multipart/form-data",
                            data={"deployment-name": name, name: (io.BytesIO(data), name)})
            assert r.status_code == 200, r.json
        seen: list[tuple[str, int]] = []

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                   executemany: bool) -> None:
            seen.append((" ".join(statement.split()), len(parameters) if executemany else 1))

        def completion(key: str, body: dict[str, Any]) -> list[tuple[str, int]]:
            instance = client.post(f"/engine-rest/process-definition/key/{key}/start", json={}).json["id"]
            task = client.get("/engine-rest/task", query_string={"processInstanceId": instance}).json[0]["id"]
            client.post(f"/engine-rest/task/{task}/complete", json=body)     # warm caches of this model
            task = client.get("/engine-rest/task", query_string={"processInstanceId": instance}).json[0]["id"]
            seen.clear()
            r = client.post(f"/engine-rest/task/{task}/complete", json=body)
            assert r.status_code == 204, r.json
            return list(seen)

        loop = completion("bench_loop", {"variables": {"selesai": {"value": False, "type": "Boolean"}}})
        seq = completion("bench_seq", {})
        print(f"database: {db.dialect}")
        for label, statements in (("loop model (task -> gateway -> same task)", loop),
                                  ("15-step sequential model, step 2 -> 3", seq)):
            kinds = Counter(s.split()[0] for s, _ in statements)
            rows = sum(n for _, n in statements)
            print(f"{label}: {len(statements)} statements ({rows} parameter sets): "
                  + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
            if args.show:
                for statement, sets in statements:
                    print(f"    [{sets}] {statement[:160]}")
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
