"""Which version of a called process a call activity runs: `camunda:calledElementBinding`
(`latest` | `deployment` | `version` + `camunda:calledElementVersion` | `versionTag` +
`camunda:calledElementVersionTag`) and `camunda:calledElementTenantId`, as Camunda 7 reads them.

The binding is resolved when the call activity is reached (ops/calls.py, `find_definition`); a called process
that does not exist then is an incident on the call activity, not a deploy error (Camunda deploys such a
caller). At deploy, `check_tenants` refuses a model naming another tenant's processes or decisions.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store import ProcessDefinition, tenant_scope

from . import definitions
from .errors import ParseError

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
    if b"callActivity" not in (getattr(model, "xml", None) or b""):
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
        if tenant is not None and ("${" in tenant or "#{" in tenant):
            tenant = None    # an expression: evaluated when reached, where only the caller's tenant resolves
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


__all__ = ["BINDINGS", "CallBinding", "call_bindings", "find_definition", "check_tenants"]
