"""Deployments: validate every resource with the engine first, then store them and their definitions
in one transaction. A single broken file rejects the whole deployment and nothing is stored. Also
querying and counting deployments, listing their resources, and deleting them (cascade)."""
from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from service.store import (
    DecisionDefinition,
    Deployment,
    DeploymentResource,
    FormDefinition,
    HistoryEvent,
    Incident,
    InstanceState,
    ProcessDefinition,
    ProcessInstance,
    StartMessage,
    Tenant,
    TimerStartJob,
    tenant_scope,
)

from service.forms import FormDefinitionError
from service.forms.schema_check import check_form, load_form_json

from . import definitions, query
from .context import OpsContext
from .errors import BadRequest, NotFound, ParseError, Rejected
from .input_limits import DEFAULT_LIMITS, InputLimits, check_model_size
from .timer_jobs import first_due
from .views import DeploymentView

TENANT_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml", ".bpmn2")
DMN_SUFFIXES = definitions.DMN_SUFFIXES
FORM_SUFFIXES = (".form",)


@dataclass(frozen=True)
class Resource:
    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class _Parsed:
    resource: Resource
    processes: list[Any]
    decisions: list[Any]
    forms: list[tuple[str, str | None]]      # (form id, name)


def _parse_form(resource: Resource, limits: InputLimits) -> tuple[str, str | None]:
    try:
        data = load_form_json(resource.content, resource.name, max_bytes=limits.form_bytes,
                              max_depth=limits.form_depth)
        if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"].strip():
            raise BadRequest(f"{resource.name}: a Camunda form needs a top-level string \"id\"",
                             pesan=f"{resource.name}: formulir Camunda wajib memiliki \"id\"")
        check_form(data, resource.name)
    except FormDefinitionError as exc:
        raise BadRequest(f"{exc}", pesan=f"Formulir ditolak: {exc}") from None
    return data["id"], data.get("name") if isinstance(data.get("name"), str) else None


def _parse_all(resources: list[Resource], min_cycle_seconds: float,
               limits: InputLimits = DEFAULT_LIMITS) -> list[_Parsed]:
    from service.engine import ModelError  # engine import deferred: the store/API import without it
    from service.engine.dmn import DmnModelError  # not a ModelError subclass (yet): catch both

    parsed: list[_Parsed] = []
    errors: list[str] = []
    dmn_files = {res.name: res.content for res in resources if res.name.lower().endswith(DMN_SUFFIXES)}
    for res in resources:
        check_model_size(limits, res.name, len(res.content))       # 413 before any parsing
    for res in resources:
        lower = res.name.lower()
        try:
            if lower.endswith(BPMN_SUFFIXES) or lower.endswith(DMN_SUFFIXES):
                imports = {name: content for name, content in dmn_files.items() if name != res.name}
                scripts = {other.name: other.content for other in resources if other.name != res.name}
                models = definitions.parse_resource(res.name, res.content, imports=imports,
                                                    min_cycle_seconds=min_cycle_seconds, scripts=scripts,
                                                    new_deployment=True)
                is_bpmn = lower.endswith(BPMN_SUFFIXES)
                parsed.append(_Parsed(res, models if is_bpmn else [], [] if is_bpmn else models, []))
            elif lower.endswith(FORM_SUFFIXES):
                parsed.append(_Parsed(res, [], [], [_parse_form(res, limits)]))
            else:
                parsed.append(_Parsed(res, [], [], []))     # Camunda keeps other resources as plain files
        except (ModelError, DmnModelError) as exc:
            errors.append(str(exc))
        except BadRequest as exc:
            errors.append(exc.message)
    if errors:
        raise ParseError("; ".join(errors),
                         pesan="Deployment ditolak: " + "; ".join(errors))
    return parsed


def _check_unique_keys(parsed: list[_Parsed]) -> None:
    for attr, label in (("processes", "process"), ("decisions", "decision")):
        seen: dict[str, str] = {}
        for p in parsed:
            for model in getattr(p, attr):
                if model.key in seen:
                    raise ParseError(f"The deployment contains {label} definitions with the same key "
                                     f"'{model.key}' ({seen[model.key]}, {p.resource.name})")
                seen[model.key] = p.resource.name
    forms: dict[str, str] = {}
    for p in parsed:
        for form_id, _ in p.forms:
            if form_id in forms:
                raise ParseError(f"The deployment contains forms with the same id '{form_id}' "
                                 f"({forms[form_id]}, {p.resource.name})")
            forms[form_id] = p.resource.name


