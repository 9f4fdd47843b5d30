"""Process instance migration (Camunda's `/migration`): a plan maps activities of a source definition to
a target definition (generated for equal ids and types, editable), is validated as a plan and per
instance, and is executed for a selection of instances: at once (`execute`, one transaction: all or
nothing) or as a batch (`executeAsync`, batches.py: each instance in its own transaction).

An instance is never half-migrated: the engine builds the migrated instance beside the old one
(`Instance.migrated`) and the row changes to the target definition only when every token was placed.
Tasks keep their ids, so claims, external task locks and incidents stay with them; their projection rows
are re-pointed at the target definition.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.store import ExternalTask, Incident, InstanceState, ProcessDefinition, ProcessInstance, UserTask

from . import definitions, operation_log, persistence, query
from .context import OpsContext
from .engine_errors import engine_errors
from .errors import BadRequest, NotFound, OpsError
from .instances import InstanceQuery, _filtered as _instance_filter

# Elements that hold a token while the process waits or runs there (a plan maps only these).
MAPPABLE = frozenset({"userTask", "manualTask", "serviceTask", "sendTask", "scriptTask", "businessRuleTask",
                      "task", "receiveTask", "intermediateCatchEvent", "boundaryEvent", "eventBasedGateway",
                      "parallelGateway", "inclusiveGateway"})
MAX_INSTANCES = 100_000
_LOOKUP_CHUNK = 5000


@dataclass(frozen=True)
class PlanInstruction:
    source_activity_ids: list[str]
    target_activity_ids: list[str]
    update_event_trigger: bool = False


@dataclass(frozen=True)
class MigrationPlan:
    source_definition_id: str
    target_definition_id: str
    instructions: list[PlanInstruction]
    variables: dict[str, Any] = field(default_factory=dict)

    def mapping(self) -> dict[str, str]:
        return {i.source_activity_ids[0]: i.target_activity_ids[0] for i in self.instructions}

    def update_triggers(self) -> frozenset[str]:
        """Target events whose trigger is computed anew (Camunda's updateEventTrigger)."""
        return frozenset(i.target_activity_ids[0] for i in self.instructions if i.update_event_trigger)

    def to_json(self) -> dict[str, Any]:
        return {"sourceProcessDefinitionId": self.source_definition_id,
                "targetProcessDefinitionId": self.target_definition_id,
                "instructions": [{"sourceActivityIds": i.source_activity_ids,
                                  "targetActivityIds": i.target_activity_ids,
                                  "updateEventTrigger": i.update_event_trigger} for i in self.instructions],
                "variables": self.variables}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "MigrationPlan":
        return cls(data["sourceProcessDefinitionId"], data["targetProcessDefinitionId"],
                   [PlanInstruction(list(i["sourceActivityIds"]), list(i["targetActivityIds"]),
                                    bool(i.get("updateEventTrigger"))) for i in data["instructions"]],
                   dict(data.get("variables") or {}))


@dataclass(frozen=True)
class InstructionReport:
    instruction: PlanInstruction
    failures: list[str]


@dataclass(frozen=True)
class InstanceReport:
    instance_id: str
    failures: list[str]
    activity_failures: list[tuple[str, str]]     # (activity id, failure)


@dataclass(frozen=True)
class PlanReport:
    instruction_reports: list[InstructionReport]
    instance_reports: list[InstanceReport]

    @property
    def ok(self) -> bool:
        return not self.instruction_reports and not any(r.failures or r.activity_failures
                                                        for r in self.instance_reports)


def _models(ctx: OpsContext, session: Session, plan: MigrationPlan) -> tuple[ProcessDefinition, Any,
                                                                            ProcessDefinition, Any]:
    source = definitions.require(session, ProcessDefinition, definition_id=plan.source_definition_id)
    target = definitions.require(session, ProcessDefinition, definition_id=plan.target_definition_id)
    return (source, definitions.process_by_id(ctx, session, source.id)[1],
            target, definitions.process_by_id(ctx, session, target.id)[1])


def generate_plan(ctx: OpsContext, source_id: str, target_id: str, *, update_event_triggers: bool = False,
                  variables: dict[str, Any] | None = None) -> MigrationPlan:
    """Camunda's generated plan: every mappable activity whose id and type are the same in both."""
    with ctx.transaction() as session:
        source = definitions.require(session, ProcessDefinition, definition_id=source_id)
        target = definitions.require(session, ProcessDefinition, definition_id=target_id)
        old = definitions.process_by_id(ctx, session, source.id)[1]
        new = definitions.process_by_id(ctx, session, target.id)[1]
        instructions = [PlanInstruction([element_id], [element_id], update_event_triggers
                                        and info.type in ("boundaryEvent", "intermediateCatchEvent"))
                        for element_id, info in old.elements.items()
                        if info.type in MAPPABLE and element_id in new.elements
                        and new.elements[element_id].type == info.type]
        return MigrationPlan(source.id, target.id, instructions, dict(variables or {}))


def _plan_failures(old: Any, new: Any, plan: MigrationPlan) -> list[InstructionReport]:
    reports = []
    seen: set[str] = set()
    for ins in plan.instructions:
        failures = []
        if len(ins.source_activity_ids) != 1 or len(ins.target_activity_ids) != 1:
            failures.append("an instruction maps exactly one source activity to one target activity")
            reports.append(InstructionReport(ins, failures))
            continue
        src, dst = ins.source_activity_ids[0], ins.target_activity_ids[0]
        source_info, target_info = old.elements.get(src), new.elements.get(dst)
        if source_info is None:
            failures.append(f"Source activity '{src}' does not exist")
        if target_info is None:
            failures.append(f"Target activity '{dst}' does not exist")
        if source_info is not None and target_info is not None and source_info.type != target_info.type:
            failures.append(f"Activities have incompatible types ({source_info.type} is not compatible with "
                            f"{target_info.type})")
        if src in seen:
            failures.append(f"There are multiple mappings for source activity id '{src}'")
        seen.add(src)
        if failures:
            reports.append(InstructionReport(ins, failures))
    return reports


def _select_ids(ctx: OpsContext, session: Session, plan: MigrationPlan, instance_ids: Sequence[str] | None,
                instance_query: InstanceQuery | None, tenant_scope: tuple[list[str], bool] | None) -> list[str]:
    ids: list[str] = list(dict.fromkeys(instance_ids or []))
    if instance_query is not None:
        statement = _instance_filter(ctx, instance_query).with_only_columns(ProcessInstance.id)
        ids.extend(i for i in session.scalars(statement.order_by(ProcessInstance.start_time, ProcessInstance.id))
                   if i not in ids)
    if not ids:
        raise BadRequest("processInstanceIds or processInstanceQuery must select at least one instance",
                         pesan="Pilih minimal satu proses untuk dimigrasikan")
    if len(ids) > MAX_INSTANCES:
        raise BadRequest(f"at most {MAX_INSTANCES} instances can be migrated at once")
    found: dict[str, tuple[str, InstanceState]] = {}
    for start in range(0, len(ids), _LOOKUP_CHUNK):      # SQLite binds at most 32766 parameters
        rows = select(ProcessInstance.id, ProcessInstance.definition_id, ProcessInstance.state).where(
            ProcessInstance.id.in_(ids[start:start + _LOOKUP_CHUNK]))
        if tenant_scope is not None:
            cond = query.tenant_condition(ProcessInstance.tenant_id, tenant_scope[0],
                                          include_without_tenant=tenant_scope[1])
            rows = rows.where(cond if cond is not None else ProcessInstance.id.is_(None))
        found.update({i: (d, s) for i, d, s in session.execute(rows)})
    for instance_id in ids:
        if instance_id not in found or found[instance_id][1] not in (InstanceState.ACTIVE, InstanceState.SUSPENDED):
            raise NotFound(f"Process instance {instance_id} does not exist",
                           pesan=f"Proses {instance_id} tidak ditemukan atau sudah selesai")
        if found[instance_id][0] != plan.source_definition_id:
            raise BadRequest(f"Process instance '{instance_id}' is not an instance of the source process definition "
                             f"'{plan.source_definition_id}'",
                             pesan=f"Proses {instance_id} bukan dari versi asal rencana migrasi")
    return ids


def validate(ctx: OpsContext, plan: MigrationPlan, *, instance_ids: Sequence[str] | None = None,
             instance_query: InstanceQuery | None = None,
             tenant_scope: tuple[list[str], bool] | None = None) -> PlanReport:
    """The plan's own failures and, for instances given, what stops each of them (unmapped activities)."""
    with ctx.transaction() as session, engine_errors():
        _, old, _, new = _models(ctx, session, plan)
        plan_reports = _plan_failures(old, new, plan)
        instances: list[InstanceReport] = []
        if instance_ids or instance_query is not None:
            for instance_id in _select_ids(ctx, session, plan, instance_ids, instance_query, tenant_scope):
                loaded = persistence.load(ctx, session, instance_id)
                problems = loaded.inst.migration_problems(new, plan.mapping())
                instances.append(InstanceReport(instance_id, [], [(p.element_id, p.message) for p in problems]))
        return PlanReport(plan_reports, instances)


def _refuse(report: PlanReport) -> None:
    if report.instruction_reports:
        first = report.instruction_reports[0]
        raise BadRequest(f"Migration plan is not valid: {'; '.join(first.failures)}",
                         pesan=f"Rencana migrasi tidak valid: {'; '.join(first.failures)}")


def migrate_in(ctx: OpsContext, session: Session, instance_id: str, plan: MigrationPlan, *, user: str | None,
               annotation: str | None = None, operation_id: str | None = None, batch_id: str | None = None) -> None:
    """Migrate one instance inside the caller's transaction: all its tokens or (an error) none."""
    with engine_errors():
        row = persistence.get_row(session, instance_id)
        if row.state not in (InstanceState.ACTIVE, InstanceState.SUSPENDED):
            raise NotFound(f"Process instance {instance_id} does not exist")
        if row.definition_id != plan.source_definition_id:
            raise BadRequest(f"Process instance '{instance_id}' is not an instance of the source process definition "
                             f"'{plan.source_definition_id}'")
        loaded = persistence.load(ctx, session, instance_id, row=row)
        target = definitions.require(session, ProcessDefinition, definition_id=plan.target_definition_id)
        new_model = loaded.binder.model(target)
        loaded.inst = loaded.inst.migrated(new_model, plan.mapping(), variables=plan.variables,
                                           update_triggers=plan.update_triggers())
        loaded.model = new_model
        old_definition = row.definition_id
        row.definition_id = target.id
        row.definition_key = target.key
        row.called_definition_ids = {}
        persistence.save(ctx, session, loaded)
        _repoint_projections(session, loaded)
        operation_log.record(session, ctx.clock.now(), operation_log.MIGRATE, operation_log.Subject(
            "ProcessInstance", instance_id=row.id, definition_id=target.id, definition_key=target.key,
            tenant_id=row.tenant_id, batch_id=batch_id), user=user, annotation=annotation,
            properties={"processDefinitionId": (old_definition, target.id)}, operation_id=operation_id)


def _repoint_projections(session: Session, loaded: persistence.Loaded) -> None:
    """Kept tasks (same ids) now belong to the target definition: names and lanes as it says."""
    row = loaded.row
    for info in loaded.inst.user_tasks():
        session.execute(update(UserTask).where(UserTask.id == info.id).values(
            **persistence.owning_definition(row, info), name=info.name, lane=info.lane)
            .execution_options(synchronize_session=False))
    for ext in loaded.inst.external_tasks():
        session.execute(update(ExternalTask).where(ExternalTask.id == ext.id).values(
            **persistence.owning_definition(row, ext), name=ext.name, topic=ext.topic)
            .execution_options(synchronize_session=False))
    session.execute(update(Incident).where(Incident.instance_id == row.id, Incident.resolved.is_(False))
                    .values(definition_id=row.definition_id).execution_options(synchronize_session=False))


def execute(ctx: OpsContext, plan: MigrationPlan, *, instance_ids: Sequence[str] | None = None,
            instance_query: InstanceQuery | None = None, skip_custom_listeners: bool = False,
            skip_io_mappings: bool = False, user: str | None = None, annotation: str | None = None,
            tenant_scope: tuple[list[str], bool] | None = None) -> int:
    """Camunda's synchronous execute: every selected instance in one transaction, all or none."""
    from .modification import check_options

    check_options(skip_io_mappings=skip_io_mappings)
    with ctx.transaction() as session:
        _, old, _, new = _models(ctx, session, plan)
        _refuse(PlanReport(_plan_failures(old, new, plan), []))
        ids = _select_ids(ctx, session, plan, instance_ids, instance_query, tenant_scope)
        operation_id = None
        for instance_id in ids:
            try:
                migrate_in(ctx, session, instance_id, plan, user=user, annotation=annotation,
                           operation_id=operation_id)
            except OpsError as exc:
                raise type(exc)(f"Process instance '{instance_id}' cannot be migrated: {exc.message}",
                                pesan=f"Proses {instance_id} tidak dapat dimigrasikan: {exc.pesan}") from exc
        return len(ids)


def execute_async(ctx: OpsContext, plan: MigrationPlan, *, instance_ids: Sequence[str] | None = None,
                  instance_query: InstanceQuery | None = None, skip_custom_listeners: bool = False,
                  skip_io_mappings: bool = False, user: str | None = None, annotation: str | None = None,
                  tenant_scope: tuple[list[str], bool] | None = None) -> Any:
    """A migration batch: the plan is checked now, each instance is migrated by the batch runner."""
    from .batches import MIGRATION, create_batch
    from .modification import check_options

    check_options(skip_io_mappings=skip_io_mappings)
    with ctx.transaction() as session:
        source, old, _, new = _models(ctx, session, plan)
        _refuse(PlanReport(_plan_failures(old, new, plan), []))
        ids = _select_ids(ctx, session, plan, instance_ids, instance_query, tenant_scope)
        return create_batch(ctx, session, MIGRATION, ids, {"plan": plan.to_json(), "annotation": annotation},
                            user=user, tenant_id=source.tenant_id)


__all__ = ["MigrationPlan", "PlanInstruction", "PlanReport", "InstanceReport", "InstructionReport", "generate_plan",
           "validate", "execute", "execute_async", "migrate_in", "MAPPABLE"]
