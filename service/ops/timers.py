"""Firing due timers. Work is claimed with an atomic UPDATE (a lease), so several schedulers on one
database never fire the same timer twice; each instance then runs in its own transaction, and the
optimistic lock catches any race with a user request."""
from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update

from service.engine.clock import FrozenClock
from service.store import ExternalTask, Incident, InstanceState, ProcessInstance, TimerJob, TimerStartJob

from . import persistence
from .context import OpsContext, updated_rows
from .engine_errors import translate
from .errors import Conflict, OpsError

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=5)    # a failing timer is retried this much later, with one open incident


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class TimerRun:
    instances_fired: int = 0
    timer_starts: int = 0
    locks_expired: int = 0
    conflicts: int = 0
    failures: int = 0
    batch_instances: int = 0        # instances a batch changed in the same poll (scheduler.run_once)

    @property
    def total(self) -> int:
        return self.instances_fired + self.timer_starts + self.batch_instances


def fire_due_timers(ctx: OpsContext, now: datetime | None = None, *, owner: str | None = None,
                    limit: int = 100) -> TimerRun:
    now = now or ctx.clock.now()
    owner = owner or default_owner()
    run = TimerRun()
    for instance_id in _claim_instances(ctx, now, owner, limit):
        _fire_instance(ctx, instance_id, now, owner, run)
    for job_id in _claim_jobs(ctx, now, owner, limit):
        _fire_job(ctx, job_id, now, owner, run)
    run.locks_expired = expire_external_task_locks(ctx, now)
    return run


def _lease_free(until_col: Any, now: datetime) -> Any:
    return or_(until_col.is_(None), until_col < now)


def _claim_instances(ctx: OpsContext, now: datetime, owner: str, limit: int) -> list[str]:
    until = now + timedelta(seconds=ctx.timer_lease_seconds)
    due = and_(ProcessInstance.next_timer_due.is_not(None), ProcessInstance.next_timer_due <= now,
               ProcessInstance.state == InstanceState.ACTIVE, _lease_free(ProcessInstance.timer_lease_until, now))
    with ctx.transaction() as session:
        candidates = select(ProcessInstance.id).where(due).order_by(ProcessInstance.next_timer_due).limit(limit)
        # The lease conditions are repeated in the outer WHERE: PostgreSQL re-checks them after waiting
        # for a row another scheduler is updating, and then skips that row.
        session.execute(update(ProcessInstance).where(ProcessInstance.id.in_(candidates.scalar_subquery()), due)
                        .values(timer_lease_owner=owner, timer_lease_until=until)
                        .execution_options(synchronize_session=False))
    with ctx.transaction() as session:
        return list(session.scalars(select(ProcessInstance.id).where(
            ProcessInstance.timer_lease_owner == owner, ProcessInstance.timer_lease_until == until)))


def _engine_clock(ctx: OpsContext, now: datetime) -> Any:
    return ctx.clock if ctx.clock.now() == now else FrozenClock(now)


def _fire_instance(ctx: OpsContext, instance_id: str, now: datetime, owner: str, run: TimerRun) -> None:
    try:
        with ctx.transaction() as session:
            row = persistence.get_row(session, instance_id)
            if row.timer_lease_owner != owner:
                return
            loaded = persistence.load(ctx, session, instance_id, row=row, clock=_engine_clock(ctx, now))
            fired = loaded.inst.fire_due_timers()
            persistence.save(ctx, session, loaded, now=now)
            row.timer_lease_owner = None
            row.timer_lease_until = None
            if row.incident:
                _resolve_incidents(session, row)
            if fired:
                run.instances_fired += 1
            elif row.next_timer_due is not None and row.next_timer_due <= now:
                # The engine had nothing to fire although the column says due: never spin on it.
                log.warning("instance %s: next_timer_due %s but no timer fired", instance_id, row.next_timer_due)
                row.next_timer_due = None
    except Conflict:
        run.conflicts += 1          # a user request saved first; the next poll sees the new state
        _release(ctx, instance_id, owner)
    except Exception as exc:        # noqa: BLE001 - a failing model must not stop the scheduler
        mapped = translate(exc)
        if mapped is None:
            log.exception("timer of instance %s failed", instance_id)
        run.failures += 1
        _record_failure(ctx, instance_id, now, mapped.message if mapped else f"{type(exc).__name__}: {exc}",
                        element_id=getattr(exc, "element_id", None))


