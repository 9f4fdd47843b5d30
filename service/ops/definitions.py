"""Process and decision definitions: finding one (latest version in a tenant, or by id) and its parsed
model (cached), queries with Camunda's filters, the source XML, and start-form facts."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from service.store import (DecisionDefinition, Deployment, DeploymentResource, FormDefinition, ProcessDefinition,
                           tenant_scope)

from . import query, sql_like
from .context import OpsContext
from .errors import NotFound
from .views import DefinitionView

D = TypeVar("D", ProcessDefinition, DecisionDefinition, FormDefinition)

_KIND = {ProcessDefinition: "process", DecisionDefinition: "decision", FormDefinition: "form"}
_LABEL = {ProcessDefinition: "process definition", DecisionDefinition: "decision definition",
          FormDefinition: "form definition"}


def latest(session: Session, cls: type[D], key: str, tenant: str | None, *,
           shared_fallback: bool = True) -> D | None:
    """The newest version of `key` in `tenant`; definitions without a tenant are shared by all tenants."""
    scopes = [tenant_scope(tenant)]
    if tenant is not None and shared_fallback:
        scopes.append("")
    for scope in scopes:
        row = session.scalars(select(cls).where(cls.key == key, cls.tenant_scope == scope)
                              .order_by(cls.version.desc()).limit(1)).first()
        if row is not None:
            return row
    return None


def by_version(session: Session, cls: type[D], key: str, tenant: str | None, version: int) -> D | None:
    for scope in ([tenant_scope(tenant), ""] if tenant is not None else [""]):
        row = session.scalars(select(cls).where(cls.key == key, cls.tenant_scope == scope,
                                                cls.version == version)).first()
        if row is not None:
            return row
    return None


def require(session: Session, cls: type[D], *, definition_id: str | None = None, key: str | None = None,
            tenant: str | None = None, version: int | None = None) -> D:
    label = _LABEL[cls]
    if definition_id is not None:
        row = session.get(cls, definition_id)
        if row is None:
            raise NotFound(f"No matching {label} with id {definition_id}",
                           pesan=f"Definisi dengan id {definition_id} tidak ditemukan")
        return row
    if key is None:
        raise NotFound(f"no {label} id or key given")
    row = by_version(session, cls, key, tenant, version) if version is not None else latest(session, cls, key, tenant)
    if row is None:
        where = f" and tenant-id '{tenant}'" if tenant else ""
        ver = f" and version {version}" if version is not None else ""
        raise NotFound(f"No matching {label} with key '{key}'{where}{ver}",
                       pesan=f"Definisi dengan kunci '{key}' tidak ditemukan")
    return row


DMN_SUFFIXES = (".dmn", ".dmn11.xml", ".dmn13.xml")


def parse_resource(resource_name: str, content: bytes, *, imports: Mapping[str, bytes] | None = None,
                   min_cycle_seconds: float | None = None, scripts: Mapping[str, bytes] | None = None,
                   new_deployment: bool = False) -> list[Any]:
    """Parse one deployed resource with the engine; the same call deploy() used to validate it (deploy also
    gives the shortest timer cycle allowed and `new_deployment`, under which a process without isExecutable
    is not executable, as in Camunda; a stored model is read again without them).
    `imports`: the other DMN resources of the same deployment, which a DMN `<import>` may name; `scripts`:
    the deployment's resources a BPMN `camunda:resource="deployment://..."` script may name."""
    lower = resource_name.lower()
    if lower.endswith((".bpmn", ".bpmn20.xml", ".bpmn2")):
        from service.engine import parse_bpmn
        return list(parse_bpmn(resource_name, content, min_cycle_seconds=min_cycle_seconds, resources=scripts,
                               new_deployment=new_deployment))
    if lower.endswith(DMN_SUFFIXES):
        from service.engine.dmn import parse_dmn
        return list(parse_dmn(resource_name, content, imports=imports))
    return []


