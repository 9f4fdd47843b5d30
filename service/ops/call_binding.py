"""Which version of a called process a call activity runs: `camunda:calledElementBinding`
(`latest` | `deployment` | `version` + `camunda:calledElementVersion` | `versionTag` +
`camunda:calledElementVersionTag`) and `camunda:calledElementTenantId`, as Camunda 7 reads them.

The engine asks its `ProcessResolver(key, tenant)` for every called key once, when an instance starts, and
keeps one model per key for the instance's life. So the binding is decided here, before the engine starts:
`plan()` walks the call activities of the started model (and of the models they call) and returns the
model each key is bound to; the ops resolver hands those out. Deployments use `check_deployable()` so a
call activity whose process cannot be found is refused at deploy time, naming file, element and line.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store import ProcessDefinition, tenant_scope

from . import definitions
from .errors import ParseError, Rejected

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
BINDINGS = ("latest", "deployment", "version", "versionTag")


@dataclass(frozen=True)
class CallBinding:
    """One call activity of a process model and how it binds its called process."""

    element_id: str
    key: str
    binding: str                  # latest | deployment | version | versionTag
    version: int | None
    version_tag: str | None
    tenant_id: str | None         # camunda:calledElementTenantId (None: the caller's tenant)
    line: int | None

    def describe(self) -> str:
        if self.binding == "version":
            return f"version {self.version}"
        if self.binding == "versionTag":
            return f"versionTag '{self.version_tag}'"
        if self.binding == "deployment":
            return "the caller's deployment"
        return "the latest version"


def _c(name: str) -> str:
    return "{%s}%s" % (CAMUNDA, name)


def call_bindings(model: Any) -> list[CallBinding]:
    """The call activities of `model` (a parsed ProcessModel) with their binding attributes.

    The engine's parser has already validated them (model_checks), so this only reads."""
    if not getattr(model, "called_keys", None):
        return []
    return list(_read_bindings(model.key, model.xml))


@lru_cache(maxsize=256)
def _read_bindings(key: str, xml: bytes) -> tuple[CallBinding, ...]:
    # Cached: models are immutable and cached per definition, so every start of a caller would
    # otherwise parse the same XML again.
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    process = next((p for p in root.iter(f"{{{BPMN}}}process") if p.get("id") == key), None)
    if process is None:
        return ()
    found: list[CallBinding] = []
    for node in process.iter(f"{{{BPMN}}}callActivity"):
        called = (node.get("calledElement") or "").strip()
        if not called:
            continue
        binding = (node.get(_c("calledElementBinding")) or "latest").strip() or "latest"
        raw_version = (node.get(_c("calledElementVersion")) or "").strip()
        version = int(raw_version) if raw_version.lstrip("-").isdigit() else None
        tag = (node.get(_c("calledElementVersionTag")) or "").strip() or None
        tenant = (node.get(_c("calledElementTenantId")) or "").strip() or None
        found.append(CallBinding(element_id=node.get("id") or called, key=called, binding=binding,
                                 version=version, version_tag=tag, tenant_id=tenant, line=node.sourceline))
    return tuple(found)


def find_definition(session: Session, call: CallBinding, *, tenant: str | None,
                    deployment_id: str | None) -> ProcessDefinition | None:
    """The process definition `call` binds to, for a caller in `tenant` deployed in `deployment_id`.

    Definitions without a tenant are shared: a tenant's lookups fall back to them (as everywhere in Alur)."""
    tenant = call.tenant_id or tenant
    if call.binding == "deployment":
        if deployment_id is None:
            return None
        return session.scalars(select(ProcessDefinition).where(
            ProcessDefinition.key == call.key, ProcessDefinition.deployment_id == deployment_id)).first()
    if call.binding == "version":
        if call.version is None:
            return None
        return definitions.by_version(session, ProcessDefinition, call.key, tenant, call.version)
    if call.binding == "versionTag":
        scopes = [tenant_scope(tenant), ""] if tenant is not None else [""]
        for scope in scopes:
            row = session.scalars(select(ProcessDefinition).where(
                ProcessDefinition.key == call.key, ProcessDefinition.tenant_scope == scope,
                ProcessDefinition.version_tag == call.version_tag)
                .order_by(ProcessDefinition.version.desc()).limit(1)).first()
            if row is not None:
                return row
        return None
    return definitions.latest(session, ProcessDefinition, call.key, tenant)


def _not_found(call: CallBinding, tenant: str | None) -> str:
    where = call.tenant_id or tenant
    scope = f" in tenant '{where}'" if where else ""
    return (f"call activity '{call.element_id}': no deployed process '{call.key}' with {call.describe()}{scope}"
            f" (camunda:calledElementBinding=\"{call.binding}\")")


