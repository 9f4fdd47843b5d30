"""The completion hot path reads the instance row with Core (InstanceRecord) and writes it back under
the same optimistic lock as an ORM row: version, state, projections and history stay right."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from service import ops
from service.ops import persistence
from service.ops.errors import Conflict
from service.store import HistoryEvent, ProcessInstance, TaskCandidate, UserTask
from support import fixture_bytes


def _start(ctx: Any) -> str:
    ops.deploy(ctx, [("pengadaan.bpmn", fixture_bytes("pengadaan.bpmn"))], name="t")
    return ops.start_instance(ctx, key="pengadaan", business_key="K").id


def _instance(ctx: Any, instance_id: str) -> tuple[int, str, dict[str, Any]]:
    with ctx.transaction() as session:
        row = session.get(ProcessInstance, instance_id)
        return row.version, row.engine_state, dict(row.projected)


def test_completion_writes_version_projection_and_history(ctx: Any) -> None:
    instance_id = _start(ctx)
    version, state, _ = _instance(ctx, instance_id)
    task = ops.query_tasks(ctx, instance_id=instance_id)[0]
    with ctx.transaction() as session:
        events_before = session.scalar(select(func.count()).select_from(HistoryEvent))
    ops.complete_task(ctx, task.id, {"catatan": "ok"}, user="budi")
    new_version, new_state, projected = _instance(ctx, instance_id)
    assert new_version == version + 1 and new_state != state
    with ctx.transaction() as session:
        assert session.get(UserTask, task.id) is None
        assert session.scalars(select(TaskCandidate).where(TaskCandidate.task_id == task.id)).all() == []
        live = set(session.scalars(select(UserTask.id).where(UserTask.instance_id == instance_id)))
        assert live == set(projected["tasks"])
        assert session.scalar(select(func.count()).select_from(HistoryEvent)) > events_before


def test_record_with_a_stale_version_conflicts_and_writes_nothing(ctx: Any) -> None:
    instance_id = _start(ctx)
    version, state, projected = _instance(ctx, instance_id)
    with pytest.raises(Conflict):
        with ctx.transaction() as session:
            values = session.connection().execute(
                select(*persistence.INSTANCE_COLUMNS).where(ProcessInstance.id == instance_id)).one()._mapping
            record = persistence.InstanceRecord(values)
            record.version -= 1          # another writer saved since this was read
            loaded = persistence.load(ctx, session, instance_id, row=record)
            task_id = loaded.inst.user_tasks()[0].id
            loaded.inst.complete_user_task(task_id, {}, user="budi")
            persistence.save(ctx, session, loaded)
    assert _instance(ctx, instance_id) == (version, state, projected)


def test_record_carries_every_column() -> None:
    columns = tuple(ProcessInstance.__table__.c.keys())
    assert persistence.InstanceRecord.__slots__ == columns
    # The typed attributes (what mypy checks save/load against) are the same columns.
    assert tuple(persistence.InstanceRecord.__annotations__) == columns
    assert tuple(persistence.InstanceRow.__annotations__) == columns
