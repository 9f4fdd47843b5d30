"""Engine and Instance: the adapter's public run-time API (see docs/ARCHITECTURE.md)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (ErrorEventDefinition,
                                                                        EscalationEventDefinition)
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.util.task import TaskState

from service.expr import Limits

from . import event_subprocesses
from . import serializer as ser
from . import specs as s
from . import spiff
from . import modification as mod
from .budget import DEFAULT_BUDGET, Budget
from .clock import Clock
from .delegation.facade import InstanceIdentity
from .errors import EngineError, IncidentError
from .history import HistoryRecorder
from .info import ActiveElement, CallRequest, ExternalTaskInfo, HistoryEvent, ThrownEvent, TimerInfo, UserTaskInfo
from .listening import run_process_end_listeners
from .model import ProcessModel
from .modification import Instruction, MigrationProblem, Token
from .script_engine import AlurScriptEngine
from .values import RESERVED_PREFIXES, check_variables
from .workflow import HIDDEN_KEYS, AlurInclusiveGateway, AlurParallelGateway, AlurWorkflow

if TYPE_CHECKING:  # imported for typing only: the DMN package loads on first use, the calendar belongs to the SOPs
    from .delegation.registry import DelegateRegistry
    from .dmn import DecisionModel
    from .workdays import WorkCalendar

# (key, tenant) -> the process model (the latest: what an in-memory CallFamily starts for a call activity);
# (key, tenant, binding, version) -> the decision model.
ProcessResolver = Callable[[str, "str | None"], ProcessModel]
DecisionResolver = Callable[[str, "str | None", str, "int | None"], "DecisionModel"]

_PROCESS_ENDED = "_alur_process_ended"    # the process's end listeners ran (in this action)
ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
_MAX_TIMER_ROUNDS = 1000
_NOT_GIVEN: Any = object()   # complete_user_task: the caller does not know the assignee


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _has_timer(ed: Any) -> bool:
    # Event-based gateways wait with a MultipleEventDefinition; the timer's due time is on the gateway.
    return isinstance(ed, TimerEventDefinition) or any(
        isinstance(d, TimerEventDefinition) for d in getattr(ed, "event_definitions", ()))


def _local_names(task: Any) -> set:
    """Task-local variables (inputOutput parameters, MI element variable and loopCounter)."""
    names = set(task.internal_data.get(s.LOCALS_KEY) or ())
    parent = task.parent
    if parent is not None and isinstance(parent.task_spec, s.CamundaMultiInstanceMixin):
        names.update(parent.task_spec._locals())
    return names


def _visible_data(task: Any) -> dict:
    """A task's data; for a join still waiting for other branches, the data its arrived branch brought.

    The waiting join task holds no data until it fires (the branch's data stays on its finished input),
    so a variable written on a finished branch would vanish from the process variables meanwhile."""
    if (task.state == TaskState.WAITING and isinstance(task.task_spec, (AlurParallelGateway, AlurInclusiveGateway))
            and task.parent is not None and task.parent.has_state(TaskState.FINISHED_MASK)):
        return {**task.parent.data, **task.data}
    return task.data


class Engine:
    def __init__(self, *, clock: Clock, decisions: DecisionResolver, processes: ProcessResolver | None = None,
                 calendar: "WorkCalendar | None" = None, limits: Limits | None = None,
                 budget: Budget = DEFAULT_BUDGET, delegates: "DelegateRegistry | None" = None) -> None:
        spiff.lift_iterator_depth()
        self.delegates = delegates
        self.budget = budget
        self.clock = clock
        self.processes = processes
        self.decisions = decisions
        self.calendar = calendar
        self.limits = limits or Limits()

    # -- public API ---------------------------------------------------------------------------
    def start(self, model: ProcessModel, *, variables: dict, business_key: str | None = None,
              tenant: str | None = None, user: str | None = None, start_event_id: str | None = None,
              message: str | None = None, instance_id: str | None = None,
              definition_id: str | None = None) -> "Instance":
        if not model.executable or not model.spec_json:
            raise EngineError(f"process '{model.key}' is not executable (isExecutable=\"false\")")
        check_variables(variables)
        with spiff.translated_errors():
            spec, subs = ser.restore_specs(model.spec_json)
            instance = Instance(self, model, tenant=tenant, business_key=business_key)
            instance.identify(instance_id, definition_id)
            instance._wf = AlurWorkflow(spec, subs, script_engine=instance._script_engine)
            instance._begin(variables, user=user, start_event_id=start_event_id, message=message)
        return instance

    def load(self, model: ProcessModel, state: str, *, instance_id: str | None = None,
             definition_id: str | None = None) -> "Instance":
        try:
            with spiff.translated_errors():
                wf, meta = ser.loads_with_meta(state, model.spec_json)
        except (ValueError, KeyError, TypeError) as exc:
            raise EngineError(f"the stored state of a '{model.key}' instance cannot be read: {exc}") from None
        instance = Instance(self, model, tenant=meta.get("tenant"), business_key=meta.get("business_key"))
        instance.identify(instance_id, definition_id)
        instance._wf = wf
        wf.script_engine = instance._script_engine   # the serializer does not restore it
        setattr(wf, _PROCESS_ENDED, wf.is_completed())   # an ended instance ran its end listeners then
        return instance


class Instance:
    _wf: AlurWorkflow    # set by Engine.start / Engine.load right after construction

    def __init__(self, engine: Engine, model: ProcessModel, *, tenant: str | None, business_key: str | None) -> None:
        self._engine = engine
        self.model = model
        self.tenant = tenant
        self.business_key = business_key
        self._history = HistoryRecorder(engine.clock, self)
        self._script_engine = AlurScriptEngine(
            clock=engine.clock, limits=engine.limits, decisions=engine.decisions, tenant=tenant,
            on_event=self._history.engine_event, calendar=engine.calendar, budget=engine.budget)
        self._script_engine.delegates = engine.delegates

    def identify(self, instance_id: str | None, definition_id: str | None) -> None:
        """The host's ids of this instance, for handlers (DelegateExecution.getProcessInstanceId, ...)."""
        self._script_engine.identity = InstanceIdentity(
            instance_id=instance_id, definition_id=definition_id, definition_key=self.model.key,
            business_key=self.business_key, tenant_id=self.tenant)

    # -- state ------------------------------------------------------------------------------------
    @property
    def completed(self) -> bool:
        return bool(self._wf.is_completed())

    def dumps(self) -> str:
        return ser.dumps(self._wf, meta={"tenant": self.tenant, "business_key": self.business_key})

    def drain_history(self) -> list[HistoryEvent]:
        return self._history.drain()

    # -- start ------------------------------------------------------------------------------------
    def _begin(self, variables: dict, *, user: str | None, start_event_id: str | None, message: str | None) -> None:
        wf = self._wf
        self._history.snapshot(wf)
        self._history.add("instance_started", user=user, data={"business_key": self.business_key})
        start = wf.get_next_task(state=TaskState.READY)
        start.data.update(variables)
        # Start events exist as predicted tasks before the start runs: choose one and cancel the rest
        # before any of them is evaluated (timer and message starts are the host's business).
        starts = [t for t in wf.get_tasks(skip_subprocesses=True)
                  if isinstance(t.task_spec, StartEvent) and t.workflow is wf]
        chosen = self._choose_start(starts, start_event_id, message)
        for other in starts:
            if other is not chosen:
                other.cancel()
        if len(starts) > 1 and any(n.endswith(event_subprocesses.SCOPE_SUFFIX) for n in wf.spec.task_specs):
            # a process rewritten for its event subprocesses routes by the start event that began it
            start.data[event_subprocesses.START_VARIABLE] = chosen.task_spec.bpmn_id
        ed = chosen.task_spec.event_definition
        now = self._engine.clock.now().isoformat()
        if isinstance(ed, CycleTimerEventDefinition):
            # A cycle start event makes its token when it fires: let it fire exactly once, now.
            chosen.internal_data["event_value"] = {"cycles": 1, "next": now, "text": ed.expression}
        elif type(ed).__name__ != "NoneEventDefinition":
            chosen.internal_data.update(event_fired=True, event_value=now)
        start.run()
        self._history.record_user(user)
        self._steps()
        self._history.collect(wf, user=user)

    def _choose_start(self, starts: list, start_event_id: str | None, message: str | None) -> Any:
        if start_event_id is not None:
            for t in starts:
                if t.task_spec.bpmn_id == start_event_id:
                    return t
            raise EngineError(f"'{start_event_id}' is not a start event of process '{self.model.key}'")
        if message is not None:
            for t in starts:
                ed = t.task_spec.event_definition
                if isinstance(ed, MessageEventDefinition) and ed.name == message:
                    return t
            raise EngineError(f"process '{self.model.key}' has no start event for message '{message}'")
        for t in starts:
            if type(t.task_spec.event_definition).__name__ == "NoneEventDefinition":
                return t
        raise EngineError(f"process '{self.model.key}' has no none start event; give start_event_id or message")

    # -- engine steps -----------------------------------------------------------------------------
    def _steps(self) -> None:
        with s.action_budget(self._wf, self._engine.budget.max_action_seconds), spiff.stack_guard(self._wf):
            self._run_steps()
            if self._wf.is_completed() and not getattr(self._wf, _PROCESS_ENDED, False):
                setattr(self._wf, _PROCESS_ENDED, True)
                with spiff.translated_errors():
                    run_process_end_listeners(self._wf, self._wf.last_task)
        s.check_instance_tokens(self._wf, self._engine.budget)

    def _run_steps(self) -> None:
        with spiff.engine_step_errors():
            self._wf.do_engine_steps()
            while self._route_handler_errors():
                self._wf.do_engine_steps()
            # SpiffWorkflow evaluates a conditional event only when the token arrives; Camunda re-checks
            # waiting conditions whenever variables change, i.e. after every action.
            for _ in range(_MAX_TIMER_ROUNDS):
                waiting = [t for t in self._wf.event_manager.tasks.values()
                           if isinstance(t.task_spec.event_definition, ConditionalEventDefinition)]
                for task in waiting:
                    spiff.refresh(task)
                if not any(t.state == TaskState.READY for t in waiting):
                    break
                self._wf.do_engine_steps()

    def _act(self, action: Callable[[], None], *, user: str | None = None) -> None:
        self._history.snapshot(self._wf)
        with spiff.translated_errors(), s.action_budget(self._wf, self._engine.budget.max_action_seconds), \
                spiff.stack_guard(self._wf):
            action()
            self._steps()
        self._history.collect(self._wf, user=user)

    def _task(self, task_id: str) -> Any:
        try:
            uuid = UUID(str(task_id))
        except ValueError:
            raise EngineError(f"task '{task_id}' not found") from None
        task = self._wf.get_task_from_id(uuid) if self._has_task(uuid) else None
        if task is None:
            raise EngineError(f"task '{task_id}' not found", task_id=str(task_id))
        return task

    def _has_task(self, uuid: UUID) -> bool:
        if uuid in self._wf.tasks:
            return True
        return any(uuid in sp.tasks for sp in self._wf.subprocesses.values())

    # -- user tasks -------------------------------------------------------------------------------
    def user_tasks(self) -> list[UserTaskInfo]:
        result = []
        for task in self._wf.get_tasks(state=TaskState.READY, manual=True):
            result.append(self._user_task_info(task))
        return result

    def _user_task_info(self, task: Any) -> UserTaskInfo:
        spec = task.task_spec
        info = task.internal_data.get("alur_user_task")
        if info is None:
            info = s.resolve_user_task(task)
            task.internal_data["alur_user_task"] = info
        cam = s.ext(spec).get("camunda", {})
        version = cam.get("formRefVersion")
        return UserTaskInfo(
            id=str(task.id), element_id=spec.bpmn_id, name=info.get("name", spec.bpmn_name), lane=spec.lane,
            candidate_groups=list(info["candidate_groups"]), candidate_users=list(info["candidate_users"]),
            assignee=info["assignee"], created=datetime.fromisoformat(info["created"]), due=_dt(info["due"]),
            follow_up=_dt(info["follow_up"]), priority=info["priority"], form_key=info["form_key"],
            form_ref=info["form_ref"],
            form_ref_binding=cam.get("formRefBinding") or ("latest" if info["form_ref"] else None),
            form_ref_version=int(version) if version and str(version).isdigit() else None,
            form_fields=[dict(f) for f in s.ext(spec).get("form_fields", [])],
            properties=dict(s.ext(spec).get("properties", {})),
            documentation=info.get("description", spec.documentation), process_key=self.process_key_of(task))

    def complete_user_task(self, task_id: str, variables: dict, *, user: str | None,
                           assignee: Any = _NOT_GIVEN) -> None:
        """`user` completes the task; `assignee` (the task's assignee as the host knows it now, None for
        none; claims are kept there) goes to history, and the task's `complete` listeners see it."""
        task = self._task(task_id)
        if not task.task_spec.manual:
            raise EngineError(f"task '{task_id}' is not a user task", task_id=task_id)
        if task.state != TaskState.READY:
            raise EngineError(f"task '{task_id}' is not ready ({TaskState.get_name(task.state)})", task_id=task_id)
        check_variables(variables or {})

        def action() -> None:
            task.data.update(variables or {})
            if assignee is _NOT_GIVEN:
                self._history.record_user(user, task)
            else:
                record = task.internal_data.get("alur_user_task")
                if record is not None and assignee is not None:
                    record["assignee"] = assignee
                self._history.record_user(user, task, assignee=assignee)
            task.run()
        self._act(action, user=user)

    # -- external tasks ---------------------------------------------------------------------------
    def external_tasks(self) -> list[ExternalTaskInfo]:
        result = []
        for task in self._wf.get_tasks(state=TaskState.STARTED):
            spec = task.task_spec
            if not isinstance(spec, (s.AlurServiceTask, s.AlurSendTask)) or s.delegate_source(spec) is not None:
                continue
            cam = s.ext(spec).get("camunda", {})
            priority = cam.get("taskPriority")
            result.append(ExternalTaskInfo(
                id=str(task.id), element_id=spec.bpmn_id, name=spec.bpmn_name, topic=cam.get("topic", ""),
                priority=int(priority) if priority and str(priority).lstrip("-").isdigit() else 0,
                properties=dict(s.ext(spec).get("properties", {})),
                created=_dt(task.internal_data.get("alur_created")), process_key=self.process_key_of(task)))
        return result

    def _external(self, task_id: str) -> Any:
        task = self._task(task_id)
        if not isinstance(task.task_spec, (s.AlurServiceTask, s.AlurSendTask)) or s.delegate_source(task.task_spec):
            raise EngineError(f"task '{task_id}' is not an external task", task_id=task_id)
        if task.state != TaskState.STARTED:
            raise EngineError(f"external task '{task_id}' is not active ({TaskState.get_name(task.state)})",
                              task_id=task_id)
        return task

    def complete_external_task(self, task_id: str, variables: dict) -> None:
        task = self._external(task_id)
        check_variables(variables or {})

        def action() -> None:
            task.data.update(variables or {})
            task.complete()
        self._act(action)

    def throw_bpmn_error(self, task_id: str, code: str, message: str | None, variables: dict) -> None:
        task = self._external(task_id)
        check_variables(variables or {})
        catcher = self._error_catcher(task, code)
        if catcher is None:
            raise EngineError(f"no error boundary event catches error code '{code}' thrown by "
                              f"'{task.task_spec.bpmn_id}'", element_id=task.task_spec.bpmn_id, task_id=task_id)

        def action() -> None:
            self._deliver_error(catcher, code, message, dict(variables or {}))
        self._act(action)

    def _deliver_error(self, catcher: Any, code: str, message: str | None, variables: dict) -> None:
        payload = dict(variables)
        ed = catcher.task_spec.event_definition
        cam = s.ext(catcher.task_spec).get("camunda", {})
        if cam.get("errorCodeVariable"):
            payload[cam["errorCodeVariable"]] = code
        if cam.get("errorMessageVariable"):
            payload[cam["errorMessageVariable"]] = message
        event = BpmnEvent(ErrorEventDefinition(ed.name, code), payload=payload)
        catcher.task_spec.catch(catcher, event)
        spiff.refresh(catcher)

    def _route_handler_errors(self) -> bool:
        """BpmnErrors raised by delegates this step (specs.BPMN_ERROR_KEY) to their error boundary events."""
        if not getattr(self._wf, s.PENDING_BPMN_ERRORS, False):
            return False     # the common case: no handler threw (scanning every task per step would cost)
        setattr(self._wf, s.PENDING_BPMN_ERRORS, False)
        routed = False
        for task in self._wf.get_tasks(state=TaskState.STARTED):
            error = task.internal_data.pop(s.BPMN_ERROR_KEY, None)
            if error is None:
                continue
            catcher = self._error_catcher(task, error["code"])
            element = task.task_spec.bpmn_id
            if catcher is None:
                raise IncidentError(f"{element}: the handler threw BPMN error '{error['code']}'"
                                    + (f" ({error['message']})" if error.get("message") else "")
                                    + " and no error boundary event catches it", element_id=element,
                                    element_name=task.task_spec.bpmn_name)
            self._deliver_error(catcher, error["code"], error.get("message"), {})
            routed = True
        return routed

    # -- delegates run as jobs (camunda:async): failures wait for a retry ------------------------------
    def failed_jobs(self) -> list[tuple[str, str, str]]:
        """(task id, element id, message) of each async delegate whose handler failed."""
        return [(str(t.id), t.task_spec.bpmn_id, t.internal_data[s.FAILED_KEY])
                for t in self._wf.get_tasks(state=TaskState.STARTED) if s.FAILED_KEY in t.internal_data]

    def retry_failed_jobs(self) -> int:
        """Run the failed delegates again (their handler may be registered now); returns how many ran."""
        failed = [t for t in self._wf.get_tasks(state=TaskState.STARTED) if s.FAILED_KEY in t.internal_data]

        def action() -> None:
            for task in failed:
                task.internal_data.pop(s.FAILED_KEY, None)
                task.run()
        if failed:
            self._act(action)
        return len(failed)

    # -- task listeners the host's task operations fire -------------------------------------------
    def notify_assignment(self, task_id: str, assignee: str | None) -> str | None:
        """The task was assigned (claim, assign, identity link): run its `assignment` listeners with that
        assignee; returns the assignee afterwards (a listener may change it)."""
        task = self._task(task_id)
        record = task.internal_data.get("alur_user_task")
        if record is None or not task.task_spec.manual:
            raise EngineError(f"task '{task_id}' is not a user task", task_id=task_id)

        def action() -> None:
            record["assignee"] = assignee
            s.notify_task(task, "assignment")
        self._act(action)
        return record.get("assignee")

    def _error_catcher(self, task: Any, code: str) -> Any:
        return self._boundary_catcher(task, ErrorEventDefinition, code)

    # -- call activities (the called process runs as a separate instance) ---------------------------
    def _call_tasks(self) -> list:
        return [t for t in self._wf.get_tasks(state=TaskState.STARTED)
                if isinstance(t.task_spec, s.AlurCallActivity) and s.CALL_KEY in t.internal_data]

    def pending_calls(self) -> list[CallRequest]:
        """Call activities reached whose child instance the host has not started yet (nor failed to)."""
        return [self._call_request(t) for t in self._call_tasks()
                if t.internal_data[s.CALL_KEY].get("child") is None and not t.internal_data[s.CALL_KEY].get("failed")]

    def failed_calls(self) -> list[CallRequest]:
        """Call activities whose child could not be started (an incident); `retry_calls` makes them pending."""
        return [self._call_request(t) for t in self._call_tasks() if t.internal_data[s.CALL_KEY].get("failed")]

    def waiting_calls(self) -> dict[str, str]:
        """Call-activity task id -> the id of the child instance it waits for."""
        return {str(t.id): t.internal_data[s.CALL_KEY]["child"] for t in self._call_tasks()
                if t.internal_data[s.CALL_KEY].get("child")}

    def _call_request(self, task: Any) -> CallRequest:
        req = task.internal_data[s.CALL_KEY]
        return CallRequest(task_id=str(task.id), element_id=task.task_spec.bpmn_id, name=task.task_spec.bpmn_name,
                           key=req["key"], binding=req["binding"], version=req["version"],
                           version_tag=req["version_tag"], tenant_id=req["tenant"],
                           variables=dict(req["variables"]),
                           business_key=self.business_key if req.get("inherit_business_key") else req["business_key"],
                           failure=req.get("failed"))

    def _call_task(self, task_id: str) -> Any:
        task = self._task(task_id)
        if not isinstance(task.task_spec, s.AlurCallActivity) or task.state != TaskState.STARTED:
            raise EngineError(f"task '{task_id}' is not a waiting call activity", task_id=task_id)
        return task

    def call_started(self, task_id: str, child_id: str) -> None:
        task = self._call_task(task_id)
        # The input variables went to the child: the request keeps only what identifies it.
        task.internal_data[s.CALL_KEY] = {**task.internal_data[s.CALL_KEY], "child": child_id, "variables": {},
                                          "failed": None}

    def call_failed(self, task_id: str, message: str) -> None:
        task = self._call_task(task_id)
        task.internal_data[s.CALL_KEY] = {**task.internal_data[s.CALL_KEY], "failed": message}

    def retry_calls(self) -> int:
        failed = [t for t in self._call_tasks() if t.internal_data[s.CALL_KEY].get("failed")]
        for task in failed:
            task.internal_data[s.CALL_KEY] = {**task.internal_data[s.CALL_KEY], "failed": None}
        return len(failed)

    def complete_call(self, task_id: str, child_variables: dict) -> None:
        """The child instance ended: `camunda:out` copies its variables and the caller continues."""
        task = self._call_task(task_id)

        def action() -> None:
            s.complete_call(task, child_variables)
            task.complete()
        self._act(action)

    def cancel_call(self, task_id: str) -> bool:
        """The child of call activity `task_id` was deleted: the call activity ends without continuing (with
        its boundary events). True when the instance has nothing left to run (Camunda then deletes it too)."""
        task = self._call_task(task_id)
        self._history.snapshot(self._wf)
        with spiff.translated_errors():
            parent = task.parent
            (parent if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit) else task).cancel()
        self._history.collect(self._wf)
        return s.live_tokens(self._wf) == 0

    def thrown_events(self) -> list[ThrownEvent]:
        """BPMN errors and escalations thrown here that nothing in this instance caught (taken: each is
        reported once), for the host to hand to the calling instance."""
        found = []
        kept = []
        for event in self._wf.bpmn_events:
            ed = event.event_definition
            if isinstance(ed, (ErrorEventDefinition, EscalationEventDefinition)):
                kind = "error" if isinstance(ed, ErrorEventDefinition) else "escalation"
                found.append(ThrownEvent(kind=kind, code=ed.code, name=ed.name,
                                         payload=dict(event.payload) if isinstance(event.payload, dict) else {}))
            else:
                kept.append(event)
        self._wf.bpmn_events = kept
        return found

    def catch_call_event(self, task_id: str, event: ThrownEvent) -> bool:
        """An error or escalation thrown in the child of call activity `task_id`: caught by a boundary event
        of the call activity or of an enclosing subprocess (True), or not (False: the child's path ended
        as with a none end event)."""
        task = self._call_task(task_id)
        cls = ErrorEventDefinition if event.kind == "error" else EscalationEventDefinition
        catcher = self._boundary_catcher(task, cls, event.code)
        if catcher is None:
            return False

        def action() -> None:
            payload = dict(event.payload)
            cam = s.ext(catcher.task_spec).get("camunda", {})
            if event.kind == "error":
                if cam.get("errorCodeVariable"):
                    payload[cam["errorCodeVariable"]] = event.code
                if cam.get("errorMessageVariable"):
                    payload[cam["errorMessageVariable"]] = event.payload.get("errorMessage")
            elif cam.get("escalationCodeVariable"):
                payload[cam["escalationCodeVariable"]] = event.code
            ed = catcher.task_spec.event_definition
            catcher.task_spec.catch(catcher, BpmnEvent(cls(ed.name, event.code), payload=payload))
            spiff.refresh(catcher)
        self._act(action)
        return True

    def _boundary_catcher(self, task: Any, cls: type, code: str | None) -> Any:
        current = task
        while current is not None:
            parent = current.parent
            if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
                for sibling in parent.children:
                    ed = getattr(sibling.task_spec, "event_definition", None)
                    if isinstance(ed, cls) and sibling.state == TaskState.WAITING \
                            and getattr(ed, "code", None) in (None, code):
                        return sibling
            parent_task_id = current.workflow.parent_task_id
            current = self._wf.get_task_from_id(parent_task_id) if parent_task_id is not None else None
        return None

    # -- timers -----------------------------------------------------------------------------------
    def _timer_tasks(self) -> list:
        return [t for t in self._wf.event_manager.tasks.values() if _has_timer(t.task_spec.event_definition)]

    @staticmethod
    def _timer_due(task: Any) -> datetime | None:
        value = task.internal_data.get("event_value")
        if isinstance(value, dict):
            if value.get("cycles") == 0:
                return None
            value = value.get("next")
        return _dt(value) if isinstance(value, str) else None

    def timers(self) -> list[TimerInfo]:
        """Every pending timer (Camunda: one timer job each), in due order."""
        found = [TimerInfo(task_id=str(t.id), element_id=getattr(t.task_spec, "bpmn_id", None), due=due)
                 for t in self._timer_tasks() if (due := self._timer_due(t)) is not None]
        return sorted(found, key=lambda info: (info.due, info.task_id))

    def next_timer_due(self) -> datetime | None:
        dues = [d for d in (self._timer_due(t) for t in self._timer_tasks()) if d is not None]
        return min(dues) if dues else None

    def fire_due_timers(self) -> int:
        fired = 0
        self._history.snapshot(self._wf)
        with spiff.translated_errors(), s.action_budget(self._wf, self._engine.budget.max_action_seconds), \
                s.timer_run(self._wf):
            for _ in range(_MAX_TIMER_ROUNDS):
                now = self._engine.clock.now()
                fired_already = s.fired_this_action(self._wf)
                due = [t for t in self._timer_tasks()
                       if (d := self._timer_due(t)) is not None and d <= now and t.id not in fired_already]
                if not due:
                    break
                fired += len(due)
                self._wf.refresh_timers()
                self._steps()
        self._history.collect(self._wf)
        return fired

    # -- messages ---------------------------------------------------------------------------------
    def waiting_messages(self) -> list[str]:
        names = []
        for task in self._wf.event_manager.tasks.values():
            ed = task.task_spec.event_definition
            for d in getattr(ed, "event_definitions", [ed]):
                if isinstance(d, MessageEventDefinition) and d.name not in names:
                    names.append(d.name)
        return names

    def correlate_message(self, name: str, variables: dict) -> bool:
        check_variables(variables or {})
        if name not in self.waiting_messages():
            return False

        def action() -> None:
            self._wf.send_event(BpmnEvent(MessageEventDefinition(name), payload=dict(variables or {})))
        self._act(action)
        return True

    # -- variables --------------------------------------------------------------------------------
    def variables(self) -> dict:
        """Process variables: the data of the live tasks, the most recently activated winning.

        SpiffWorkflow keeps a data copy per task (no single scope); Camunda's process scope is
        approximated by merging the live tasks of the top workflow and its embedded subprocesses in
        order of their last state change. A completed instance returns the data
        of its last task.
        """
        wf = self._wf
        live = list(wf.get_tasks(state=ACTIVE))
        if not live:
            source = wf.last_task.data if wf.last_task is not None else wf.data
            return {k: v for k, v in source.items() if k not in HIDDEN_KEYS and not k.startswith(RESERVED_PREFIXES)}
        result: dict = {}
        for task in sorted(live, key=lambda t: t.last_state_change):
            local = _local_names(task)
            for k, v in _visible_data(task).items():
                if k not in local and k not in HIDDEN_KEYS and not k.startswith(RESERVED_PREFIXES):
                    result[k] = v
        return result

    def _writable(self) -> list:
        if self.completed:
            raise EngineError("the instance has ended; its variables cannot change")
        tasks = list(self._wf.get_tasks(state=TaskState.NOT_FINISHED_MASK))
        # A waiting event re-inherits its parent's data each time it is re-checked (timers,
        # conditions), so the parent must carry the new values too.
        extra = [t.parent for t in tasks if t.state == TaskState.WAITING and t.parent is not None]
        unique = {t.id: t for t in tasks + extra}    # dicts keep the first position of each id
        return list(unique.values())

    def set_variables(self, values: dict) -> None:
        check_variables(values)
        tasks = self._writable()

        def action() -> None:
            for task in tasks:
                task.data.update(values)
        self._act(action)

    def continue_steps(self) -> None:
        """Run the automatic steps that are ready: a timer that fell due while variables changed becomes
        ready in that action's last timer refresh, and runs only in the next action (a retry's)."""
        self._act(lambda: None)

    def remove_variable(self, name: str) -> None:
        tasks = self._writable()
        self._history.snapshot(self._wf)
        for task in tasks:
            task.data.pop(name, None)
        self._wf.data.pop(name, None)
        self._history.collect(self._wf)

    # -- diagram ----------------------------------------------------------------------------------
    def active_elements(self) -> list[ActiveElement]:
        result = []
        for task in self._wf.get_tasks(state=ACTIVE):
            spec = task.task_spec
            if getattr(spec, "bpmn_id", None) is None:
                continue
            parent_element = None
            if task.workflow.parent_task_id is not None:
                parent_task = self._wf.get_task_from_id(task.workflow.parent_task_id)
                parent_element = getattr(parent_task.task_spec, "bpmn_id", None)
            result.append(ActiveElement(element_id=spec.bpmn_id, element_type=self.element_type_of(task),
                                        name=spec.bpmn_name, task_id=str(task.id),
                                        state=TaskState.get_name(task.state), parent_element_id=parent_element,
                                        lane=spec.lane, process_key=self.process_key_of(task)))
        return result

    # -- modification and migration (engine/modification.py) -----------------------------------------
    def tokens(self) -> list[Token]:
        """The live tokens of the top process (what a modification cancels, a migration maps)."""
        return mod.tokens(self._wf)

    def modify(self, instructions: list[Instruction], *, user: str | None = None) -> bool:
        """Apply Camunda's modification instructions, all or none: they run on a copy of the state that
        replaces this one only when every instruction and the engine steps after them succeeded.
        Returns False when no token is left and the process did not reach its end (Camunda then
        cancels the instance)."""
        trial = self._engine.load(self.model, self.dumps())
        variables = trial.variables()
        trial._act(lambda: mod.apply_instructions(trial._wf, self.model, variables, instructions), user=user)
        self._wf = trial._wf
        self._wf.script_engine = self._script_engine
        self._history.absorb(trial.drain_history())
        return mod.live_token_count(self._wf) > 0 or mod.ended_normally(self._wf)

    def migration_problems(self, target: ProcessModel, mapping: dict[str, str]) -> list[MigrationProblem]:
        with spiff.translated_errors():
            return mod.migration_problems(self._wf, target, mapping)

    def migrated(self, target: ProcessModel, mapping: dict[str, str], *, variables: dict | None = None,
                 update_triggers: frozenset[str] = frozenset()) -> "Instance":
        """This instance as an instance of `target`: every token mapped (old activity id -> new), or an
        EngineError naming the first problem; this instance is left unchanged either way. `variables`
        are set on the migrated instance (nothing runs: the tokens wait where they were)."""
        check_variables(variables or {})
        problems = self.migration_problems(target, mapping)
        if problems:
            raise EngineError(problems[0].message, element_id=problems[0].element_id)
        fresh = Instance(self._engine, target, tenant=self.tenant, business_key=self.business_key)
        with spiff.translated_errors():
            spec, subs = ser.restore_specs(target.spec_json)
            fresh._wf = AlurWorkflow(spec, subs, script_engine=fresh._script_engine)
            mod.build_migrated(self._wf, fresh._wf, mapping, dict(variables or {}), update_triggers)
        return fresh

    # -- element ownership ------------------------------------------------------------------------
    def process_key_of(self, task: Any) -> str:
        """Key of the process whose model holds `task`'s element: always this instance's (called
        processes run as instances of their own; embedded subprocesses belong to their process)."""
        return self.model.key

    def element_type_of(self, task: Any) -> str:
        spec = task.task_spec
        info = self.model.elements.get(spec.bpmn_id)
        return info.type if info is not None else type(spec).__name__


__all__ = ["Engine", "Instance", "ProcessResolver", "DecisionResolver"]
