"""Migration benchmark (issue 14): 1000 running instances of a 15-step SOP, spread over its first five
steps, migrated to a new version in one batch (`POST /migration/executeAsync`), worked by the batch
runner as `alur serve`'s scheduler works it. Prints the time from the request to 100% (goal: < 60 s),
and checks every instance moved. Not a test.

Run: .venv/bin/python bench/migration_bench.py [--instances 1000] [--database-url postgresql+psycopg://...]
     (default: a fresh SQLite file; PostgreSQL: scripts/with-postgres.sh sh -c
      '.venv/bin/python bench/migration_bench.py --database-url "$DATABASE_URL_PG"')
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))
from benchlib import due_dates, fifteen_step_bpmn  # noqa: E402


def _deploy(client: Any, content: bytes) -> str:
    data = {"deployment-name": "bench", "deployment-source": "bench",
            "bench_fifteen.bpmn": (io.BytesIO(content), "bench_fifteen.bpmn")}
    response = client.post("/engine-rest/deployment/create", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    return str(next(iter(response.get_json()["deployedProcessDefinitions"])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from service.app import create_app
    from service.ops import batches, complete_task, start_instance
    from service.ops.tasks import TaskQuery, query_tasks
    from service.store import ProcessInstance

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app({"database_url": url, "instance_path": tmp, "scheduler": False, "web": False,
                          "rest_auth": False, "TESTING": True})
        state = app.extensions["alur"]
        state.db.create_all()
        ctx = state.ops
        client = app.test_client()
        v1 = _deploy(client, fifteen_step_bpmn())
        started = time.perf_counter()
        ids = []
        for i, due in enumerate(due_dates(args.instances)):
            view = start_instance(ctx, key="bench_fifteen", variables={"grup": "staf", "tenggat": due})
            ids.append(view.id)
            for _ in range(i % 5):      # spread the instances over steps 1..5
                task, = query_tasks(ctx, TaskQuery(instance_id=view.id))
                complete_task(ctx, task.id, {})
        print(f"set-up: {len(ids)} instances started and spread in {time.perf_counter() - started:.1f} s")
        # v2: the same steps under new names (a changed SOP text), so the generated plan maps every step.
        v2 = _deploy(client, fifteen_step_bpmn().replace(b'name="Langkah ', b'name="Tahap '))
        plan = client.post("/engine-rest/migration/generate", json={"sourceProcessDefinitionId": v1,
                                                                    "targetProcessDefinitionId": v2}).get_json()

        started = time.perf_counter()
        cpu = time.process_time()
        response = client.post("/engine-rest/migration/executeAsync", json={
            "migrationPlan": plan, "processInstanceQuery": {"processDefinitionId": v1}})
        assert response.status_code == 200, response.get_json()
        batch = response.get_json()
        view = batches.run_to_end(ctx, batch["id"], owner="bench")
        elapsed = time.perf_counter() - started
        cpu_used = time.process_time() - cpu
        with ctx.transaction() as session:
            moved = session.scalar(select(func.count()).select_from(ProcessInstance)
                                   .where(ProcessInstance.definition_id == v2))
        backend = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        print(f"{backend}: migrated {view.completed}/{view.total} instances in one batch in {elapsed:.1f} s "
              f"({cpu_used:.1f} s CPU, {1000 * elapsed / max(view.total, 1):.1f} ms per instance); "
              f"failed {view.failed}; on v2: {moved}; goal < 60 s: {'met' if elapsed < 60 else 'NOT met'}")
        state.db.dispose()
        return 0 if view.failed == 0 and moved == len(ids) else 1


if __name__ == "__main__":
    raise SystemExit(main())
