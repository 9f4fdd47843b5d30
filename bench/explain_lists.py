"""EXPLAIN ANALYZE on PostgreSQL of the list queries the service sends (web task list, REST /task and its
count, /process-instance), at N open tasks: proof that they read indexes, not the whole task table.

    scripts/with-postgres.sh .venv/bin/python bench/explain_lists.py [N] [--schema S]   (default 100000)

`--schema S` keeps the filled schema S and reuses it on the next run (with a cluster you keep).

Rows are written in bulk (not through the engine: only the projection matters to these queries); the
statements are captured from the real operations functions and explained with their own parameters.
"""
from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, insert, text

from service.app import create_app
from service.ops import TaskQuery, count_tasks, deploy, query_tasks, start_instance
from service.ops.access import Principal
from service.ops.instances import InstanceQuery, query_instances
from service.web.tasklist import TaskFilters, task_page
from service.store import HistoryEvent, ProcessInstance, TaskCandidate, UserTask, normalize_url

MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="pengadaan" isExecutable="true">
    <bpmn:laneSet><bpmn:lane id="L1" name="Semua"><bpmn:flowNodeRef>S</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>T</bpmn:flowNodeRef><bpmn:flowNodeRef>E</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="S"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="T" name="Kerja"><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="E"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="T" /><bpmn:sequenceFlow id="F2" sourceRef="T" targetRef="E" />
  </bpmn:process></bpmn:definitions>"""


def _fill(ctx: Any, n: int) -> None:
    definition_id = start_instance(ctx, key="pengadaan", tenant="a").definition_id
    now = ctx.clock.now()
    instances, tasks, candidates, events = [], [], [], []
    for i in range(n):
        iid, tid = str(uuid.uuid4()), str(uuid.uuid4())
        created = now - timedelta(minutes=n - i)
        instances.append({"id": iid, "definition_id": definition_id, "definition_key": "pengadaan",
                          "called_definition_ids": {}, "tenant_id": "a", "state": "ACTIVE", "start_time": created,
                          "start_user_id": f"u{i % 50}", "engine_state": "{}", "version": 1, "incident": False,
                          "projected": {}})
        tasks.append({"id": tid, "instance_id": iid, "definition_id": definition_id, "definition_key": "pengadaan",
                      "element_id": "T", "name": "Kerja", "created": created, "priority": 50, "tenant_id": "a",
                      "due": None if i % 3 == 0 else now + timedelta(hours=(i % 1440) - 720),
                      "assignee": f"u{i % 50}" if i % 7 == 0 else None, "properties": {}, "form_fields": []})
        copies = {"tenant_id": "a", "assignee": tasks[-1]["assignee"], "due": tasks[-1]["due"], "created": created}
        candidates.append({"task_id": tid, "kind": "group", "value": "Semua", **copies})
        if i % 20 == 0:
            candidates.append({"task_id": tid, "kind": "group", "value": "Lima", **copies})
        if i % 10 == 0:
            events.append({"kind": "activity_ended", "time": created, "instance_id": iid, "tenant_id": "a",
                           "user_id": f"u{i % 50}", "data": {}})
    with ctx.transaction() as session:
        for table, rows in ((ProcessInstance, instances), (UserTask, tasks), (TaskCandidate, candidates),
                            (HistoryEvent, events)):
            for k in range(0, len(rows), 5000):
                session.execute(insert(table), rows[k:k + 5000])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=100_000, help="open tasks (default 100000)")
    ap.add_argument("--schema", help="reuse (or create and keep) this schema: the fill is done once")
    args = ap.parse_args()
    n = args.n
    base = normalize_url(os.environ["DATABASE_URL_PG"])
    schema = args.schema or f"explain_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        fresh = not conn.scalar(text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": schema})
        if fresh:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app({"database_url": url, "instance_path": Path(tmp), "scheduler": False, "web": False,
                              "rest_auth": False})
            alur = app.extensions["alur"]
            ctx = alur.ops
            if fresh:
                alur.db.create_all()
                deploy(ctx, [("pengadaan.bpmn", MODEL)], tenant="a")
                started = time.perf_counter()
                _fill(ctx, n)
                print(f"{n} open tasks written in {time.perf_counter() - started:.1f} s")
            else:
                print(f"schema {schema} reused (its tasks as filled before)")
            with admin.connect() as conn:
                # VACUUM too: a table in steady state has its visibility map set (autovacuum), so a count
                # can be answered from the index alone.
                conn.execute(text(f'VACUUM ANALYZE "{schema}".user_task, "{schema}".task_candidate, '
                                  f'"{schema}".process_instance, "{schema}".history_event'))
            five = Principal.of("lima", ["Lima"], ["a"])
            everyone = Principal.of("semua", ["Semua"], ["a"])
            lane = Principal.of("u3", ["Lain"], ["a"])
            due_page = {"sort": [("dueDate", "asc")], "max_results": 25}
            cases = [
                ("web list (count, overdue count, page), 5% user",
                 lambda: task_page(ctx, five, TaskFilters(), first=0, size=25)),
                ("web list (count, overdue count, page), all user",
                 lambda: task_page(ctx, everyone, TaskFilters(), first=0, size=25)),
                ("GET /task sortBy=dueDate, admin", lambda: query_tasks(ctx, TaskQuery(**due_page))),
                ("GET /task sortBy=dueDate, lane user", lambda: query_tasks(ctx, TaskQuery(visible_to=five,
                                                                                          **due_page))),
                ("GET /task/count, admin", lambda: count_tasks(ctx, TaskQuery())),
                ("GET /task/count, lane user", lambda: count_tasks(ctx, TaskQuery(visible_to=five))),
                ("GET /process-instance, admin", lambda: query_instances(ctx, InstanceQuery(max_results=25))),
                ("GET /process-instance, non-owner", lambda: query_instances(ctx, InstanceQuery(
                    visible_to=lane, max_results=25))),
            ]
            engine = alur.db.engine
            summary = []
            for title, call in cases:
                captured: list[tuple[str, Any]] = []

                def grab(conn: Any, cursor: Any, statement: str, params: Any, *_: Any,
                         into: list[tuple[str, Any]] = captured) -> None:
                    if statement.lstrip().upper().startswith("SELECT") and any(
                            t in statement for t in ("user_task", "process_instance", "task_candidate")):
                        into.append((statement, params))

                event.listen(engine, "before_cursor_execute", grab)
                try:
                    call()
                finally:
                    event.remove(engine, "before_cursor_execute", grab)
                print(f"\n== {title}: {len(captured)} statement(s)")
                for statement, params in captured:
                    raw = engine.raw_connection()
                    try:
                        cur = raw.cursor()
                        cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, params)
                        plan = "\n".join(row[0] for row in cur.fetchall())
                    finally:
                        raw.close()
                    print(f"-- {' '.join(statement.split())[:300]}\n{plan}\n")
                    took = float(re.search(r"Execution Time: ([0-9.]+)", plan).group(1))  # type: ignore[union-attr]
                    seq = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)))
                    indexes = sorted(set(re.findall(r"(?:Index|Index Only) Scan(?: Backward)? using (\w+)", plan)))
                    summary.append((title, took, indexes, seq))
            print("\n== summary (execution ms on the server; indexes read; sequential scans)")
            for title, took, indexes, seq in summary:
                print(f"{title:50} {took:8.2f} ms  {', '.join(indexes) or '-'}  seq: {', '.join(seq) or 'none'}")
            alur.db.dispose()
    finally:
        if not args.schema:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
