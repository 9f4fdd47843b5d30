"""Deployments beyond deploy(): query and count them, list their resources, delete them (cascade)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, or_, select

from service.store import (DecisionDefinition, Deployment, DeploymentResource, FormDefinition, HistoryEvent,
                           Incident, InstanceState, ProcessDefinition, ProcessInstance, StartMessage, TimerStartJob)

from .context import OpsContext
from .errors import BadRequest, NotFound


@dataclass(frozen=True)
class DeploymentRow:
    id: str
    name: str | None
    source: str | None
    deployment_time: datetime
    tenant_id: str | None


@dataclass(frozen=True)
class ResourceView:
    id: str
    name: str
    deployment_id: str


@dataclass
class DeploymentQuery:
    id: str | None = None
    name: str | None = None
    name_like: str | None = None
    source: str | None = None
    without_source: bool = False
    tenant_ids: list[str] | None = None
    without_tenant: bool = False
    include_without_tenant: bool = False
    before: datetime | None = None
    after: datetime | None = None
    sort: list[tuple[str, str]] = field(default_factory=list)
    first_result: int = 0
    max_results: int | None = None


SORT_COLUMNS = {"id": Deployment.id, "name": Deployment.name, "deploymentTime": Deployment.deployment_time,
                "tenantId": Deployment.tenant_id}


def _filtered(q: DeploymentQuery) -> Select[Any]:
    conds: list[Any] = []
    if q.id is not None:
        conds.append(Deployment.id == q.id)
    if q.name is not None:
        conds.append(Deployment.name == q.name)
    if q.name_like is not None:
        conds.append(Deployment.name.like(q.name_like))
    if q.source is not None:
        conds.append(Deployment.source == q.source)
    if q.without_source:
        conds.append(Deployment.source.is_(None))
    if q.tenant_ids:
        cond = Deployment.tenant_id.in_(q.tenant_ids)
        conds.append(or_(cond, Deployment.tenant_id.is_(None)) if q.include_without_tenant else cond)
    elif q.without_tenant:
        conds.append(Deployment.tenant_id.is_(None))
    if q.before is not None:
        conds.append(Deployment.deployment_time < q.before)
    if q.after is not None:
        conds.append(Deployment.deployment_time > q.after)
    query = select(Deployment)
    return query.where(*conds) if conds else query


def _row(d: Deployment) -> DeploymentRow:
    return DeploymentRow(id=d.id, name=d.name, source=d.source, deployment_time=d.deployment_time,
                         tenant_id=d.tenant_id)


def query_deployments(ctx: OpsContext, q: DeploymentQuery) -> list[DeploymentRow]:
    if q.max_results == 0:
        return []          # Camunda Modeler's connection probe: no rows, no work
    order = []
    for sort_by, sort_order in q.sort:
        column = SORT_COLUMNS.get(sort_by)
        if column is None:
            raise BadRequest(f"Cannot set query parameter 'sortBy' to value '{sort_by}'")
        if sort_order not in ("asc", "desc"):
            raise BadRequest(f"Cannot set query parameter 'sortOrder' to value '{sort_order}'")
        # Null sorts lowest on every database (PostgreSQL would put it last in ascending order).
        order.append(column.desc().nulls_last() if sort_order == "desc" else column.asc().nulls_first())
    query = _filtered(q).order_by(*order, Deployment.sequence).offset(max(q.first_result, 0))
    if q.max_results is not None:
        query = query.limit(q.max_results)
    with ctx.transaction() as session:
        return [_row(d) for d in session.scalars(query)]


def count_deployments(ctx: OpsContext, q: DeploymentQuery) -> int:
    with ctx.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(_filtered(q).subquery())) or 0)


def _require(session: Any, deployment_id: str) -> Deployment:
    dep = session.get(Deployment, deployment_id)
    if dep is None:
        raise NotFound(f"Deployment with id '{deployment_id}' does not exist")
    return dep


def list_resources(ctx: OpsContext, deployment_id: str) -> list[ResourceView]:
    with ctx.transaction() as session:
        _require(session, deployment_id)
        rows = session.execute(select(DeploymentResource.id, DeploymentResource.name)
                               .where(DeploymentResource.deployment_id == deployment_id)
                               .order_by(DeploymentResource.position))
        return [ResourceView(id=i, name=n, deployment_id=deployment_id) for i, n in rows]


def get_resource(ctx: OpsContext, deployment_id: str, resource_id: str) -> tuple[ResourceView, bytes]:
    """A resource by its id (a UUID) or, as the first REST surface used, by its name."""
    with ctx.transaction() as session:
        _require(session, deployment_id)
        row = session.scalars(select(DeploymentResource).where(
            DeploymentResource.deployment_id == deployment_id,
            or_(DeploymentResource.id == resource_id, DeploymentResource.name == resource_id))).first()
        if row is None:
            raise NotFound(f"Deployment resource with resource id '{resource_id}' for deployment id "
                           f"'{deployment_id}' does not exist.")
        return ResourceView(id=row.id, name=row.name, deployment_id=deployment_id), bytes(row.content)


def delete_deployment(ctx: OpsContext, deployment_id: str, *, cascade: bool = False) -> None:
    """Camunda's delete: without `cascade` a deployment with process instances (running or in history)
    is refused; with it, those instances and their history go too."""
    with ctx.transaction() as session:
        _require(session, deployment_id)
        proc_ids = list(session.scalars(select(ProcessDefinition.id)
                                        .where(ProcessDefinition.deployment_id == deployment_id)))
        instance_ids = list(session.scalars(select(ProcessInstance.id)
                                            .where(ProcessInstance.definition_id.in_(proc_ids)))) if proc_ids else []
        if instance_ids and not cascade:
            running = session.scalar(select(func.count()).select_from(ProcessInstance).where(
                ProcessInstance.id.in_(instance_ids), ProcessInstance.state.in_(
                    [InstanceState.ACTIVE, InstanceState.SUSPENDED]))) or 0
            raise BadRequest(f"Deletion of process definition without cascading failed: deployment "
                             f"{deployment_id} has {len(instance_ids)} process instances ({running} running); "
                             "use cascade=true", camunda_type="ProcessEngineException")
        if instance_ids:
            session.execute(delete(HistoryEvent).where(HistoryEvent.instance_id.in_(instance_ids)))
            session.execute(delete(Incident).where(Incident.instance_id.in_(instance_ids)))
            for instance_id in instance_ids:
                row = session.get(ProcessInstance, instance_id)
                if row is not None:
                    session.delete(row)     # ORM cascade: tasks, external tasks, subscriptions
            session.flush()
        if proc_ids:
            session.execute(delete(TimerStartJob).where(TimerStartJob.definition_id.in_(proc_ids)))
            session.execute(delete(StartMessage).where(StartMessage.definition_id.in_(proc_ids)))
            session.execute(delete(ProcessDefinition).where(ProcessDefinition.id.in_(proc_ids)))
        session.execute(delete(DecisionDefinition).where(DecisionDefinition.deployment_id == deployment_id))
        session.execute(delete(FormDefinition).where(FormDefinition.deployment_id == deployment_id))
        session.execute(delete(DeploymentResource).where(DeploymentResource.deployment_id == deployment_id))
        session.execute(delete(Deployment).where(Deployment.id == deployment_id))


__all__ = ["DeploymentRow", "ResourceView", "DeploymentQuery", "query_deployments", "count_deployments",
           "list_resources", "get_resource", "delete_deployment", "SORT_COLUMNS"]
