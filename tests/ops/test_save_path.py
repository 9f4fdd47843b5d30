"""The save path's single versioned UPDATE: pending row changes travel with it, a stale version is a
Conflict with nothing written, and the commit has no second UPDATE to flush."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from service import ops
from service.ops import persistence
from service.store import HistoryEvent, ProcessInstance, UserTask
from support import fixture_bytes


def _started(ctx: Any) -> tuple[str, str]:
    ops.deploy(ctx, [("pengadaan.bpmn", fixture_bytes("pengadaan.bpmn"))], name="t")
    instance_id = ops.start_instance(ctx, key="pengadaan", business_key="K").id
    return instance_id, ops.query_tasks(ctx, instance_id=instance_id)[0].id


def _count(ctx: Any, statement: Any) -> int:
    with ctx.transaction() as session:
        return int(session.scalar(statement) or 0)


def _capture_sql(ctx: Any) -> list[str]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    return seen


def test_one_update_carries_pending_row_changes_and_bumps_the_version_once(ctx: Any) -> None:
    instance_id, task_id = _started(ctx)
    with ctx.transaction() as session:
        version = persistence.get_row(session, instance_id).version
    seen = _capture_sql(ctx)
    with ctx.transaction() as session:
        row = persistence.get_row(session, instance_id)
        loaded = persistence.load(ctx, session, instance_id, row=row)
        row.incident = True                      # changed through the ORM before the save
        loaded.inst.complete_user_task(task_id, {"by": "budi"}, user="budi")
        persistence.save(ctx, session, loaded)
        assert row.version == version + 1 and not session.is_modified(row)
    updates = [s for s in seen if s.lstrip().upper().startswith("UPDATE PROCESS_INSTANCE")]
    assert len(updates) == 1, updates
    with ctx.transaction() as session:
        row = persistence.get_row(session, instance_id)
        assert (row.version, row.incident) == (version + 1, True)
        assert row.projected["tasks"] == [t.id for t in ops.query_tasks(ctx, instance_id=instance_id)]
    assert ops.get_variables(ctx, instance_id)["by"] == "budi"


def test_a_stale_version_is_a_conflict_and_nothing_is_written(ctx: Any) -> None:
    instance_id, task_id = _started(ctx)
    history_before = _count(ctx, select(func.count()).select_from(HistoryEvent))
    with pytest.raises(ops.Conflict, match="completed by someone else"):
        with ctx.transaction() as session:
            row = persistence.get_row(session, instance_id)
            loaded = persistence.load(ctx, session, instance_id, row=row)
            loaded.inst.complete_user_task(task_id, {"by": "ani"}, user="ani")
            # Another writer got there first (simulated in this transaction: same effect on the WHERE).
            session.connection().execute(update(ProcessInstance.__table__)
                                         .where(ProcessInstance.__table__.c.id == instance_id)
                                         .values(version=ProcessInstance.__table__.c.version + 1))
            persistence.save(ctx, session, loaded)
    assert _count(ctx, select(func.count()).select_from(HistoryEvent)) == history_before
    assert _count(ctx, select(func.count()).select_from(UserTask).where(UserTask.id == task_id)) == 1
    assert "by" not in ops.get_variables(ctx, instance_id)


def test_completing_through_the_service_keeps_one_update_per_step(ctx: Any) -> None:
    instance_id, task_id = _started(ctx)
    seen = _capture_sql(ctx)
    ops.complete_task(ctx, task_id, {"by": "budi"}, user="budi")
    writes = [s.split()[0].upper() + " " + s.split()[2 if s.split()[0].upper() != "UPDATE" else 1]
              for s in seen if s.split()[0].upper() in ("UPDATE", "INSERT", "DELETE")]
    assert writes.count("UPDATE process_instance") == 1, writes
    # One task ended and one began: its projection row is updated in place (its candidate rows name the old
    # id, so they are replaced); the one new variable is one row of the variable projection; the step's
    # history is one statement.
    assert writes == ["UPDATE process_instance", "DELETE task_candidate", "UPDATE user_task",
                      "INSERT task_candidate", "INSERT variable_value", "INSERT history_event"], writes