def dmn_imports(session: Session, resource: DeploymentResource) -> dict[str, bytes]:
    """The other DMN resources deployed with `resource`: what its `<import>`s can reach (Camunda resolves
    imports within one deployment too)."""
    if not resource.name.lower().endswith(DMN_SUFFIXES):
        return {}
    others = session.scalars(select(DeploymentResource).where(
        DeploymentResource.deployment_id == resource.deployment_id, DeploymentResource.id != resource.id))
    return {other.name: other.content for other in others if other.name.lower().endswith(DMN_SUFFIXES)}


SCRIPT_REFERENCE = b"resource="      # camunda:resource / resource: deployment://x or a bare path


def script_resources(session: Session, resource: DeploymentResource) -> dict[str, bytes]:
    """The other resources deployed with a BPMN `resource` that names script resources (read only for
    such a model: most name none)."""
    if SCRIPT_REFERENCE not in resource.content:
        return {}
    others = session.scalars(select(DeploymentResource).where(
        DeploymentResource.deployment_id == resource.deployment_id, DeploymentResource.id != resource.id))
    return {other.name: other.content for other in others}


def model_of(ctx: OpsContext, session: Session, row: ProcessDefinition | DecisionDefinition) -> Any:
    """The parsed ProcessModel / DecisionModel of a definition, from the cache when possible."""

    def build() -> Any:
        resource = session.get(DeploymentResource, row.resource_id)
        if resource is None:   # pragma: no cover - foreign key guarantees it
            raise NotFound(f"resource of definition {row.id} is missing")
        for model in parse_resource(resource.name, resource.content, imports=dmn_imports(session, resource),
                                    scripts=script_resources(session, resource)):
            if model.key == row.key:
                return model
        raise NotFound(f"definition {row.id}: key '{row.key}' not found in resource {resource.name}")

    return ctx.models.get(row.id, build)


def process_by_id(ctx: OpsContext, session: Session, definition_id: str) -> tuple[str, Any]:
    """(deployment id, parsed model) of a process definition; cached, so a warm request reads no
    definition row at all (definitions are immutable)."""

    def build() -> tuple[str, Any]:
        row = session.get(ProcessDefinition, definition_id)
        if row is None:
            raise NotFound(f"No matching process definition with id {definition_id}")
        return row.deployment_id, model_of(ctx, session, row)

    return ctx.models.get(f"process-info:{definition_id}", build)


def view(row: ProcessDefinition | DecisionDefinition | FormDefinition) -> DefinitionView:
    kind = _KIND[type(row)]
    return DefinitionView(kind=kind, id=row.id, key=row.key, name=row.name, version=row.version,
                          deployment_id=row.deployment_id, resource_name=row.resource_name,
                          tenant_id=row.tenant_id, version_tag=getattr(row, "version_tag", None),
                          suspended=getattr(row, "suspended", False), startable=getattr(row, "startable", True),
                          history_time_to_live=getattr(row, "history_time_to_live", None))


def get_definition(ctx: OpsContext, kind: str, *, definition_id: str | None = None, key: str | None = None,
                   tenant: str | None = None, version: int | None = None) -> DefinitionView:
    # Any: mypy cannot narrow the class picked from the mapping to one of require's constrained types.
    cls: Any = {"process": ProcessDefinition, "decision": DecisionDefinition, "form": FormDefinition}[kind]
    with ctx.transaction() as session:
        return view(require(session, cls, definition_id=definition_id, key=key, tenant=tenant, version=version))


