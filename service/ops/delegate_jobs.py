"""Async delegates (camunda:async / asyncBefore) whose handler failed: Camunda's failed jobs.

The engine leaves such a task waiting with its failure (`Instance.failed_jobs`); each is recorded here as an
open `failedJob` incident naming the element and the handler (the instance's job then shows it), and
`retry` runs the failed delegates again once retries are set (PUT /job/{id}/retries, a resolved incident):
after the handler was registered, the instance continues.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.store import Incident, ProcessInstance

from . import persistence
from .context import OpsContext

if TYPE_CHECKING:
    from .persistence import InstanceRow

FAILED_JOB = "failedJob"


def record_failures(session: Session, row: "InstanceRow", inst: Any, now: datetime) -> None:
    """One open failedJob incident per failed delegate task (a repeated failure updates its message)."""
    failures = inst.failed_jobs()
    if not failures:
        return
    open_rows = {i.task_id: i for i in session.scalars(select(Incident).where(
        Incident.instance_id == row.id, Incident.incident_type == FAILED_JOB, Incident.resolved.is_(False)))}
    for task_id, element_id, message in failures:
        existing = open_rows.get(task_id)
        if existing is not None:
            existing.message = message
            continue
        session.add(Incident(instance_id=row.id, definition_id=row.definition_id, tenant_id=row.tenant_id,
                             incident_type=FAILED_JOB, message=message, element_id=element_id, task_id=task_id,
                             created=now))
    session.flush()
    session.execute(update(ProcessInstance).where(ProcessInstance.id == row.id).values(incident=True)
                    .execution_options(synchronize_session=False))


def retry(ctx: OpsContext, session: Session, instance_id: str) -> int:
    """Run the instance's failed delegates again, inside the caller's transaction; a new failure is recorded
    again by `persistence.save`. Returns how many ran."""
    row = persistence.get_row(session, instance_id)
    loaded = persistence.load(ctx, session, row.id, row=row)
    if not loaded.inst.failed_jobs():
        return 0
    count = loaded.inst.retry_failed_jobs()
    persistence.save(ctx, session, loaded)
    return int(count)


__all__ = ["record_failures", "retry"]
