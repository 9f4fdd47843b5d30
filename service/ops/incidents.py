"""Incidents: raised when an external task runs out of retries (or a timer fails), listed for the
Camunda `/incident` resource, resolved when retries are set again. Camunda deletes resolved incidents
from its runtime tables; here they stay with `resolved=True` and only open ones are listed."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from service.store import ExternalTask, Incident, InstanceState, ProcessDefinition, ProcessInstance

from . import query, sql_like
from .context import OpsContext
from .errors import NotFound

FAILED_EXTERNAL_TASK = "failedExternalTask"


@dataclass(frozen=True)
class IncidentView:
    id: str
    incident_type: str
    message: str
    created: datetime
    instance_id: str | None
    definition_id: str | None
    element_id: str | None
    configuration: str | None       # the external task id of a failedExternalTask incident
    tenant_id: str | None
    annotation: str | None = None


@dataclass
class IncidentQuery:
    incident_id: str | None = None
    incident_type: str | None = None
    incident_message: str | None = None
    incident_message_like: str | None = None
    instance_id: str | None = None
    instance_ids: list[str] | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    activity_id: str | None = None
    configuration: str | None = None
    tenant_ids: list[str] | None = None
    include_without_tenant: bool = False     # with tenant_ids: tenant-less incidents as well
    execution_id: str | None = None          # an incident's execution is its instance here
    failed_activity_id: str | None = None    # the failing element: the incident's own activity here
    cause_ids: list[str] = field(default_factory=list)   # causeIncidentId, rootCauseIncidentId: itself here
    definition_keys: list[str] | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    sort: list[tuple[str, str]] = field(default_factory=list)
    first_result: int = 0
    max_results: int | None = None


SORT_COLUMNS = {
    "incidentId": Incident.id, "incidentMessage": Incident.message, "incidentTimestamp": Incident.created,
    "incidentType": Incident.incident_type, "activityId": Incident.element_id,
    "processInstanceId": Incident.instance_id, "processDefinitionId": Incident.definition_id,
    "configuration": Incident.task_id, "tenantId": Incident.tenant_id,
}


def _view(row: Incident) -> IncidentView:
    return IncidentView(id=row.id, incident_type=row.incident_type, message=row.message, created=row.created,
                        instance_id=row.instance_id, definition_id=row.definition_id, element_id=row.element_id,
                        configuration=row.task_id, tenant_id=row.tenant_id, annotation=row.annotation)


def open_incident(session: Session, instance: ProcessInstance, task: ExternalTask, now: datetime,
                  message: str | None) -> None:
    """One open failedExternalTask incident per task; the instance is flagged (without a versioned
    update, so raising an incident never collides with the instance's own saves)."""
    existing = session.scalars(select(Incident).where(Incident.task_id == task.id, Incident.resolved.is_(False),
                                                      Incident.incident_type == FAILED_EXTERNAL_TASK)).first()
    if existing is None:
        session.add(Incident(instance_id=instance.id, definition_id=instance.definition_id,
                             tenant_id=instance.tenant_id, incident_type=FAILED_EXTERNAL_TASK,
                             message=message or "", element_id=task.element_id, task_id=task.id, created=now))
    else:
        existing.message = message or existing.message
    session.execute(update(ProcessInstance).where(ProcessInstance.id == instance.id).values(incident=True)
                    .execution_options(synchronize_session=False))


def resolve_task_incidents(session: Session, instance_id: str, task_id: str) -> None:
    session.execute(update(Incident).where(Incident.task_id == task_id, Incident.resolved.is_(False))
                    .values(resolved=True).execution_options(synchronize_session=False))
    still_open = session.scalar(select(func.count()).select_from(Incident).where(
        Incident.instance_id == instance_id, Incident.resolved.is_(False)))
    if not still_open:
        session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id).values(incident=False)
                        .execution_options(synchronize_session=False))