def list_definitions(ctx: OpsContext, kind: str, *, key: str | None = None, tenant: str | None = None,
                     latest_only: bool = False) -> list[DefinitionView]:
    cls: Any = {"process": ProcessDefinition, "decision": DecisionDefinition, "form": FormDefinition}[kind]
    with ctx.transaction() as session:
        query = select(cls)
        if key is not None:
            query = query.where(cls.key == key)
        if tenant is not None:
            query = query.where(cls.tenant_scope == tenant_scope(tenant))
        rows = list(session.scalars(query.order_by(cls.key, cls.tenant_scope, cls.version)))
    if latest_only:
        newest: dict[tuple[str, str], Any] = {}
        for row in rows:
            newest[(row.key, row.tenant_scope)] = row
        rows = list(newest.values())
    return [view(r) for r in rows]


def get_form(ctx: OpsContext, key: str, *, tenant: str | None = None, version: int | None = None) -> dict[str, Any]:
    """The form-js schema of a deployed form (camunda:formRef, binding latest or version)."""
    import json

    with ctx.transaction() as session:
        row = require(session, FormDefinition, key=key, tenant=tenant, version=version)
        resource = session.get(DeploymentResource, row.resource_id)
        assert resource is not None
        return json.loads(resource.content)


_CLASSES: dict[str, Any] = {"process": ProcessDefinition, "decision": DecisionDefinition}


@dataclass
class DefinitionQuery:
    id: str | None = None
    ids: list[str] | None = None
    key: str | None = None
    keys: list[str] | None = None
    key_like: str | None = None
    name: str | None = None
    name_like: str | None = None
    deployment_id: str | None = None
    version: int | None = None
    latest: bool = False
    resource_name: str | None = None
    version_tag: str | None = None
    version_tag_like: str | None = None
    without_version_tag: bool = False
    resource_name_like: str | None = None
    deployed_after: datetime | None = None
    deployed_at: datetime | None = None
    tenant_ids: list[str] | None = None
    without_tenant: bool = False
    include_without_tenant: bool = False
    suspended: bool = False
    active: bool = False
    sort: list[tuple[str, str]] = field(default_factory=list)
    first_result: int = 0
    max_results: int | None = None


def _sort_columns(cls: Any) -> dict[str, Any]:
    return {"category": cls.key, "key": cls.key, "id": cls.id, "name": cls.name, "version": cls.version,
            "deploymentId": cls.deployment_id, "tenantId": cls.tenant_id, "versionTag": cls.version_tag}


def _filtered(cls: Any, q: DefinitionQuery) -> Select[Any]:
    conds: list[Any] = []
    if q.id is not None:
        conds.append(cls.id == q.id)
    if q.ids:
        conds.append(cls.id.in_(q.ids))
    if q.key is not None:
        conds.append(cls.key == q.key)
    if q.keys:
        conds.append(cls.key.in_(q.keys))
    if q.key_like is not None:
        conds.append(sql_like.like(cls.key, q.key_like, parameter="keyLike"))
    if q.name is not None:
        conds.append(cls.name == q.name)
    if q.name_like is not None:
        conds.append(sql_like.like(cls.name, q.name_like, parameter="nameLike"))
    if q.version_tag_like is not None:
        conds.append(sql_like.like(cls.version_tag, q.version_tag_like, parameter="versionTagLike"))
    if q.without_version_tag:
        conds.append(cls.version_tag.is_(None))
    if q.resource_name_like is not None:
        conds.append(sql_like.like(cls.resource_name, q.resource_name_like, parameter="resourceNameLike"))
    for moment, compare in ((q.deployed_after, Deployment.deployment_time.__gt__),
                            (q.deployed_at, Deployment.deployment_time.__eq__)):
        if moment is not None:
            conds.append(cls.deployment_id.in_(select(Deployment.id).where(compare(moment))))
    if q.deployment_id is not None:
        conds.append(cls.deployment_id == q.deployment_id)
    if q.version is not None:
        conds.append(cls.version == q.version)
    if q.resource_name is not None:
        conds.append(cls.resource_name == q.resource_name)
    if q.version_tag is not None:
        conds.append(cls.version_tag == q.version_tag)
    if q.tenant_ids:
        cond = cls.tenant_id.in_(q.tenant_ids)
        conds.append(or_(cond, cls.tenant_id.is_(None)) if q.include_without_tenant else cond)
    elif q.without_tenant:
        conds.append(cls.tenant_id.is_(None))
    if q.suspended and hasattr(cls, "suspended"):
        conds.append(cls.suspended.is_(True))
    if q.active and hasattr(cls, "suspended"):
        conds.append(cls.suspended.is_(False))
    if q.latest:
        newest = (select(cls.key, cls.tenant_scope, func.max(cls.version).label("version"))
                  .group_by(cls.key, cls.tenant_scope).subquery())
        conds.append(select(newest.c.version).where(newest.c.key == cls.key, newest.c.tenant_scope == cls.tenant_scope,
                                                    newest.c.version == cls.version).exists())
    query = select(cls)
    return query.where(*conds) if conds else query


