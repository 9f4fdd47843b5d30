"""Timer start events as Camunda jobs: a start that fails (the new instance cannot start) counts the job's
retries down, each retried later; at 0 the job is held with a failedJob incident (no instance, the job id as
its configuration) until its retries are set again (`PUT /job/{id}/retries`)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.engine.clock import Clock
from service.store import Incident, ProcessDefinition, TimerStartJob

from . import persistence
from .context import OpsContext

FAILED_JOB = "failedJob"
DEFAULT_RETRIES = 3
HOLD_OWNER = "retry"                 # the scheduler's lease owner for a job waiting to be retried
HELD_UNTIL = datetime(9999, 1, 1, tzinfo=timezone.utc)


def start_instance(ctx: OpsContext, session: Session, job: TimerStartJob, now: datetime,
                   clock: Clock | None = None) -> bool:
    """Start the job's instance now; False when the definition is suspended (Camunda skips it)."""
    from .timer_jobs import following_due

    definition = session.get(ProcessDefinition, job.definition_id)
    due = job.next_due or now
    started = definition is not None and not definition.suspended
    if definition is not None and started:
        loaded = persistence.create(ctx, session, definition, variables={}, business_key=None, user=None,
                                    start_event_id=job.element_id, clock=clock)
        persistence.save(ctx, session, loaded, now=now)
    job.fired += 1
    job.next_due, job.repetitions_left = following_due(job.timer_text, due, now, job.repetitions_left)
    job.lease_owner = None
    job.lease_until = None
    job.last_error = None
    job.retries = DEFAULT_RETRIES
    _resolve(session, job.id)
    return started


def record_failure(session: Session, job_id: str, now: datetime, message: str, retry_at: datetime) -> None:
    """One failed attempt: a retry less; at 0 an incident, and the job is held."""
    job = session.get(TimerStartJob, job_id)
    if job is None:
        return
    job.last_error = message
    job.retries = max(job.retries - 1, 0)
    job.lease_owner = HOLD_OWNER
    job.lease_until = retry_at if job.retries > 0 else HELD_UNTIL
    if job.retries == 0:
        _open_incident(session, job, now, message)


def set_retries(session: Session, job_id: str, retries: int, now: datetime) -> None:
    job = session.get(TimerStartJob, job_id)
    if job is None:
        return
    job.retries = retries
    if retries > 0:
        _resolve(session, job.id)
        if job.lease_owner == HOLD_OWNER:
            job.lease_owner = None
            job.lease_until = None
    else:
        job.last_error = job.last_error or "Retries set to 0"
        job.lease_owner = HOLD_OWNER
        job.lease_until = HELD_UNTIL
        _open_incident(session, job, now, job.last_error)


def _open_incident(session: Session, job: TimerStartJob, now: datetime, message: str) -> None:
    open_one = session.scalars(select(Incident).where(Incident.task_id == job.id, Incident.instance_id.is_(None),
                                                      Incident.resolved.is_(False))).first()
    if open_one is None:
        session.add(Incident(instance_id=None, definition_id=job.definition_id, tenant_id=job.tenant_id,
                             incident_type=FAILED_JOB, message=message, element_id=job.element_id, task_id=job.id,
                             created=now))
    else:
        open_one.message = message


def _resolve(session: Session, job_id: str) -> None:
    session.execute(update(Incident).where(Incident.task_id == job_id, Incident.instance_id.is_(None),
                                           Incident.incident_type == FAILED_JOB, Incident.resolved.is_(False))
                    .values(resolved=True).execution_options(synchronize_session=False))


__all__ = ["start_instance", "record_failure", "set_retries", "DEFAULT_RETRIES"]