def _previous_digests(session: Session, name: str | None, source: str | None,
                      tenant: str | None) -> dict[str, str]:
    """Resource name -> digest of its newest version among earlier deployments with this name."""
    query = (select(DeploymentResource.name, DeploymentResource.sha256)
             .join(Deployment, Deployment.id == DeploymentResource.deployment_id)
             .where(Deployment.name == name if name is not None else Deployment.name.is_(None))
             .where(Deployment.tenant_id == tenant if tenant is not None else Deployment.tenant_id.is_(None))
             .order_by(Deployment.sequence))
    if source is not None:
        query = query.where(Deployment.source == source)
    digests: dict[str, str] = {}
    for res_name, sha in session.execute(query):
        digests[res_name] = sha
    return digests


def _latest_deployment(session: Session, name: str | None, source: str | None,
                       tenant: str | None) -> Deployment | None:
    query = (select(Deployment).where(Deployment.name == name if name is not None else Deployment.name.is_(None))
             .where(Deployment.tenant_id == tenant if tenant is not None else Deployment.tenant_id.is_(None))
             .order_by(Deployment.sequence.desc()).limit(1))
    if source is not None:
        query = query.where(Deployment.source == source)
    return session.scalars(query).first()


def _next_version(session: Session, cls: Any, key: str, tenant: str | None) -> int:
    current = session.scalar(select(func.max(cls.version)).where(cls.key == key,
                                                                 cls.tenant_scope == tenant_scope(tenant)))
    return (current or 0) + 1


def _definition_id(key: str, version: int) -> str:
    return f"{key}:{version}:{uuid.uuid4()}"