def query_definitions(ctx: OpsContext, kind: str, q: DefinitionQuery) -> list[DefinitionView]:
    cls = _CLASSES[kind]
    columns = _sort_columns(cls)
    statement = query.ordered(_filtered(cls, q), q.sort, columns, cls.key, cls.tenant_scope, cls.version)
    with ctx.transaction() as session:
        return [view(r) for r in session.scalars(query.paged(statement, q.first_result, q.max_results))]


def count_definitions(ctx: OpsContext, kind: str, q: DefinitionQuery) -> int:
    cls = _CLASSES[kind]
    with ctx.transaction() as session:
        return query.count(session, _filtered(cls, q), cls.id)


def definition_xml(ctx: OpsContext, kind: str, *, definition_id: str | None = None, key: str | None = None,
                   tenant: str | None = None) -> tuple[DefinitionView, str]:
    """The definition and the text of the resource it was deployed from (Camunda's `/xml`)."""
    cls = _CLASSES[kind]
    with ctx.transaction() as session:
        row = require(session, cls, definition_id=definition_id, key=key, tenant=tenant)
        resource = session.get(DeploymentResource, row.resource_id)
        content = bytes(resource.content) if resource is not None else b""
        return view(row), content.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class StartForm:
    definition: DefinitionView
    form_key: str | None
    form_ref: str | None
    fields: list[dict[str, Any]]          # camunda:formData fields of the none start event


def start_form(ctx: OpsContext, *, definition_id: str | None = None, key: str | None = None,
               tenant: str | None = None) -> StartForm:
    with ctx.transaction() as session:
        row = require(session, ProcessDefinition, definition_id=definition_id, key=key, tenant=tenant)
        model = model_of(ctx, session, row)
        form_key = getattr(model, "start_form_key", None)
        form_ref = getattr(model, "start_form_ref", None)
        if form_ref == form_key:
            form_ref = None          # the model reports a formKey in both places
        return StartForm(definition=view(row), form_key=form_key, form_ref=form_ref,
                         fields=_start_fields(model.xml, model.key))


_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_CAMUNDA = "http://camunda.org/schema/1.0/bpmn"


def _start_fields(xml: bytes, process_key: str) -> list[dict[str, Any]]:
    from lxml import etree

    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        return []
    ns = {"b": _BPMN, "c": _CAMUNDA}
    for process in root.iterfind("b:process", ns):
        if process.get("id") != process_key:
            continue
        for start in process.iterfind("b:startEvent", ns):
            if len(start) and any(child.tag.endswith("EventDefinition") for child in start):
                continue
            return [{"id": f.get("id"), "type": f.get("type"), "label": f.get("label"),
                     "default_value": f.get("defaultValue")}
                    for f in start.iterfind("b:extensionElements/c:formData/c:formField", ns)]
    return []


__all__ = ["latest", "by_version", "require", "model_of", "process_by_id", "parse_resource", "view",
           "get_definition", "list_definitions", "get_form", "DefinitionQuery", "query_definitions",
           "count_definitions", "definition_xml", "StartForm", "start_form"]