def _resolve_incidents(session: Any, row: ProcessInstance) -> None:
    """A timer that fires again after failing closes its incident (Camunda: the job succeeded)."""
    session.execute(update(Incident).where(Incident.instance_id == row.id, Incident.incident_type == "failedJob",
                                           Incident.resolved.is_(False))
                    .values(resolved=True).execution_options(synchronize_session=False))
    row.incident = False


def _release(ctx: OpsContext, instance_id: str, owner: str) -> None:
    with ctx.transaction() as session:
        session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id,
                                                      ProcessInstance.timer_lease_owner == owner)
                        .values(timer_lease_owner=None, timer_lease_until=None)
                        .execution_options(synchronize_session=False))


def _record_failure(ctx: OpsContext, instance_id: str, now: datetime, message: str,
                    element_id: str | None = None) -> None:
    """An open failedJob incident naming the failing element when the engine named it (the instance page
    marks it on the diagram), retried after RETRY_AFTER."""
    with ctx.transaction() as session:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            return
        row.incident = True
        row.timer_lease_owner = "retry"
        row.timer_lease_until = now + RETRY_AFTER
        # The job that failed: the instance's earliest due timer (the run fires them in due order).
        failed = session.scalars(select(TimerJob).where(TimerJob.instance_id == instance_id, TimerJob.due <= now)
                                 .order_by(TimerJob.due, TimerJob.id).limit(1)).first()
        open_incident = session.scalars(select(Incident).where(
            Incident.instance_id == instance_id, Incident.incident_type == "failedJob",
            Incident.resolved.is_(False))).first()
        if open_incident is None:
            session.add(Incident(instance_id=instance_id, definition_id=row.definition_id, tenant_id=row.tenant_id,
                                 incident_type="failedJob", message=message, created=now,
                                 task_id=failed.id if failed else None,
                                 element_id=element_id or (failed.element_id if failed else None)))
        else:
            open_incident.message = message
            open_incident.element_id = element_id or open_incident.element_id


def _claim_jobs(ctx: OpsContext, now: datetime, owner: str, limit: int) -> list[str]:
    until = now + timedelta(seconds=ctx.timer_lease_seconds)
    due = and_(TimerStartJob.next_due.is_not(None), TimerStartJob.next_due <= now,
               _lease_free(TimerStartJob.lease_until, now))
    with ctx.transaction() as session:
        candidates = select(TimerStartJob.id).where(due).order_by(TimerStartJob.next_due).limit(limit)
        session.execute(update(TimerStartJob).where(TimerStartJob.id.in_(candidates.scalar_subquery()), due)
                        .values(lease_owner=owner, lease_until=until).execution_options(synchronize_session=False))
    with ctx.transaction() as session:
        return list(session.scalars(select(TimerStartJob.id).where(TimerStartJob.lease_owner == owner,
                                                                   TimerStartJob.lease_until == until)))


def _fire_job(ctx: OpsContext, job_id: str, now: datetime, owner: str, run: TimerRun) -> None:
    from . import start_jobs

    try:
        with ctx.transaction() as session:
            job = session.get(TimerStartJob, job_id)
            if job is None or job.lease_owner != owner or job.next_due is None:
                return
            if start_jobs.start_instance(ctx, session, job, now, clock=_engine_clock(ctx, now)):
                run.timer_starts += 1
    except Exception as exc:        # noqa: BLE001
        mapped = translate(exc) if not isinstance(exc, OpsError) else exc
        message = mapped.message if mapped else f"{type(exc).__name__}: {exc}"
        if mapped is None:
            log.exception("timer start job %s failed", job_id)
        run.failures += 1
        with ctx.transaction() as session:
            start_jobs.record_failure(session, job_id, now, message, now + RETRY_AFTER)


def expire_external_task_locks(ctx: OpsContext, now: datetime | None = None) -> int:
    """Unlock external tasks whose worker's lock ran out, so another worker can fetch them."""
    now = now or ctx.clock.now()
    with ctx.transaction() as session:
        result = session.execute(update(ExternalTask).where(ExternalTask.lock_expiration.is_not(None),
                                                            ExternalTask.lock_expiration < now)
                                 .values(worker_id=None, lock_expiration=None)
                                 .execution_options(synchronize_session=False))
        return updated_rows(result)


__all__ = ["fire_due_timers", "expire_external_task_locks", "TimerRun", "default_owner"]