def _filtered(q: IncidentQuery) -> Select[Any]:
    query = (select(Incident).outerjoin(ProcessInstance, ProcessInstance.id == Incident.instance_id)
             .where(Incident.resolved.is_(False),
                    or_(Incident.instance_id.is_(None),
                        ProcessInstance.state.in_([InstanceState.ACTIVE, InstanceState.SUSPENDED]))))
    if q.incident_id is not None:
        query = query.where(Incident.id == q.incident_id)
    if q.incident_type is not None:
        query = query.where(Incident.incident_type == q.incident_type)
    if q.incident_message is not None:
        query = query.where(Incident.message == q.incident_message)
    if q.incident_message_like is not None:
        query = query.where(sql_like.like(Incident.message, q.incident_message_like, parameter="incidentMessageLike"))
    if q.execution_id is not None:
        query = query.where(Incident.instance_id == q.execution_id)
    if q.failed_activity_id is not None:
        query = query.where(Incident.element_id == q.failed_activity_id)
    for cause in q.cause_ids:
        query = query.where(Incident.id == cause)
    if q.definition_keys is not None:
        query = query.where(Incident.definition_id.in_(
            select(ProcessDefinition.id).where(ProcessDefinition.key.in_(q.definition_keys))))
    if q.created_after is not None:
        query = query.where(Incident.created > q.created_after)
    if q.created_before is not None:
        query = query.where(Incident.created < q.created_before)
    if q.instance_id is not None:
        query = query.where(Incident.instance_id == q.instance_id)
    if q.instance_ids:
        query = query.where(Incident.instance_id.in_(q.instance_ids))
    if q.definition_id is not None:
        query = query.where(Incident.definition_id == q.definition_id)
    if q.definition_key is not None:
        query = query.where(ProcessInstance.definition_key == q.definition_key)
    if q.activity_id is not None:
        query = query.where(Incident.element_id == q.activity_id)
    if q.configuration is not None:
        query = query.where(Incident.task_id == q.configuration)
    if q.tenant_ids is not None:
        cond = Incident.tenant_id.in_(q.tenant_ids)
        query = query.where(or_(cond, Incident.tenant_id.is_(None)) if q.include_without_tenant else cond)
    return query


def query_incidents(ctx: OpsContext, q: IncidentQuery) -> list[IncidentView]:
    statement = query.ordered(_filtered(q), q.sort, SORT_COLUMNS, Incident.id,
                              default=[("incidentTimestamp", "asc")])
    with ctx.transaction() as session:
        return [_view(r) for r in session.scalars(query.paged(statement, q.first_result, q.max_results))]


def count_incidents(ctx: OpsContext, q: IncidentQuery) -> int:
    with ctx.transaction() as session:
        return query.count(session, _filtered(q), Incident.id)


def get_incident(ctx: OpsContext, incident_id: str) -> IncidentView:
    found = query_incidents(ctx, IncidentQuery(incident_id=incident_id))
    if not found:
        raise NotFound(f"Incident with id {incident_id} does not exist")
    return found[0]


def set_annotation(ctx: OpsContext, incident_id: str, annotation: str | None, *, user: str | None = None) -> None:
    """Camunda's incident annotation (a note for the next operator), kept in the user operation log too."""
    from . import operation_log

    get_incident(ctx, incident_id)      # open incidents only
    with ctx.transaction() as session:
        row = session.get(Incident, incident_id)
        if row is None:
            raise NotFound(f"Incident with id {incident_id} does not exist")
        old, row.annotation = row.annotation, annotation
        operation_log.record(session, ctx.clock.now(), operation_log.ANNOTATE_INCIDENT if annotation is not None
                             else "ClearAnnotation", operation_log.Subject(
                                 "Incident", instance_id=row.instance_id, definition_id=row.definition_id,
                                 tenant_id=row.tenant_id, incident_id=row.id),
                             user=user, annotation=annotation, properties={"annotation": (old, annotation)})


__all__ = ["set_annotation", "IncidentView", "IncidentQuery", "open_incident", "resolve_task_incidents",
           "query_incidents",
           "count_incidents", "get_incident", "FAILED_EXTERNAL_TASK", "SORT_COLUMNS"]
