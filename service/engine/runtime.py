"""Engine and Instance: the adapter's public run-time API (see docs/ARCHITECTURE.md)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.util.task import TaskState

from service.expr import Limits

from . import serializer as ser
from . import specs as s
from . import spiff
from .budget import DEFAULT_BUDGET, Budget
from .clock import Clock
from .delegation.facade import InstanceIdentity
from .errors import EngineError, IncidentError
from .history import HistoryRecorder
from .listening import run_process_end_listeners
from .info import ActiveElement, ExternalTaskInfo, HistoryEvent, UserTaskInfo
from .model import ProcessModel
from .script_engine import AlurScriptEngine
from .values import check_variables
from .workflow import HIDDEN_KEYS, AlurInclusiveGateway, AlurParallelGateway, AlurWorkflow

if TYPE_CHECKING:  # imported for typing only: the DMN package loads on first use, the calendar belongs to the SOPs
    from .delegation.registry import DelegateRegistry
    from .dmn import DecisionModel
    from .workdays import WorkCalendar

# (key, tenant) -> the process model; (key, tenant, binding, version) -> the decision model.
ProcessResolver = Callable[[str, "str | None"], ProcessModel]
DecisionResolver = Callable[[str, "str | None", str, "int | None"], "DecisionModel"]

_PROCESS_ENDED = "_alur_process_ended"    # the process's end listeners ran (in this action)
ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
_MAX_TIMER_ROUNDS = 1000


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
    def __init__(self, *, clock: Clock, processes: ProcessResolver, decisions: DecisionResolver,
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
        called = self._resolve_called(model, tenant, {})
        with spiff.translated_errors():
            spec, subs = ser.restore_specs(model.spec_json, {k: m.spec_json for k, m in called.items()})
            instance = Instance(self, model, called, tenant=tenant, business_key=business_key)
            instance.identify(instance_id, definition_id)
            instance._wf = AlurWorkflow(spec, subs, script_engine=instance._script_engine)
            instance._begin(variables, user=user, start_event_id=start_event_id, message=message)
        return instance

    def load(self, model: ProcessModel, state: str, called: dict[str, ProcessModel], *,
             instance_id: str | None = None, definition_id: str | None = None) -> "Instance":
        missing = sorted({k for m in [model, *called.values()] for k in m.called_keys
                          if k not in called and k != m.key})
        if missing:
            raise EngineError(f"the called process models {', '.join(missing)} are needed to load "
                              f"this '{model.key}' instance")
        try:
            with spiff.translated_errors():
                wf, meta = ser.loads_with_meta(state, model.spec_json, {k: m.spec_json for k, m in called.items()})
        except (ValueError, KeyError, TypeError) as exc:
            raise EngineError(f"the stored state of a '{model.key}' instance cannot be read: {exc}") from None
        instance = Instance(self, model, dict(called), tenant=meta.get("tenant"), business_key=meta.get("business_key"))
        instance.identify(instance_id, definition_id)
        instance._wf = wf
        wf.script_engine = instance._script_engine   # the serializer does not restore it
        setattr(wf, _PROCESS_ENDED, wf.is_completed())   # an ended instance ran its end listeners then
        return instance

    # -- helpers ------------------------------------------------------------------------------
    def _resolve_called(self, model: ProcessModel, tenant: str | None,
                        found: dict[str, ProcessModel]) -> dict[str, ProcessModel]:
        for key in model.called_keys:
            if key in found or key == model.key:
                continue
            try:
                called = self.processes(key, tenant)
            except Exception as exc:  # noqa: BLE001 - the host's lookup error, named for the user
                raise EngineError(f"called process '{key}' is not deployed: {exc}") from None
            if called is None:
                raise EngineError(f"called process '{key}' is not deployed")
            found[key] = called
            self._resolve_called(called, tenant, found)
        return found


class Instance:
    _wf: AlurWorkflow    # set by Engine.start / Engine.load right after construction

    def __init__(self, engine: Engine, model: ProcessModel, called: dict[str, ProcessModel], *,
                 tenant: str | None, business_key: str | None) -> None:
        self._engine = engine
        self.model = model
        self.called_models = called
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
        return ser.dumps(self._wf, meta={"tenant": self.tenant, "business_key": self.business_key,
                                         "called": sorted(self.called_models)})

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
                           assignee: str | None = None) -> None:
        """`assignee`: the task's assignee as the host knows it now (claims are kept there), which the
        task's `complete` listeners see."""
        task = self._task(task_id)
        if not task.task_spec.manual:
            raise EngineError(f"task '{task_id}' is not a user task", task_id=task_id)
        if task.state != TaskState.READY:
            raise EngineError(f"task '{task_id}' is not ready ({TaskState.get_name(task.state)})", task_id=task_id)
        check_variables(variables or {})

        def action() -> None:
            task.data.update(variables or {})
            record = task.internal_data.get("alur_user_task")
            if record is not None and assignee is not None:
                record["assignee"] = assignee
            self._history.record_user(user, task)
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
        current = task
        while current is not None:
            parent = current.parent
            if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
                for sibling in parent.children:
                    ed = getattr(sibling.task_spec, "event_definition", None)
                    if isinstance(ed, ErrorEventDefinition) and sibling.state == TaskState.WAITING \
                            and ed.code in (None, code):
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

    def next_timer_due(self) -> datetime | None:
        dues = [d for d in (self._timer_due(t) for t in self._timer_tasks()) if d is not None]
        return min(dues) if dues else None

    def fire_due_timers(self) -> int:
        fired = 0
        self._history.snapshot(self._wf)
        with spiff.translated_errors(), s.action_budget(self._wf, self._engine.budget.max_action_seconds):
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
        approximated by merging the live tasks of the top workflow and its embedded subprocesses (not
        called processes) in order of their last state change. A completed instance returns the data
        of its last task.
        """
        wf = self._wf
        live = [t for t in wf.get_tasks(state=ACTIVE) if self._in_process_scope(t)]
        if not live:
            source = wf.last_task.data if wf.last_task is not None else wf.data
            return {k: v for k, v in source.items() if k not in HIDDEN_KEYS}
        result: dict = {}
        for task in sorted(live, key=lambda t: t.last_state_change):
            local = _local_names(task)
            for k, v in _visible_data(task).items():
                if k not in local and k not in HIDDEN_KEYS:
                    result[k] = v
        return result

    def _writable(self) -> list:
        if self.completed:
            raise EngineError("the instance has ended; its variables cannot change")
        tasks = [t for t in self._wf.get_tasks(state=TaskState.NOT_FINISHED_MASK) if self._in_process_scope(t)]
        # A waiting event re-inherits its parent's data each time it is re-checked (timers,
        # conditions), so the parent must carry the new values too.
        extra = [t.parent for t in tasks if t.state == TaskState.WAITING and t.parent is not None]
        unique = {t.id: t for t in tasks + extra}    # dicts keep the first position of each id
        return list(unique.values())

    def _in_process_scope(self, task: Any) -> bool:
        """True for tasks of the top process and its embedded subprocesses (not of called processes)."""
        workflow = task.workflow
        while workflow is not self._wf:
            parent_task = self._wf.get_task_from_id(workflow.parent_task_id)
            if isinstance(parent_task.task_spec, s.AlurCallActivity):
                return False
            workflow = parent_task.workflow
        return True

    def set_variables(self, values: dict) -> None:
        check_variables(values)
        tasks = self._writable()

        def action() -> None:
            for task in tasks:
                task.data.update(values)
        self._act(action)

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

    # -- element ownership ------------------------------------------------------------------------
    def process_key_of(self, task: Any) -> str:
        """Key of the process whose model holds `task`'s element.

        Called processes run as SpiffWorkflow subprocesses of this instance, and their element ids may
        repeat the caller's (`Step_2` is a call activity here and a user task there): the element must be
        looked up in the model that owns it. Embedded subprocesses belong to their enclosing process.
        """
        workflow = task.workflow
        while workflow is not self._wf:
            parent_task = self._find_task(workflow.parent_task_id)
            if parent_task is None:
                # a cancelled branch whose caller is already gone (history of removed tasks)
                name = str(workflow.spec.name)
                return name if name in self.called_models else self.model.key
            if isinstance(parent_task.task_spec, s.AlurCallActivity):
                return str(workflow.spec.name)
            workflow = parent_task.workflow
        return self.model.key

    def _find_task(self, task_id: Any) -> Any:
        task = self._wf.tasks.get(task_id)
        if task is None:
            for sub in self._wf.subprocesses.values():
                task = sub.tasks.get(task_id)
                if task is not None:
                    break
        return task

    def model_of(self, process_key: str | None) -> ProcessModel:
        """The model of this instance's process or of one of its called processes (default: the root)."""
        if process_key is None or process_key == self.model.key:
            return self.model
        return self.called_models.get(process_key, self.model)

    def element_type_of(self, task: Any) -> str:
        spec = task.task_spec
        info = self.model_of(self.process_key_of(task)).elements.get(spec.bpmn_id)
        return info.type if info is not None else type(spec).__name__


__all__ = ["Engine", "Instance", "ProcessResolver", "DecisionResolver"]
