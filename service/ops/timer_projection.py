"""The timer_job projection: one row per pending timer of an instance (Camunda: one timer job each),
diffed at every save against the timers of the last save (kept in the instance row's `projected`)."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import bindparam
from sqlalchemy.orm import Session

from service.engine import TimerInfo
from service.store import TimerJob, table_of
from service.store.types import new_id

_TABLE = table_of(TimerJob)
_INSERT = _TABLE.insert()
_DELETE = _TABLE.delete().where(_TABLE.c.instance_id == bindparam("iid"), _TABLE.c.timer_task_id == bindparam("tid"))
_MOVE = _TABLE.update().where(_TABLE.c.instance_id == bindparam("iid"), _TABLE.c.timer_task_id == bindparam("tid"))


def keys(timers: Sequence[TimerInfo]) -> list[str]:
    """What `projected["timers"]` keeps of the timers: task id and due time, so a moved due time is seen."""
    return sorted(f"{t.task_id} {t.due.isoformat()}" for t in timers)


def project(session: Session, instance_id: str, before: set[str], timers: Sequence[TimerInfo],
            now: datetime) -> None:
    old = dict(key.split(" ", 1) for key in before)
    live = {t.task_id: t for t in timers}
    conn = session.connection()
    gone = [tid for tid in old if tid not in live]
    if gone:
        conn.execute(_DELETE, [{"iid": instance_id, "tid": tid} for tid in gone])
    added = [t for tid, t in live.items() if tid not in old]
    if added:
        conn.execute(_INSERT, [{"id": new_id(), "instance_id": instance_id, "timer_task_id": t.task_id,
                                "element_id": t.element_id, "due": t.due, "created": now} for t in added])
    moved = [t for tid, t in live.items() if tid in old and old[tid] != t.due.isoformat()]
    if moved:
        conn.execute(_MOVE.values(due=bindparam("new_due")),
                     [{"iid": instance_id, "tid": t.task_id, "new_due": t.due} for t in moved])

