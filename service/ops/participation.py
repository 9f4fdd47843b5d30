"""Facts the access rules and the pages need about processes and instances: lanes, start lanes, SOP
properties of elements, and who took part in an instance."""
from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select

from service.forms.start_fields import start_form_fields
from service.store import (
    HistoryEvent,
    ProcessDefinition,
    ProcessInstance,
    UserTask,
    tenant_scope,
)

from . import definitions
from .context import OpsContext
from .errors import NotFound
from .views import DefinitionView


@dataclass(frozen=True)
class ElementFacts:
    id: str
    type: str
    name: str | None
    lane: str | None
    properties: dict[str, str] = field(default_factory=dict)
    documentation: str | None = None


@dataclass(frozen=True)
class ProcessShape:
    definition: DefinitionView
    lanes: tuple[str, ...]
    start_lanes: tuple[str, ...]
    start_form_ref: str | None
    elements: dict[str, ElementFacts]
    # camunda:formField entries of the none start event (inline start form), as the engine's task fields
    start_form_fields: tuple[dict[str, Any], ...] = ()

    def element(self, element_id: str | None) -> ElementFacts | None:
        return self.elements.get(element_id or "")


def _shape(ctx: OpsContext, session: Any, row: ProcessDefinition) -> ProcessShape:
    model = definitions.model_of(ctx, session, row)
    elements = {eid: ElementFacts(id=eid, type=e.type, name=e.name, lane=e.lane, properties=dict(e.properties or {}),
                                  documentation=e.documentation)
                for eid, e in (getattr(model, "elements", {}) or {}).items()}
    return ProcessShape(definition=definitions.view(row), lanes=tuple(model.lanes or ()),
                        start_lanes=tuple(model.start_lanes or ()), start_form_ref=model.start_form_ref,
                        elements=elements, start_form_fields=tuple(start_form_fields(model.xml, model.key)))


def process_shape(ctx: OpsContext, definition_id: str) -> ProcessShape:
    with ctx.transaction() as session:
        row = session.get(ProcessDefinition, definition_id)
        if row is None:
            raise NotFound(f"No matching process definition with id {definition_id}",
                           pesan="Definisi proses tidak ditemukan")
        return _shape(ctx, session, row)


def latest_shapes(ctx: OpsContext, tenants: list[str | None]) -> list[ProcessShape]:
    """The latest version of every process key in each of `tenants` (None = the shared space)."""
    shapes: list[ProcessShape] = []
    with ctx.transaction() as session:
        for tenant in tenants:
            rows = session.scalars(select(ProcessDefinition).where(
                ProcessDefinition.tenant_scope == tenant_scope(tenant)).order_by(
                ProcessDefinition.key, ProcessDefinition.version))
            newest: dict[str, ProcessDefinition] = {}
            for row in rows:
                newest[row.key] = row
            shapes.extend(_shape(ctx, session, row) for row in newest.values() if not row.suspended)
    return shapes


def instance_participants(ctx: OpsContext, instance_id: str) -> set[str]:
    """Users who started, worked on or hold a task of the instance."""
    with ctx.transaction() as session:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            return set()
        users = {row.start_user_id} if row.start_user_id else set()
        users.update(u for u in session.scalars(select(HistoryEvent.user_id).where(
            HistoryEvent.instance_id == instance_id, HistoryEvent.user_id.is_not(None)).distinct()) if u)
        users.update(u for u in session.scalars(select(UserTask.assignee).where(
            UserTask.instance_id == instance_id, UserTask.assignee.is_not(None))) if u)
        return users


def lane_definition_ids(ctx: OpsContext, tenants: Iterable[str], groups: Iterable[str]) -> tuple[str, ...]:
    """Process definitions of `tenants` (or shared) with a lane named after one of `groups`: whose
    instances a member of that lane may see."""
    with ctx.transaction() as session:
        ids = list(session.scalars(select(ProcessDefinition.id).where(or_(
            ProcessDefinition.tenant_id.in_(sorted(tenants)), ProcessDefinition.tenant_id.is_(None)))))
    wanted = set(groups)
    found = []
    for definition_id in ids:
        try:
            lanes = process_shape(ctx, definition_id).lanes
        except Exception:   # noqa: BLE001 - deleted under us or unreadable: grants nothing by lane
            continue
        if wanted & set(lanes):
            found.append(definition_id)
    return tuple(sorted(found))


__all__ = ["ElementFacts", "ProcessShape", "process_shape", "latest_shapes", "instance_participants",
           "lane_definition_ids"]
