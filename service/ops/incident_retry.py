"""Retry an incident with changed variables (the instance page's "retry with these values"): the values
are set and the failed work runs again in one transaction, so a retry that fails again changes nothing
and keeps its incident (with the new message); one that succeeds resolves it. REST clients do the same
with two calls (`POST /process-instance/{id}/variables`, then `PUT /job/{id}/retries` or
`PUT /external-task/{id}/retries`)."""
from __future__ import annotations

from typing import Any

from service.store import InstanceState

from . import external_tasks, incidents, jobs, operation_log, persistence
from .context import OpsContext
from .engine_errors import engine_errors
from .errors import NotActive, OpsError, Suspended, is_request_error
from .instances import set_variables


def retry_incident(ctx: OpsContext, incident_id: str, variables: dict[str, Any], *, user: str | None = None) -> None:
    incident = incidents.get_incident(ctx, incident_id)
    if incident.incident_type != jobs.FAILED_JOB:
        if variables and incident.instance_id:
            set_variables(ctx, incident.instance_id, variables, user=user)
        if incident.configuration:
            external_tasks.set_retries(ctx, incident.configuration, 1)
        _log(ctx, incident, variables, user)
        return
    instance_id = str(incident.instance_id)
    now = ctx.clock.now()
    try:
        with ctx.transaction() as session, engine_errors():
            row = persistence.get_row(session, instance_id)
            if row.state == InstanceState.SUSPENDED:
                raise Suspended(f"Process instance {instance_id} is suspended",
                                pesan="Proses sedang ditangguhkan; lanjutkan dulu")
            if row.state != InstanceState.ACTIVE:
                raise NotActive(f"Process instance {instance_id} has ended", pesan="Proses ini sudah selesai")
            loaded = persistence.load(ctx, session, instance_id, row=row)
            if variables:
                loaded.inst.set_variables(dict(variables))
                loaded.inst.continue_steps()    # the failed timer, due, became ready in that action
            loaded.inst.fire_due_timers()
            persistence.save(ctx, session, loaded, now=now)
            jobs.resolve_failures(session, instance_id)
    except OpsError as exc:
        if is_request_error(exc):
            raise
        from .timers import RETRY_AFTER
        with ctx.transaction() as session:
            jobs.record_failure(session, persistence.get_row(session, instance_id), now, exc.message,
                                now + RETRY_AFTER)
        raise
    _log(ctx, incident, variables, user)


def _log(ctx: OpsContext, incident: incidents.IncidentView, variables: dict[str, Any], user: str | None) -> None:
    with ctx.transaction() as session:
        operation_log.record(session, ctx.clock.now(), "SetJobRetries", operation_log.Subject(
            "Incident", instance_id=incident.instance_id, definition_id=incident.definition_id,
            tenant_id=incident.tenant_id, incident_id=incident.id), user=user,
            properties={"retries": (0, 1), **{f"variable:{k}": (None, v) for k, v in sorted(variables.items())}})


__all__ = ["retry_incident"]