def plan(session: Session, model: Any, definition: ProcessDefinition,
         load: Callable[[ProcessDefinition], Any]) -> dict[str, Any]:
    """Key -> the ProcessModel each called key is bound to, for an instance of `definition` (`model`).

    `load(row)` turns a definition row into its model (the caller's Binder, which remembers the ids).
    One instance holds one model per called key: two call activities that bind the same key to
    different definitions are refused with a clear error rather than one of them silently winning."""
    tenant = definition.tenant_id
    bound: dict[str, tuple[ProcessDefinition, CallBinding]] = {}
    models: dict[str, Any] = {}
    pending: list[tuple[Any, str | None]] = [(model, definition.deployment_id)]
    seen_callers: set[int] = set()
    while pending:
        caller, deployment_id = pending.pop()
        if id(caller) in seen_callers:
            continue
        seen_callers.add(id(caller))
        for call in call_bindings(caller):
            if call.key == getattr(caller, "key", None):
                continue      # a process calling itself: the engine runs the caller's own model
            if _foreign_tenant(call.tenant_id, tenant):
                # Deployments are checked (check_tenants); this guards models stored before that check.
                raise Rejected(f"call activity '{call.element_id}': camunda:calledElementTenantId "
                                 f"'{call.tenant_id}' names another tenant than the instance's",
                                 pesan=f"Langkah '{call.element_id}' memanggil proses milik instansi lain "
                                       f"('{call.tenant_id}')")
            row = find_definition(session, call, tenant=tenant, deployment_id=deployment_id)
            if row is None:
                raise Rejected(_not_found(call, tenant),
                                 pesan=f"Proses '{call.key}' yang dipanggil oleh langkah '{call.element_id}' "
                                       f"tidak ditemukan ({call.describe()})")
            earlier = bound.get(call.key)
            if earlier is not None:
                if earlier[0].id != row.id:
                    raise Rejected(
                        f"call activities '{earlier[1].element_id}' and '{call.element_id}' bind process "
                        f"'{call.key}' to different definitions ({earlier[0].id}, {row.id}); one instance can "
                        f"run one version of each called process",
                        pesan=f"Langkah '{earlier[1].element_id}' dan '{call.element_id}' memanggil versi "
                              f"berbeda dari proses '{call.key}'")
                continue
            bound[call.key] = (row, call)
            models[call.key] = load(row)
            pending.append((models[call.key], row.deployment_id))
    return models


def _foreign_tenant(named: str | None, tenant: str | None) -> bool:
    """A deployment belongs to one tenant: its models may name that tenant (or none: the caller's own,
    falling back to shared definitions), never another one, whoever deploys them."""
    return named is not None and named != tenant


@lru_cache(maxsize=256)
def _decision_tenants(key: str, xml: bytes) -> tuple[tuple[str, str, int | None], ...]:
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    process = next((p for p in root.iter(f"{{{BPMN}}}process") if p.get("id") == key), None)
    if process is None:
        return ()
    return tuple((node.get("id") or "", (node.get(_c("decisionRefTenantId")) or "").strip(), node.sourceline)
                 for node in process.iter(f"{{{BPMN}}}businessRuleTask")
                 if (node.get(_c("decisionRefTenantId")) or "").strip())


def check_tenants(model: Any, *, resource_name: str, tenant: str | None) -> None:
    """Refuse camunda:calledElementTenantId / camunda:decisionRefTenantId naming a tenant other than the
    deployment's own: such a model would run or read another tenant's models."""
    own = f"tenant '{tenant}'" if tenant is not None else "the shared (tenant-less) deployment"
    for call in call_bindings(model):
        if _foreign_tenant(call.tenant_id, tenant):
            line = f" (line {call.line})" if call.line else ""
            raise ParseError(f"{resource_name}: {call.element_id}{line}: camunda:calledElementTenantId "
                             f"'{call.tenant_id}' names another tenant than {own}; leave it out to call the "
                             f"deployment's own (or shared) process",
                             pesan=f"{resource_name}: {call.element_id}{line}: tidak boleh memanggil proses "
                                   f"milik instansi lain ('{call.tenant_id}')")
    xml = getattr(model, "xml", None)
    key = getattr(model, "key", None)
    if not xml or not key:
        return
    for element_id, named, line_no in _decision_tenants(key, xml):
        if _foreign_tenant(named, tenant):
            line = f" (line {line_no})" if line_no else ""
            raise ParseError(f"{resource_name}: {element_id}{line}: camunda:decisionRefTenantId '{named}' names "
                             f"another tenant than {own}",
                             pesan=f"{resource_name}: {element_id}{line}: tidak boleh memakai tabel keputusan "
                                   f"milik instansi lain ('{named}')")


def check_deployable(session: Session, model: Any, *, resource_name: str, tenant: str | None,
                     deployment_id: str) -> None:
    """Refuse a deployment whose call activity names another tenant, or a process that neither this
    deployment nor the tenant (or the shared definitions) holds with the requested binding. Run after the
    deployment's own definitions are flushed, so callers and callees deployed together find each other."""
    check_tenants(model, resource_name=resource_name, tenant=tenant)
    for call in call_bindings(model):
        if find_definition(session, call, tenant=tenant, deployment_id=deployment_id) is None:
            line = f" (line {call.line})" if call.line else ""
            message = f"{resource_name}: {call.element_id}{line}: " + _not_found(call, tenant).split(": ", 1)[1]
            raise ParseError(message + "; deploy the called process first or in the same deployment",
                             pesan=f"{resource_name}: {call.element_id}{line}: proses '{call.key}' yang "
                                   f"dipanggil belum di-deploy ({call.describe()})")


__all__ = ["BINDINGS", "CallBinding", "call_bindings", "find_definition", "plan", "check_deployable",
           "check_tenants"]
