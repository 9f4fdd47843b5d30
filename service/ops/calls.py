"""Call activities as child process instances (Camunda 7), inside the transaction of the action.

`persistence.save` calls `before_save` before it dumps an instance and `after_save` once its row and
projections are written:
- before: every call activity the action reached (`Instance.pending_calls`) gets its child instance,
  created and saved here with `super_process_instance_id`, the caller's call-activity task and the root
  instance. The binding (`camunda:calledElementBinding`, `calledElementTenantId`) is resolved now, when the
  activity is reached; a key without a matching deployed process is a failedJob incident on the call
  activity naming the key. A child that ends (or throws) inside its own start is handed back to the
  caller still in memory.
- after: a child that ended in a later action completes its caller's call activity with `camunda:out`
  (the caller is loaded and saved in the same transaction); BPMN errors and escalations the child did not
  catch go to the caller's boundary events; children whose call activity no longer waits for them (an
  interrupting boundary event, a completed caller) are cancelled with their own children.
The engine side of this protocol, and an in-memory host for `alur simulate`, is service/engine/calls.py.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.store import Incident, InstanceState, ProcessDefinition, ProcessInstance

from .call_binding import CallBinding, find_definition
from .context import OpsContext

if TYPE_CHECKING:
    from service.engine.info import CallRequest

    from .persistence import Loaded

FAILED_JOB = "failedJob"      # as ops/jobs.py: a failed call is retried through /job/{id}/retries
_OPEN = (InstanceState.ACTIVE, InstanceState.SUSPENDED)


def has_calls(model: Any) -> bool:
    """Whether a model has call activities at all (most do not: their saves skip every query here)."""
    return b"callActivity" in (getattr(model, "xml", None) or b"")


def before_save(ctx: OpsContext, session: Session, loaded: Loaded) -> None:
    inst, row = loaded.inst, loaded.row
    if row.super_process_instance_id is not None:
        loaded.thrown.extend(inst.thrown_events())      # taken before the state is dumped
    if not has_calls(loaded.model):
        return
    for _ in range(ctx.budget.max_multi_instance + 1):
        requests = inst.pending_calls()
        if not requests:
            return
        for request in requests:
            _start_child(ctx, session, loaded, request)
    raise _incident(requests[0], "call activities kept starting children without waiting; "
                                 f"({ctx.budget.setting('max_multi_instance')})")


def _start_child(ctx: OpsContext, session: Session, loaded: Loaded, request: CallRequest) -> None:
    from . import persistence

    inst, row = loaded.inst, loaded.row
    depth = _depth(session, row, ctx.budget.max_call_depth) + 1
    if depth > ctx.budget.max_call_depth:
        raise _incident(request, f"called processes are nested {depth} deep; at most "
                                 f"{ctx.budget.max_call_depth} are allowed: does a process call itself? "
                                 f"({ctx.budget.setting('max_call_depth')})")
    definition = _definition(session, loaded, request)
    if definition is None:
        from service.engine.calls import no_process_message
        message = no_process_message(request) + _suspended(session, request)
        inst.call_failed(request.task_id, message)
        loaded.failed_calls.append(replace(request, failure=message))
        return
    child = persistence.create(ctx, session, definition, variables=request.variables,
                               business_key=request.business_key, user=None, caller=row,
                               caller_task_id=request.task_id)
    child.inline_child = True
    inst.call_started(request.task_id, child.row.id)
    persistence.save(ctx, session, child)
    _hand_back(inst, request.task_id, child)


def _hand_back(caller: Any, task_id: str, child: Loaded) -> bool:
    """The child's thrown events and its end, to the caller's call activity (while it waits for it)."""
    changed = False
    for event in child.thrown:
        if caller.waiting_calls().get(task_id) == child.row.id:
            caller.catch_call_event(task_id, event)
            changed = True
    child.thrown = []
    if child.inst.completed and caller.waiting_calls().get(task_id) == child.row.id:
        caller.complete_call(task_id, child.inst.variables())
        changed = True
    return changed


def _definition(session: Session, loaded: Loaded, request: CallRequest) -> ProcessDefinition | None:
    tenant = loaded.row.tenant_id
    if request.tenant_id is not None and request.tenant_id != tenant:
        return None      # deploy refuses another tenant's key (call_binding.check_tenants): never resolved
    call = CallBinding(element_id=request.element_id, key=request.key, binding=request.binding,
                       version=request.version, version_tag=request.version_tag, tenant_id=request.tenant_id,
                       line=None)
    found = find_definition(session, call, tenant=tenant, deployment_id=loaded.binder.deployment_id)
    return None if found is None or found.suspended else found


def _suspended(session: Session, request: CallRequest) -> str:
    """Camunda refuses to start a suspended definition; say so when that is why nothing was found."""
    suspended = session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == request.key,
                                                                 ProcessDefinition.suspended.is_(True)).limit(1))
    return " that is not suspended" if suspended is not None else ""


def _depth(session: Session, row: Any, limit: int) -> int:
    """How many super instances `row` has (counted up to `limit` + 1)."""
    depth, parent = 0, row.super_process_instance_id
    while parent is not None and depth <= limit:
        depth += 1
        parent = session.scalar(select(ProcessInstance.super_process_instance_id)
                                .where(ProcessInstance.id == parent))
    return depth


def _incident(request: CallRequest, problem: str) -> Exception:
    from service.engine.errors import IncidentError

    from .engine_errors import incident_failure
    return incident_failure(IncidentError(f"{request.element_id}: {problem}", element_id=request.element_id,
                                          element_name=request.name))


def after_save(ctx: OpsContext, session: Session, loaded: Loaded) -> None:
    row, inst = loaded.row, loaded.inst
    for request in loaded.failed_calls:
        _open_incident(ctx, session, row, request)
    loaded.failed_calls = []
    if row.super_process_instance_id is not None and not loaded.inline_child and (loaded.thrown or inst.completed):
        _continue_caller(ctx, session, loaded)
    if has_calls(loaded.model):
        _cancel_orphans(ctx, session, row, set() if inst.completed else set(inst.waiting_calls().values()))


def _continue_caller(ctx: OpsContext, session: Session, child: Loaded) -> None:
    from . import persistence

    caller_row = session.get(ProcessInstance, child.row.super_process_instance_id)
    if caller_row is None or caller_row.state not in _OPEN:
        child.thrown = []
        return
    caller = persistence.load(ctx, session, caller_row.id, row=caller_row)
    if _hand_back(caller.inst, str(child.row.super_task_id), child):
        persistence.save(ctx, session, caller)


def _cancel_orphans(ctx: OpsContext, session: Session, row: Any, waiting: set[str]) -> None:
    from .instances import cancel_row

    children = session.scalars(select(ProcessInstance).where(
        ProcessInstance.super_process_instance_id == row.id, ProcessInstance.state.in_(_OPEN))).all()
    for child in children:
        if child.id not in waiting:
            cancel_row(ctx, session, child, reason="the calling activity ended", user=None, internal=True)


def _open_incident(ctx: OpsContext, session: Session, row: Any, request: CallRequest) -> None:
    message = request.failure or ""
    session.add(Incident(instance_id=row.id, definition_id=row.definition_id, tenant_id=row.tenant_id,
                         incident_type=FAILED_JOB, message=message, element_id=request.element_id,
                         task_id=request.task_id, created=ctx.clock.now()))
    session.execute(update(ProcessInstance).where(ProcessInstance.id == row.id).values(incident=True)
                    .execution_options(synchronize_session=False))


def child_deleted(ctx: OpsContext, session: Session, row: Any, *, reason: str | None, user: str | None) -> None:
    """`row` (a called instance) was cancelled by request: its caller's call activity ends without
    continuing, and a caller left with nothing to run is cancelled too, upwards (Camunda's deletion of a
    sub process instance)."""
    from . import persistence
    from .instances import cancel_row

    for _ in range(ctx.budget.max_call_depth + 1):
        if row.super_process_instance_id is None:
            return
        caller_row = session.get(ProcessInstance, row.super_process_instance_id)
        if caller_row is None or caller_row.state not in _OPEN:
            return
        caller = persistence.load(ctx, session, caller_row.id, row=caller_row)
        task_id = str(row.super_task_id)
        if caller.inst.waiting_calls().get(task_id) != row.id:
            return
        if not caller.inst.cancel_call(task_id):
            persistence.save(ctx, session, caller)
            return
        cancel_row(ctx, session, caller_row, reason=reason, user=user)
        row = caller_row


def retry_failed_calls(ctx: OpsContext, session: Session, instance_id: str) -> None:
    """After the failed job's retries are set again: the failed call activities try to start their
    child once more (a new incident if the called process is still missing)."""
    from . import persistence

    row = persistence.get_row(session, instance_id)
    if row.state not in _OPEN:
        return
    loaded = persistence.load(ctx, session, instance_id, row=row)
    if loaded.inst.retry_calls():
        persistence.save(ctx, session, loaded)


__all__ = ["before_save", "after_save", "retry_failed_calls", "child_deleted", "has_calls"]