def deploy(ctx: OpsContext, resources: Iterable[Resource | tuple[str, bytes]], *, name: str | None = None,
           source: str | None = None, tenant: str | None = None, duplicate_filtering: bool = False,
           changed_only: bool = False) -> DeploymentView:
    """Deploy resources (Camunda semantics).

    Without filtering every deployment creates a new version of each definition. With
    `duplicate_filtering` nothing is deployed when no resource differs from the newest resource of the
    same name in earlier deployments of the same name (and source, tenant); the earlier deployment is
    returned with `duplicate=True`. With `changed_only` only the changed resources are deployed.
    """
    items = [r if isinstance(r, Resource) else Resource(r[0], bytes(r[1])) for r in resources]
    if not items:
        raise BadRequest("Deployment must contain at least one resource",
                         pesan="Deployment harus berisi paling sedikit satu berkas")
    names = [r.name for r in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise BadRequest(f"Duplicate resource names in one deployment: {', '.join(dupes)}")
    if any(not n.strip() for n in names):
        raise BadRequest("A resource has an empty name")
    if tenant is not None and not tenant.strip():
        tenant = None
    if tenant is not None and not TENANT_ID.fullmatch(tenant):
        raise BadRequest(f"Invalid tenant id '{tenant}': use 1-64 letters, digits, '_', '-' or '.'",
                         pesan=f"Id tenant '{tenant}' tidak sah: gunakan huruf, angka, '_', '-' atau '.'")
    filtering = duplicate_filtering or changed_only

    parsed = _parse_all(items, ctx.budget.min_cycle_seconds, ctx.limits)
    _check_unique_keys(parsed)

    with ctx.transaction() as session:
        if filtering:
            previous = _previous_digests(session, name, source, tenant)
            changed = [p for p in parsed if previous.get(p.resource.name) != p.resource.sha256]
            if not changed:
                existing = _latest_deployment(session, name, source, tenant)
                if existing is not None:
                    return _deployment_view(session, existing, [], [], [], duplicate=True)
            if changed_only:
                parsed = changed
        if tenant is not None and session.get(Tenant, tenant) is None:
            session.add(Tenant(id=tenant, name=tenant))
            session.flush()
        sequence = (session.scalar(select(func.max(Deployment.sequence))) or 0) + 1
        deployment = Deployment(name=name, source=source, tenant_id=tenant, deployment_time=ctx.clock.now(),
                                sequence=sequence)
        session.add(deployment)
        session.flush()
        procs: list[ProcessDefinition] = []
        decs: list[DecisionDefinition] = []
        forms: list[FormDefinition] = []
        cache: list[tuple[str, Any]] = []
        for position, p in enumerate(parsed):
            res = DeploymentResource(deployment_id=deployment.id, name=p.resource.name, position=position,
                                     content=p.resource.content, sha256=p.resource.sha256)
            session.add(res)
            session.flush()
            for model in p.processes:
                if not getattr(model, "executable", True):
                    continue   # Camunda ignores non-executable processes (a warning says so)
                version = _next_version(session, ProcessDefinition, model.key, tenant)
                row = ProcessDefinition(id=_definition_id(model.key, version), key=model.key, name=model.name,
                                        version=version, tenant_id=tenant, tenant_scope=tenant_scope(tenant),
                                        resource_name=res.name, digest=res.sha256, deployment_id=deployment.id,
                                        resource_id=res.id, executable=True,
                                        version_tag=getattr(model, "version_tag", None),
                                        startable=model.startable, history_time_to_live=model.history_time_to_live)
                session.add(row)
                procs.append(row)
                cache.append((row.id, model))
                for element_id, message in getattr(model, "message_start", []) or []:
                    session.add(StartMessage(definition_id=row.id, message_name=message, element_id=element_id))
                _replace_timer_jobs(ctx, session, row, model)
            for model in p.decisions:
                version = _next_version(session, DecisionDefinition, model.key, tenant)
                row_d = DecisionDefinition(id=_definition_id(model.key, version), key=model.key, name=model.name,
                                           version=version, tenant_id=tenant, tenant_scope=tenant_scope(tenant),
                                           resource_name=res.name, digest=res.sha256,
                                           deployment_id=deployment.id, resource_id=res.id,
                                           version_tag=getattr(model, "version_tag", None))
                session.add(row_d)
                decs.append(row_d)
                cache.append((row_d.id, model))
            for form_id, form_name in p.forms:
                version = _next_version(session, FormDefinition, form_id, tenant)
                row_f = FormDefinition(id=_definition_id(form_id, version), key=form_id, name=form_name,
                                       version=version, tenant_id=tenant, tenant_scope=tenant_scope(tenant),
                                       resource_name=res.name, digest=res.sha256, deployment_id=deployment.id,
                                       resource_id=res.id)
                session.add(row_f)
                forms.append(row_f)
            session.flush()
        _check_called_processes(ctx, session, procs, cache, tenant, deployment.id)
        result = _deployment_view(session, deployment, procs, decs, forms)
        result.warnings.extend(str(m.compile_error) for p in parsed for m in p.decisions if m.compile_error)
        result.warnings.extend(_missing_handlers(ctx, [m for _, m in cache]))
        result.warnings.extend(_unresolved_script_warnings([m for _, m in cache]))
        result.warnings.extend(_skipped_process_warnings(parsed))
    for def_id, model in cache:       # only after commit: a rolled-back id must never be cached
        ctx.models.put(def_id, model)
    return result


def _missing_handlers(ctx: OpsContext, models: list[Any]) -> list[str]:
    """Delegates and listeners naming a handler nobody registered deploy (a plugin may be installed later);
    the deployment says which, and reaching one is an incident naming it."""
    registry = ctx.delegates
    return [f"{model.resource_name}: {element}: handler '{name}' is not registered (install the plugin that "
            f"provides it or add it through ALUR_DELEGATE_MODULES); reaching it raises an incident"
            for model in models for element, name in getattr(model, "handlers", ())
            if registry is None or name not in registry]
def _unresolved_script_warnings(models: list[Any]) -> list[str]:
    """Script resources Camunda looks up when the script runs (classpath, or a path not deployed)."""
    return [f"{model.resource_name}: {element}: script resource '{reference}' is not a resource of this "
            "deployment (Alur has no Java classpath); running the script raises an incident"
            for model in models for element, reference in getattr(model, "unresolved_scripts", ())]


def _skipped_process_warnings(parsed: list[_Parsed]) -> list[str]:
    """Camunda 7 deploys only executable processes and says so only in its log; here the response says it."""
    warnings = []
    for p in parsed:
        if not p.resource.name.lower().endswith(BPMN_SUFFIXES):
            continue
        for model in p.processes:
            if not model.executable:
                warnings.append(f"{p.resource.name}: process '{model.key}' is not executable (isExecutable is "
                                "not \"true\"): stored with the deployment, not deployed as a process definition")
        if not p.processes:
            warnings.append(f"{p.resource.name}: holds no bpmn:process; stored with the deployment only")
    return warnings


def _check_called_processes(ctx: OpsContext, session: Session, procs: list[ProcessDefinition],
                            cache: list[tuple[str, Any]], tenant: str | None, deployment_id: str) -> None:
    """A call activity naming another tenant rejects the deployment. Called processes are resolved when
    the call activity is reached (Camunda deploys a caller whose called process does not exist yet, and
    recursive calls: the call-depth budget bounds them at run time)."""
    from .call_binding import check_tenants

    models = dict(cache)
    for row in procs:
        check_tenants(models[row.id], resource_name=row.resource_name, tenant=tenant)


def _replace_timer_jobs(ctx: OpsContext, session: Session, row: ProcessDefinition, model: Any) -> None:
    """Timer start events belong to the latest version only (Camunda): drop older versions' jobs."""
    older = select(ProcessDefinition.id).where(ProcessDefinition.key == row.key,
                                               ProcessDefinition.tenant_scope == row.tenant_scope,
                                               ProcessDefinition.id != row.id)
    session.execute(delete(TimerStartJob).where(TimerStartJob.definition_id.in_(older)))
    now = ctx.clock.now()
    for element_id, text in getattr(model, "timer_start", []) or []:
        due, repetitions = first_due(text, now)
        session.add(TimerStartJob(definition_id=row.id, definition_key=row.key, tenant_id=row.tenant_id,
                                  element_id=element_id, timer_text=text, next_due=due,
                                  repetitions_left=repetitions))


def _deployment_view(session: Session, deployment: Deployment, procs: list[ProcessDefinition],
                     decs: list[DecisionDefinition], forms: list[FormDefinition], *,
                     duplicate: bool = False) -> DeploymentView:
    resource_names = list(session.scalars(select(DeploymentResource.name)
                                          .where(DeploymentResource.deployment_id == deployment.id)
                                          .order_by(DeploymentResource.position)))
    return DeploymentView(id=deployment.id, name=deployment.name, source=deployment.source,
                          deployment_time=deployment.deployment_time, tenant_id=deployment.tenant_id,
                          resources=resource_names, processes=[definitions.view(r) for r in procs],
                          decisions=[definitions.view(r) for r in decs], forms=[definitions.view(r) for r in forms],
                          duplicate=duplicate)


def get_deployment(ctx: OpsContext, deployment_id: str) -> DeploymentView:
    from .errors import NotFound

    with ctx.transaction() as session:
        dep = session.get(Deployment, deployment_id)
        if dep is None:
            raise NotFound(f"Deployment with id '{deployment_id}' does not exist")
        procs = list(session.scalars(select(ProcessDefinition).where(ProcessDefinition.deployment_id == dep.id)))
        decs = list(session.scalars(select(DecisionDefinition).where(DecisionDefinition.deployment_id == dep.id)))
        forms = list(session.scalars(select(FormDefinition).where(FormDefinition.deployment_id == dep.id)))
        return _deployment_view(session, dep, procs, decs, forms)


def resource_content(ctx: OpsContext, deployment_id: str, resource_name: str) -> bytes:
    from .errors import NotFound

    with ctx.transaction() as session:
        content = session.scalar(select(DeploymentResource.content).where(
            DeploymentResource.deployment_id == deployment_id, DeploymentResource.name == resource_name))
        if content is None:
            raise NotFound(f"Deployment resource '{resource_name}' of deployment '{deployment_id}' does not exist")
        return content


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
    statement = query.ordered(_filtered(q), q.sort, SORT_COLUMNS, Deployment.sequence)
    with ctx.transaction() as session:
        return [_row(d) for d in session.scalars(query.paged(statement, q.first_result, q.max_results))]


def count_deployments(ctx: OpsContext, q: DeploymentQuery) -> int:
    with ctx.transaction() as session:
        return query.count(session, _filtered(q), Deployment.id)


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
            raise Rejected(f"Deletion of process definition without cascading failed: deployment "
                             f"{deployment_id} has {len(instance_ids)} process instances ({running} running); "
                             "use cascade=true")
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


__all__ = ["Resource", "deploy", "get_deployment", "resource_content", "BPMN_SUFFIXES", "DMN_SUFFIXES",
           "FORM_SUFFIXES", "DeploymentRow", "ResourceView", "DeploymentQuery", "query_deployments",
           "count_deployments", "list_resources", "get_resource", "delete_deployment", "SORT_COLUMNS"]
