"""Suspend and activate (resume) process instances and definitions, as Camunda's
`PUT /process-instance/{id}/suspended`, `PUT /process-instance/suspended` and
`PUT /process-definition/{id}/suspended`.

A suspended instance keeps its state but takes no work: task completion and external task completion
answer `Suspended`, and fetch-and-lock, timers and message correlation consider only ACTIVE instances
(tasks.py, external_tasks.py, timers.py, messages.py). A suspended definition starts no instance.
Each change is written to the user operation log.
"""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store import InstanceState, ProcessDefinition, ProcessInstance

from . import definitions, operation_log, persistence, query
from .context import OpsContext
from .errors import BadRequest, NotFound

_STATES = (InstanceState.ACTIVE, InstanceState.SUSPENDED)


def _log_instance(session: Session, ctx: OpsContext, row: ProcessInstance, suspended: bool, user: str | None,
                  operation_id: str | None) -> str:
    return operation_log.record(
        session, ctx.clock.now(), operation_log.SUSPEND if suspended else operation_log.ACTIVATE,
        operation_log.Subject("ProcessInstance", instance_id=row.id, definition_id=row.definition_id,
                              definition_key=row.definition_key, tenant_id=row.tenant_id),
        user=user, properties={"suspensionState": (None, "suspended" if suspended else "active")},
        operation_id=operation_id)


def _set(row: ProcessInstance, suspended: bool) -> bool:
    wanted = InstanceState.SUSPENDED if suspended else InstanceState.ACTIVE
    if row.state == wanted:
        return False
    row.state = wanted
    return True


def suspend_instance(ctx: OpsContext, instance_id: str, suspended: bool, *, user: str | None = None) -> None:
    with ctx.transaction() as session:
        row = persistence.get_row(session, instance_id)
        if row.state not in _STATES:
            raise NotFound(f"Process instance with id {instance_id} does not exist",
                           pesan=f"Proses dengan id {instance_id} tidak ditemukan atau sudah selesai")
        if _set(row, suspended):
            _log_instance(session, ctx, row, suspended, user, None)


def suspend_instances(ctx: OpsContext, suspended: bool, *, instance_ids: Sequence[str] | None = None,
                      definition_id: str | None = None, definition_key: str | None = None,
                      tenant_id: str | None = None, without_tenant: bool = False, user: str | None = None,
                      tenant_scope: tuple[list[str], bool] | None = None) -> int:
    """Every running instance selected by ids, definition id, or definition key (+ its tenant); returns
    how many changed. `tenant_scope` (tenant ids, tenant-less too) narrows to what the caller may change."""
    if not (instance_ids or definition_id or definition_key):
        raise BadRequest("Only one of processInstanceIds, processDefinitionId or processDefinitionKey should be set "
                         "to update the suspension state.")
    with ctx.transaction() as session:
        statement = select(ProcessInstance).where(ProcessInstance.state.in_(_STATES))
        if instance_ids:
            statement = statement.where(ProcessInstance.id.in_(list(instance_ids)))
        if definition_id:
            statement = statement.where(ProcessInstance.definition_id == definition_id)
        if definition_key:
            statement = statement.where(ProcessInstance.definition_key == definition_key)
            if tenant_id is not None:
                statement = statement.where(ProcessInstance.tenant_id == tenant_id)
            elif without_tenant:
                statement = statement.where(ProcessInstance.tenant_id.is_(None))
        statement = _narrow(statement, tenant_scope)
        return _apply(ctx, session, list(session.scalars(statement)), suspended, user)


def _narrow(statement: Any, tenant_scope: tuple[list[str], bool] | None) -> Any:
    if tenant_scope is None:
        return statement
    ids, include_null = tenant_scope
    cond = query.tenant_condition(ProcessInstance.tenant_id, ids, include_without_tenant=include_null)
    return statement.where(cond) if cond is not None else statement.where(ProcessInstance.id.is_(None))


def _apply(ctx: OpsContext, session: Session, rows: list[ProcessInstance], suspended: bool,
           user: str | None) -> int:
    changed = 0
    operation_id = None
    for row in rows:
        if _set(row, suspended):
            operation_id = _log_instance(session, ctx, row, suspended, user, operation_id)
            changed += 1
    return changed


def suspend_definition(ctx: OpsContext, suspended: bool, *, definition_id: str | None = None,
                       key: str | None = None, tenant_id: str | None = None, without_tenant: bool = False,
                       include_instances: bool = False, execution_date: Any = None, user: str | None = None,
                       tenant_scope: tuple[list[str], bool] | None = None) -> int:
    """Suspend or activate a definition (by id, or every version of a key): it starts no instance while
    suspended; `include_instances` does the same to its running instances. Returns the definitions changed."""
    if execution_date is not None:
        raise BadRequest("executionDate is not supported: suspension takes effect immediately",
                         pesan="Penangguhan terjadwal (executionDate) tidak didukung")
    with ctx.transaction() as session:
        if definition_id is not None:
            rows = [definitions.require(session, ProcessDefinition, definition_id=definition_id)]
        else:
            statement = select(ProcessDefinition).where(ProcessDefinition.key == key)
            if tenant_id is not None:
                statement = statement.where(ProcessDefinition.tenant_id == tenant_id)
            elif without_tenant:
                statement = statement.where(ProcessDefinition.tenant_id.is_(None))
            rows = list(session.scalars(statement))
            if not rows:
                raise NotFound(f"No process definition found with key '{key}'",
                               pesan=f"Definisi proses {key} tidak ditemukan")
        if tenant_scope is not None:
            ids, include_null = tenant_scope
            rows = [r for r in rows if (r.tenant_id in ids if r.tenant_id else include_null)]
            if not rows:
                raise NotFound("No process definition found", pesan="Definisi proses tidak ditemukan")
        now = ctx.clock.now()
        operation_id = None
        for row in rows:
            if row.suspended != suspended:
                row.suspended = suspended
                operation_id = operation_log.record(
                    session, now, operation_log.SUSPEND if suspended else operation_log.ACTIVATE,
                    operation_log.Subject("ProcessDefinition", definition_id=row.id, definition_key=row.key,
                                          tenant_id=row.tenant_id), user=user,
                    properties={"suspensionState": (None, "suspended" if suspended else "active"),
                                "includeProcessInstances": (None, include_instances)},
                    operation_id=operation_id)
        if include_instances:
            instances = select(ProcessInstance).where(ProcessInstance.state.in_(_STATES),
                                                      ProcessInstance.definition_id.in_([r.id for r in rows]))
            _apply(ctx, session, list(session.scalars(_narrow(instances, tenant_scope))), suspended, user)
        return len(rows)


__all__ = ["suspend_instance", "suspend_instances", "suspend_definition"]
