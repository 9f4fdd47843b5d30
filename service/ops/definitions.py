"""Finding definitions (latest version in a tenant, or by id) and their parsed models (cached)."""
from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store import DecisionDefinition, DeploymentResource, FormDefinition, ProcessDefinition, tenant_scope

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


def parse_resource(resource_name: str, content: bytes) -> list[Any]:
    """Parse one deployed resource with the engine; the same call deploy() used to validate it."""
    lower = resource_name.lower()
    if lower.endswith((".bpmn", ".bpmn20.xml", ".bpmn2")):
        from service.engine import parse_bpmn
        return list(parse_bpmn(resource_name, content))
    if lower.endswith((".dmn", ".dmn11.xml", ".dmn13.xml")):
        from service.engine.dmn import parse_dmn
        return list(parse_dmn(resource_name, content))
    return []


def model_of(ctx: OpsContext, session: Session, row: ProcessDefinition | DecisionDefinition) -> Any:
    """The parsed ProcessModel / DecisionModel of a definition, from the cache when possible."""

    def build() -> Any:
        resource = session.get(DeploymentResource, row.resource_id)
        if resource is None:   # pragma: no cover - foreign key guarantees it
            raise NotFound(f"resource of definition {row.id} is missing")
        for model in parse_resource(resource.name, resource.content):
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
                          suspended=getattr(row, "suspended", False), startable=getattr(row, "startable", True))


def get_definition(ctx: OpsContext, kind: str, *, definition_id: str | None = None, key: str | None = None,
                   tenant: str | None = None, version: int | None = None) -> DefinitionView:
    cls = {"process": ProcessDefinition, "decision": DecisionDefinition, "form": FormDefinition}[kind]
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


__all__ = ["latest", "by_version", "require", "model_of", "process_by_id", "parse_resource", "view", "get_definition",
           "list_definitions", "get_form"]
