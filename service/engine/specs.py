"""Task specs with Camunda 7 semantics on top of SpiffWorkflow's BPMN specs.

Everything Camunda-specific that a spec needs at run time lives in ``spec.extensions`` (a JSON
dict that SpiffWorkflow's converters already serialize): ``properties``, ``camunda`` (attributes),
``form_fields`` (camunda:formData), ``inputs``/``outputs`` (camunda:inputOutput), ``in``/``out`` (call activity
mappings), ``mi`` (multi-instance). That keeps the converters generic and the spec_json self-describing.
"""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from copy import deepcopy
from datetime import datetime
from typing import Any, Callable, Iterator

from SpiffWorkflow.bpmn.specs import defaults as d
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from . import compensation, event_subprocesses, spiff, timers
from .listening import ListeningMixin, run_arrival_listeners, run_end_listeners
from .errors import IncidentError
from .expressions import is_juel

LOCALS_KEY = "alur_locals"


def ext(spec: Any) -> dict:
    return getattr(spec, "extensions", None) or {}


def camunda_attr(spec: Any, name: str) -> Any:
    return ext(spec).get("camunda", {}).get(name)


def _engine(task: Any) -> Any:
    return task.workflow.script_engine


def _fail(task: Any, message: str) -> IncidentError:
    spec = task.task_spec
    element = getattr(spec, "bpmn_id", None) or spec.name
    return IncidentError(f"{element}: {message}", element_id=element, element_name=getattr(spec, "bpmn_name", None))


# -- camunda:inputOutput -------------------------------------------------------------------------

def evaluate_parameter(task: Any, param: dict) -> Any:
    """Value of an input/output parameter: text (literal or JUEL), a script (FEEL, JavaScript, ...), list or map."""
    kind = param.get("kind", "text")
    engine = _engine(task)
    if kind == "text":
        value = param.get("value")
        return None if value is None else engine.evaluate_literal_or_juel(task, value)
    if kind == "feel":
        return engine.evaluate_value(task, param["value"])
    if kind == "script":
        return engine.run_model_script(task, param["format"], param["value"], resource=param.get("resource"))
    if kind == "list":
        return [evaluate_parameter(task, item) for item in param["items"]]
    if kind == "map":
        return {key: evaluate_parameter(task, item) for key, item in param["entries"]}
    raise _fail(task, f"unknown parameter kind {kind!r}")


def require_plain(task: Any, values: dict, what: str) -> dict:
    """Values an expression produced must be plain before they enter the instance (a FEEL range or
    function cannot be stored); anything else is an incident on this task naming the variable."""
    from .errors import EngineError
    from .values import check_variables

    try:
        return check_variables(values)
    except EngineError as exc:
        raise _fail(task, f"{what}: {exc.message}") from None


# A model can loop through automatic steps (gateways, scripts, decisions) forever, or long enough to hold a
# server thread and its transaction for minutes (the task tree grows within one action, so each step
# costs more than the last). Steps completed since the last wait state (user task, external
# task) are counted per loaded workflow; past the budget (budget.py) the action fails as an incident on
# that step. The counters live on the top workflow object only: they are never stored.
_STEP_COUNTER = "_alur_automatic_steps"
_DEADLINE = "_alur_action_deadline"
_MI_COUNTER = "_alur_action_children"
_FIRED = "_alur_action_fired"    # cycle timers fired by this action: each fires at most once per action
_TIMER_RUN = "_alur_timer_run"    # set while the host fires due timers (Instance.fire_due_timers)
LAST_STEP = "_alur_last_step"    # the spec of the step running last (named when Python's stack runs out)


def _top(workflow: Any) -> Any:
    return getattr(workflow, "top_workflow", None) or workflow


@contextmanager
def action_budget(workflow: Any, seconds: float) -> Iterator[None]:
    """One deadline for everything run inside; an enclosing action keeps its own (earlier) deadline."""
    if getattr(workflow, _DEADLINE, None) is not None:
        yield
        return
    setattr(workflow, _DEADLINE, time.monotonic() + seconds)
    setattr(workflow, _MI_COUNTER, 0)
    setattr(workflow, _FIRED, set())
    try:
        yield
    finally:
        setattr(workflow, _DEADLINE, None)


def count_step(my_task: Any, *, waits: bool) -> None:
    workflow = _top(my_task.workflow)
    setattr(workflow, LAST_STEP, my_task.task_spec)
    if waits:
        setattr(workflow, _STEP_COUNTER, 0)
        return
    budget = _engine(my_task).budget
    steps = getattr(workflow, _STEP_COUNTER, 0) + 1
    setattr(workflow, _STEP_COUNTER, steps)
    if steps > budget.max_steps:
        raise _fail(my_task, f"more than {budget.max_steps} automatic steps ran without reaching a user task, "
                             "external task, message or timer: a loop without a wait state? "
                             f"({budget.setting('max_steps')})")
    if steps % 64 == 0:
        check_tokens(my_task)
    deadline = getattr(workflow, _DEADLINE, None)
    if deadline is not None and time.monotonic() > deadline:
        raise _fail(my_task, f"the automatic steps of this action ran longer than {budget.max_action_seconds:g} "
                             f"seconds without reaching a wait state; the action was stopped "
                             f"({budget.setting('max_action_seconds')})")


@contextmanager
def timer_run(workflow: Any) -> Iterator[None]:
    """Date and duration timers fire only inside a timer run, as Camunda's job executor fires them: a timer
    already due when its token arrives (PT0S, a past date) waits for the next run instead of firing inline."""
    top = _top(workflow)
    setattr(top, _TIMER_RUN, True)
    try:
        yield
    finally:
        setattr(top, _TIMER_RUN, False)


def in_timer_run(workflow: Any) -> bool:
    return bool(getattr(_top(workflow), _TIMER_RUN, False))


def fired_this_action(workflow: Any) -> set:
    """Ids of the cycle timer tasks that fired in the running action (Camunda fires a cycle job once per
    execution; SpiffWorkflow would fire a due cycle again after every completed task)."""
    top = _top(workflow)
    fired = getattr(top, _FIRED, None)
    if fired is None:
        fired = set()
        setattr(top, _FIRED, fired)
    return fired


_TOKEN_STATES = TaskState.READY | TaskState.STARTED | TaskState.WAITING


def _is_token(task: Any) -> bool:
    # A task of a BPMN element that holds a token now: ready, running or waiting (SpiffWorkflow's predicted
    # tasks, its own joins and roots are not counted).
    return getattr(task.task_spec, "bpmn_id", None) is not None and task.has_state(_TOKEN_STATES)


def live_tokens(workflow: Any) -> int:
    """Tokens of the instance (see _is_token), its embedded and called subprocesses included."""
    top = _top(workflow)
    return sum(1 for wf in [top, *top.subprocesses.values()] for t in wf.tasks.values()
               if _is_token(t))


def check_instance_tokens(workflow: Any, budget: Any) -> None:
    """At the end of an action: the instance's live tokens within the budget. Tokens can also pile up
    across actions (a non-interrupting boundary cycle adding a task at each firing); the incident names
    the element holding most of them."""
    top = _top(workflow)
    live = [t for wf in [top, *top.subprocesses.values()] for t in wf.tasks.values() if _is_token(t)]
    if len(live) <= budget.max_tokens:
        return
    counts: dict[Any, int] = {}
    for task in live:
        counts[task.task_spec] = counts.get(task.task_spec, 0) + 1
    spec = max(counts, key=lambda k: counts[k])
    element = spec.bpmn_id
    raise IncidentError(f"{element}: the instance holds {len(live)} active tokens ({counts[spec]} here); at most "
                        f"{budget.max_tokens} are allowed ({budget.setting('max_tokens')})",
                        element_id=element, element_name=getattr(spec, "bpmn_name", None))


def check_tokens(my_task: Any) -> None:
    """The instance's live tokens within the budget (counted now and then: the count walks every task)."""
    budget = _engine(my_task).budget
    tokens = live_tokens(my_task.workflow)
    if tokens > budget.max_tokens:
        raise _fail(my_task, f"the instance holds {tokens} active tokens; at most {budget.max_tokens} are "
                             f"allowed ({budget.setting('max_tokens')})")


def count_children(my_task: Any, count: int) -> None:
    """Before a multi-instance activity creates `count` children: the action's and the instance's budget."""
    budget = _engine(my_task).budget
    workflow = _top(my_task.workflow)
    made = getattr(workflow, _MI_COUNTER, 0) + count
    setattr(workflow, _MI_COUNTER, made)
    if made > budget.max_multi_instance:
        raise _fail(my_task, f"this action would create {made} multi-instance children; at most "
                             f"{budget.max_multi_instance} are allowed per action "
                             f"({budget.setting('max_multi_instance')})")
    tokens = live_tokens(workflow) + count
    if tokens > budget.max_tokens:
        raise _fail(my_task, f"the instance would hold {tokens} active tokens; at most {budget.max_tokens} are "
                             f"allowed ({budget.setting('max_tokens')})")


class CamundaIoMixin:
    """camunda:inputOutput: input parameters become task-local variables, outputs are copied out."""

    waits = False     # user and external tasks: completing one starts a new automatic-step count

    def _apply_inputs(self, my_task: Any) -> None:
        inputs = ext(self).get("inputs")
        if not inputs or LOCALS_KEY in my_task.internal_data:
            return
        values = require_plain(my_task, {p["name"]: evaluate_parameter(my_task, p) for p in inputs},
                               "input parameter")
        my_task.data.update(values)
        my_task.internal_data[LOCALS_KEY] = list(values)

    def _update_hook(self, my_task: Any) -> Any:
        result = super()._update_hook(my_task)  # type: ignore[misc]
        self._apply_inputs(my_task)
        return result

    def _on_ready_hook(self, my_task: Any) -> None:
        super()._on_ready_hook(my_task)  # type: ignore[misc]
        run_arrival_listeners(my_task)

    def _on_complete_hook(self, my_task: Any) -> None:
        outputs = ext(self).get("outputs")
        values = require_plain(my_task, {p["name"]: evaluate_parameter(my_task, p) for p in outputs},
                               "output parameter") if outputs else {}
        run_end_listeners(my_task)
        for name in my_task.internal_data.get(LOCALS_KEY, []):
            my_task.data.pop(name, None)
        my_task.data.update(values)
        _mark_compensation(self, my_task)
        count_step(my_task, waits=self.waits and delegate_source(self) is None)
        super()._on_complete_hook(my_task)  # type: ignore[misc]


def _mark_compensation(spec: Any, my_task: Any) -> None:
    """Hidden markers of compensation.py: this activity completed (it can be compensated now), or this
    handler compensated its activity (not to be compensated again)."""
    cam = ext(spec).get("camunda", {})
    if cam.get(compensation.COMPLETED_ATTR):
        my_task.data[cam[compensation.COMPLETED_ATTR]] = True
    if cam.get(compensation.COMPENSATED_ATTR):
        my_task.data[cam[compensation.COMPENSATED_ATTR]] = False


# -- plain activities ------------------------------------------------------------------------------

class _PassThroughMixin:
    """bpmn:task and bpmn:manualTask: Camunda 7 runs them as pass-through activities (no wait state,
    no task in the task list); SpiffWorkflow would wait for someone to complete them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manual = False


class AlurNoneTask(_PassThroughMixin, CamundaIoMixin, d.NoneTask):
    pass


class _HumanTaskMixin:
    """Evaluates assignee/candidates/due dates once, when the task becomes READY (its creation time), then
    runs its `create` task listeners (and `assignment` ones when a listener or the model assigned it)."""

    def _on_ready_hook(self, my_task: Any) -> None:
        super()._on_ready_hook(my_task)  # type: ignore[misc]
        if "alur_user_task" not in my_task.internal_data:
            record = resolve_user_task(my_task)
            my_task.internal_data["alur_user_task"] = record
            if ext(self).get("task_listeners"):
                changed = notify_task(my_task, "create")
                if record.get("assignee") is not None or "assignee" in changed:
                    notify_task(my_task, "assignment")

    def _on_complete_hook(self, my_task: Any) -> None:
        if ext(self).get("task_listeners"):
            notify_task(my_task, "complete")
        super()._on_complete_hook(my_task)  # type: ignore[misc]

    def _on_cancel(self, my_task: Any) -> None:
        super()._on_cancel(my_task)  # type: ignore[misc]
        # Only a task that was created (not a predicted one) is deleted, as Camunda's `delete` event.
        if ext(self).get("task_listeners") and "alur_user_task" in my_task.internal_data:
            notify_task(my_task, "delete")


def notify_task(my_task: Any, event: str) -> set[str]:
    """Run a user task's `event` task listeners on its stored record; returns what they changed."""
    listeners = ext(my_task.task_spec).get("task_listeners") or []
    if not any(item.get("event") == event for item in listeners):
        return set()
    from .delegation.invoke import run_task_listeners
    record = my_task.internal_data["alur_user_task"]
    return run_task_listeners(my_task, listeners, event, record)


class AlurManualTask(_PassThroughMixin, CamundaIoMixin, d.ManualTask):
    pass


class AlurUserTask(_HumanTaskMixin, CamundaIoMixin, d.UserTask):
    waits = True


def _split_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _as_datetime(task: Any, value: Any, what: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return timers.to_utc(value).isoformat()
    try:
        return timers.parse_date(str(value)).isoformat()
    except timers.TimerSyntaxError:
        raise _fail(task, f"{what} {value!r} is not a date/time") from None


def resolve_user_task(my_task: Any) -> dict:
    engine = _engine(my_task)
    spec = my_task.task_spec
    cam = ext(spec).get("camunda", {})
    now = engine.now()
    assignee = engine.evaluate_literal_or_juel(my_task, cam.get("assignee"))
    groups = _split_list(engine.evaluate_literal_or_juel(my_task, cam.get("candidateGroups")))
    users = _split_list(engine.evaluate_literal_or_juel(my_task, cam.get("candidateUsers")))
    if not groups and not users and not assignee and spec.lane:
        groups = [spec.lane]
    due = _as_datetime(my_task, engine.evaluate_literal_or_juel(my_task, cam.get("dueDate")), "dueDate")
    if due is None:
        due = mutu_due(my_task, now)
    follow_up = _as_datetime(my_task, engine.evaluate_literal_or_juel(my_task, cam.get("followUpDate")),
                             "followUpDate")
    priority_text = engine.evaluate_literal_or_juel(my_task, cam.get("priority"))
    try:
        priority = int(priority_text) if priority_text not in (None, "") else 50
    except (TypeError, ValueError, OverflowError):
        raise _fail(my_task, f"priority {priority_text!r} is not a number") from None
    if not -(2**31) <= priority < 2**31:   # a Camunda (Java) int, stored as a 32-bit integer
        raise _fail(my_task, f"priority {priority} is out of range ({-(2**31)} to {2**31 - 1})")
    form_key = engine.evaluate_literal_or_juel(my_task, cam.get("formKey"))
    form_ref = engine.evaluate_literal_or_juel(my_task, cam.get("formRef"))
    return {
        # Camunda evaluates the name and the description (the documentation) as expressions when the task
        # is created (TaskDecorator.initializeTaskName/-Description): "My Task ${loopCounter}".
        "name": _text_expression(my_task, spec.bpmn_name),
        "description": _text_expression(my_task, spec.documentation),
        "created": now.isoformat(),
        "assignee": None if assignee in (None, "") else str(assignee),
        "candidate_groups": groups,
        "candidate_users": users,
        "due": due,
        "follow_up": follow_up,
        "priority": priority,
        "form_key": None if form_key is None else str(form_key),
        "form_ref": None if form_ref is None else str(form_ref),
    }


def _text_expression(my_task: Any, text: str | None) -> str | None:
    """A text that may hold ${...}: evaluated when it does, kept as written when it does not."""
    if text is None or not is_juel(text):
        return text
    value = _engine(my_task).evaluate_value(my_task, text)
    return None if value is None else str(value)


def mutu_due(my_task: Any, now: datetime) -> str | None:
    """Due date from the SOP's mutu.waktu property on the working-day calendar (if one is configured)."""
    props = ext(my_task.task_spec).get("properties", {})
    waktu = props.get("mutu.waktu")
    calendar = getattr(_engine(my_task), "calendar", None)
    if not waktu or calendar is None:
        return None
    calendar_days = str(props.get("mutu.hari", "")).strip().lower() == "kalender"
    try:
        return timers.to_utc(calendar.add(now, waktu, calendar_days=calendar_days)).isoformat()
    except Exception as exc:  # noqa: BLE001 - calendar errors become an incident naming the property
        raise _fail(my_task, f"mutu.waktu {waktu!r}: {exc}") from None


FAILED_KEY = "alur_failed"            # an async delegate's failure: the task waits as a failed job
BPMN_ERROR_KEY = "alur_bpmn_error"    # a BpmnError a handler raised, routed by the instance after the step
PENDING_BPMN_ERRORS = "_alur_pending_bpmn_errors"   # on the top workflow: some task holds BPMN_ERROR_KEY


def delegate_source(spec: Any) -> dict | None:
    """The delegate of a service, send or business-rule task (camunda:class / delegateExpression /
    expression, with resultVariable and fields; or a camunda:connector), or None."""
    cam = ext(spec).get("camunda", {})
    if ext(spec).get("connector"):
        return {"connector": ext(spec)["connector"], "io_mapped": bool(ext(spec).get("inputs") or
                                                                         ext(spec).get("outputs"))}
    if not any(cam.get(kind) for kind in ("class", "delegateExpression", "expression")):
        return None
    return {**{k: cam[k] for k in ("class", "delegateExpression", "expression", "resultVariable") if cam.get(k)},
            "fields": ext(spec).get("fields", [])}


def is_async(spec: Any) -> bool:
    cam = ext(spec).get("camunda", {})
    return any(str(cam.get(a, "")).strip().lower() == "true" for a in ("async", "asyncBefore"))


def run_delegated(my_task: Any, source: dict) -> Any:
    """Run a task's delegate. A BpmnError waits (STARTED) for the instance to route it to its catcher; a
    failure of an async task (camunda:async / asyncBefore) leaves it waiting as a failed job (an incident the
    host records and retries); a synchronous one fails the action, as in Camunda."""
    from .delegation import BpmnError
    from .delegation.invoke import run_delegate
    try:
        run_delegate(my_task, source)
    except BpmnError as exc:
        my_task.internal_data[BPMN_ERROR_KEY] = {"code": exc.error_code, "message": exc.message}
        setattr(_top(my_task.workflow), PENDING_BPMN_ERRORS, True)
        return None
    except IncidentError as exc:
        if not is_async(my_task.task_spec):
            raise
        my_task.internal_data[FAILED_KEY] = exc.problem
        return None
    my_task.internal_data.pop(FAILED_KEY, None)
    return True


class _DelegatedOrExternal:
    """A service or send task: runs its delegate when the model names one, else is an external task
    (camunda:type="external") waiting in STARTED until a worker completes it."""

    waits = True     # an external task; a delegated one does not wait (CamundaIoMixin asks delegate_source)

    def _run_hook(self, my_task: Any) -> Any:
        source = delegate_source(self)
        if source is not None:
            return run_delegated(my_task, source)
        my_task.internal_data.setdefault("alur_created", _engine(my_task).now().isoformat())
        return None


class AlurServiceTask(_DelegatedOrExternal, CamundaIoMixin, d.ServiceTask):
    pass


class AlurSendTask(_DelegatedOrExternal, CamundaIoMixin, d.ServiceTask):
    """A Camunda sendTask is implemented like a service task (delegate or external)."""


class AlurScriptTask(CamundaIoMixin, d.ScriptTask):
    def _execute(self, task: Any) -> bool:
        result_variable = camunda_attr(self, "resultVariable")
        script = ext(self).get("script") or {}
        fmt = script.get("format") or "feel"
        if fmt.lower() == "feel":
            _engine(task).run_feel_script(task, self.script, result_variable)
        else:       # JavaScript in the sandbox, JUEL; any other language is an incident naming it
            value = _engine(task).run_model_script(task, fmt, self.script or "", resource=script.get("resource"))
            if result_variable:
                task.data[result_variable] = value
        if result_variable:
            require_plain(task, {result_variable: task.data.get(result_variable)}, "script result")
        return True


class AlurBusinessRuleTask(CamundaIoMixin, BpmnSpecMixin):
    """Evaluates a DMN decision through the DecisionResolver; the table is never stored in state."""

    def _run_hook(self, my_task: Any) -> Any:
        source = delegate_source(self)
        if source is not None:
            return run_delegated(my_task, source)
        engine = _engine(my_task)
        cam = ext(self).get("camunda", {})
        key = engine.evaluate_literal_or_juel(my_task, cam.get("decisionRef"))
        binding = cam.get("decisionRefBinding") or "latest"
        version_text = engine.evaluate_literal_or_juel(my_task, cam.get("decisionRefVersion"))
        tenant = engine.tenant
        wanted = (cam.get("decisionRefTenantId") or "").strip()
        if wanted and wanted != tenant:
            # Only the instance's own tenant: shared decisions are the resolver's fallback anyway.
            raise _fail(my_task, f"camunda:decisionRefTenantId {wanted!r}: an instance of tenant "
                                 f"{tenant or '(none)'!r} cannot evaluate another tenant's decisions")
        resolver = engine.decisions
        if resolver is None:
            raise _fail(my_task, "no decision resolver is configured")
        try:
            version = int(version_text) if version_text not in (None, "") else None
            model = resolver(str(key), tenant, binding, version)
        except IncidentError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _fail(my_task, f"decision {key!r} cannot be resolved: {exc}") from None
        from service.engine.dmn import evaluate_decision, map_decision_result
        try:
            result = evaluate_decision(model, dict(my_task.data), limits=engine.limits)
            value = map_decision_result(result, cam.get("mapDecisionResult") or "resultList")
        except Exception as exc:  # noqa: BLE001 - DecisionError, LimitExceeded: an incident on this task
            text = str(exc)
            # DecisionError already names the decision; name it once.
            named = text if text.startswith(f"decision {key!r}") else f"decision {key!r}: {text}"
            raise _fail(my_task, named) from None
        result_variable = cam.get("resultVariable")
        if result_variable:
            my_task.data[result_variable] = value
        engine.emit("decision_evaluated", my_task, {
            "decision_key": model.key,
            "result": value,
            "matched_rules": [_rule_dict(r) for r in getattr(result, "matched_rules", [])],
            "inputs": list(getattr(result, "inputs", [])),
            "diagnostics": list(getattr(result, "diagnostics", [])),
        })
        return True


def _rule_dict(rule: Any) -> dict:
    if isinstance(rule, dict):
        return dict(rule)
    return {k: getattr(rule, k) for k in ("rule_id", "index", "annotation", "decision_key") if hasattr(rule, k)} \
        or {"rule": str(rule)}


# -- subprocesses ------------------------------------------------------------------------------------

class AlurSubWorkflowTask(CamundaIoMixin, d.SubWorkflowTask):
    def start_workflow(self, my_task: Any) -> None:
        self._apply_inputs(my_task)
        super().start_workflow(my_task)


CALL_KEY = "alur_call"     # internal_data of a call-activity task: the request, then the child's id
CALLER_BUSINESS_KEY = re.compile(r"[#$]\{\s*execution\s*\.\s*(processBusinessKey|getProcessBusinessKey\(\s*\))\s*\}")


class AlurCallActivity(CamundaIoMixin, BpmnSpecMixin):
    """A call activity waits (STARTED) while its called process runs as a separate instance (Camunda 7).

    When the token arrives, the request is evaluated once and kept on the task: the called key
    (`calledElement`, literal or expression), the binding attributes and the `camunda:in` variables and
    business key. The host reads it through `Instance.pending_calls()`, starts the child instance and
    says so with `call_started()`; `complete_call()` ends the wait with the child's variables
    (`camunda:out`)."""

    waits = True

    def _run_hook(self, my_task: Any) -> Any:
        if CALL_KEY not in my_task.internal_data:
            my_task.internal_data[CALL_KEY] = call_request(my_task)
        return None


def call_request(my_task: Any) -> dict:
    engine = _engine(my_task)
    spec = my_task.task_spec
    cam = ext(spec).get("camunda", {})
    key = engine.evaluate_literal_or_juel(my_task, ext(spec).get("called_element"))
    if key in (None, ""):
        raise _fail(my_task, f"calledElement {ext(spec).get('called_element')!r} evaluated to nothing")
    version = engine.evaluate_literal_or_juel(my_task, cam.get("calledElementVersion"))
    tag = engine.evaluate_literal_or_juel(my_task, cam.get("calledElementVersionTag"))
    binding = (cam.get("calledElementBinding") or "latest").strip() or "latest"
    if binding == "version" and not str(version or "").strip().isdigit():
        raise _fail(my_task, f"camunda:calledElementVersion {version!r} is not a version number")
    mappings = ext(spec).get("in", [])
    variables = require_plain(my_task, _map_variables(my_task, mappings, my_task.data, my_task), "camunda:in")
    business_key: str | None = None
    inherit = False       # camunda:in businessKey naming the caller's own key: known to its Instance
    for m in mappings:
        text = (m.get("businessKey") or "").strip()
        if CALLER_BUSINESS_KEY.fullmatch(text):
            business_key, inherit = None, True
        elif text:
            value = engine.evaluate_literal_or_juel(my_task, text)
            business_key, inherit = (None if value is None else str(value)), False
    return {"key": str(key), "binding": binding, "version": int(version) if binding == "version" else None,
            "version_tag": None if tag in (None, "") else str(tag),
            "tenant": _called_tenant(engine, my_task, cam.get("calledElementTenantId")),
            "variables": variables, "business_key": business_key, "inherit_business_key": inherit,
            "child": None, "failed": None}


def _called_tenant(engine: Any, my_task: Any, text: str | None) -> str | None:
    """camunda:calledElementTenantId, a literal or evaluated now (None or empty: the caller's tenant)."""
    value = engine.evaluate_literal_or_juel(my_task, text)
    return None if value is None or not str(value).strip() else str(value).strip()


def complete_call(my_task: Any, child_variables: dict) -> None:
    """`camunda:out` from the finished child's variables, then the call activity completes."""
    mappings = ext(my_task.task_spec).get("out", [])
    scope = _Scope(my_task, dict(child_variables))
    values = require_plain(my_task, _map_variables(scope, mappings, child_variables, my_task), "camunda:out")
    local = [m for m in mappings if str(m.get("local", "")).lower() == "true"]
    if local:
        # Local outputs live on the call activity only: visible to its output parameters, then dropped.
        names = set(_map_variables(scope, local, child_variables, my_task))
        my_task.internal_data[LOCALS_KEY] = sorted(set(my_task.internal_data.get(LOCALS_KEY, [])) | names)
    my_task.data.update(deepcopy(values))
    my_task.internal_data[CALL_KEY] = {**my_task.internal_data[CALL_KEY], "variables": {}}


def _map_variables(task: Any, mappings: list[dict], data: dict, call_task: Any) -> dict:
    """camunda:in / camunda:out: `variables="all"`, `source`, `sourceExpression` (evaluated in `task`'s
    scope: the caller for in, the child's variables for out); `local="true"` on in takes only the call
    activity's local variables."""
    engine = _engine(call_task)
    locals_ = set(call_task.internal_data.get(LOCALS_KEY) or ())
    values: dict[str, Any] = {}
    for m in mappings:
        local = str(m.get("local", "")).lower() == "true" and data is call_task.data
        visible = {k: v for k, v in data.items() if k not in ("data_objects", "__alur_v")
                   and (not local or k in locals_)}
        if m.get("variables") == "all":
            values.update(deepcopy(visible))
        elif m.get("source"):
            if m["source"] in visible:
                values[m.get("target") or m["source"]] = deepcopy(visible[m["source"]])
        elif m.get("sourceExpression"):
            values[m["target"]] = engine.evaluate_value(task, m["sourceExpression"])
    return values


# -- multi-instance (Camunda semantics) -----------------------------------------------------------

class CamundaMultiInstanceMixin:
    """camunda:collection / elementVariable, loopCardinality and completionCondition as expressions.

    Each instance gets ``elementVariable`` and ``loopCounter`` as local variables; whatever else an
    instance writes is merged into the parent scope (last writer wins), as in Camunda 7.
    """

    # Provided by SpiffWorkflow's multi-instance specs (task_spec, _instances) and by each subclass.
    task_spec: str
    _instances: Callable[[Any], Iterator[Any]]
    merge_child: Callable[[Any, Any], None]

    def _mi(self) -> dict:
        return ext(self).get("mi", {})

    def _items(self, my_task: Any) -> list:
        mi = self._mi()
        engine = _engine(my_task)
        if mi.get("collection"):
            value = engine.evaluate_value(my_task, mi["collection"])
            if value is None:
                raise _fail(my_task, f"multi-instance collection {mi['collection']!r} is null")
            if isinstance(value, dict):
                value = list(value.values())
            if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
                raise _fail(my_task, f"multi-instance collection {mi['collection']!r} is not a list")
            items = list(value)
            limit = engine.budget.max_multi_instance
            if len(items) > limit:
                raise _fail(my_task, f"multi-instance collection {mi['collection']!r} has {len(items)} items; "
                                     f"at most {limit} instances are allowed "
                                     f"({engine.budget.setting('max_multi_instance')})")
            return items
        value = engine.evaluate_value(my_task, mi["cardinality"])
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__int__"):
            raise _fail(my_task, f"loopCardinality {mi['cardinality']!r} is not a number")
        count = int(value)
        limit = min(engine.budget.max_multi_instance, engine.limits.max_collection)
        if count < 0 or count > limit:
            raise _fail(my_task, f"loopCardinality {count} is out of range (0 to {limit}; "
                                 f"{engine.budget.setting('max_multi_instance')})")
        return list(range(count))

    def _locals(self) -> list[str]:
        mi = self._mi()
        return [n for n in (mi.get("elementVariable"), "loopCounter") if n]

    def _new_child(self, my_task: Any, index: int, item: Any) -> None:
        task_spec = my_task.workflow.spec.task_specs[self.task_spec]
        if not task_spec.completed_event.is_connected(self.merge_child):
            task_spec.completed_event.connect(self.merge_child)
        child = spiff.add_child(my_task, task_spec, TaskState.WAITING)
        child.triggered = True
        child.internal_data["key_or_index"] = index
        element_var = self._mi().get("elementVariable")
        if element_var:
            child.data[element_var] = deepcopy(item)
        child.data["loopCounter"] = index
        spiff.refresh(child)

    def _counters(self, my_task: Any) -> dict:
        instances = list(self._instances(my_task))
        completed = len(my_task.internal_data.get("merged", []))
        active = sum(1 for c in instances if not c.has_state(TaskState.FINISHED_MASK))
        return {"nrOfInstances": my_task.internal_data.get("alur_total", len(instances)),
                "nrOfActiveInstances": active, "nrOfCompletedInstances": completed}

    def _merge(self, my_task: Any, child: Any) -> bool:
        """Merge a finished instance; True when the completion condition holds."""
        data = {k: v for k, v in child.data.items() if k not in self._locals()}
        DeepMerge.merge(my_task.data, data)
        my_task.internal_data["merged"].append(str(child.id))
        condition = self._mi().get("condition")
        if condition:
            extra = self._counters(my_task)
            ctx = dict(child.data)
            return _engine(my_task).evaluate(_Scope(child, {**extra, **ctx}), condition)
        return False


class _Scope:
    """A stand-in task whose data is a computed scope (for MI completion conditions)."""

    def __init__(self, task: Any, data: dict) -> None:
        self._task = task
        self.data = data
        self.task_spec = task.task_spec
        self.workflow = task.workflow
        self.id = task.id

    def __getattr__(self, name: str) -> Any:
        return getattr(self._task, name)


class AlurParallelMultiInstance(CamundaMultiInstanceMixin, d.ParallelMultiInstanceTask):
    def create_children(self, my_task: Any) -> None:
        items = self._items(my_task)
        count_children(my_task, len(items))
        my_task.internal_data["alur_total"] = len(items)
        for index, item in enumerate(items):
            self._new_child(my_task, index, item)

    def merge_child(self, workflow: Any, child: Any) -> None:
        my_task = child.parent
        if self._merge(my_task, child):
            for other in self._instances(my_task):
                if not other.has_state(TaskState.FINISHED_MASK):
                    other.cancel()
            spiff.set_state(my_task, TaskState.READY)
        elif self.children_complete(my_task):
            spiff.set_state(my_task, TaskState.READY)

    def children_complete(self, my_task: Any) -> bool:
        return all(c.state == TaskState.COMPLETED for c in self._instances(my_task))


class AlurSequentialMultiInstance(CamundaMultiInstanceMixin, d.SequentialMultiInstanceTask):
    def _update_hook(self, my_task: Any) -> Any:
        BpmnSpecMixin._update_hook(self, my_task)
        my_task.internal_data["merged"] = []
        items = self._items(my_task)
        my_task.internal_data["alur_total"] = len(items)
        my_task.internal_data["alur_items"] = items
        if not items:
            return True
        count_children(my_task, 1)
        self._new_child(my_task, 0, items[0])
        spiff.set_state(my_task, TaskState.STARTED)
        return None

    def merge_child(self, workflow: Any, child: Any) -> None:
        my_task = child.parent
        done = self._merge(my_task, child)
        items = my_task.internal_data.get("alur_items", [])
        index = len(my_task.internal_data["merged"])
        if done or index >= len(items):
            my_task.internal_data.pop("alur_items", None)
            spiff.set_state(my_task, TaskState.READY)
        else:
            count_children(my_task, 1)
            self._new_child(my_task, index, items[index])


# -- timers driven by the engine clock -----------------------------------------------------------

class _ClockTimerMixin:
    kind = "date"
    expression: str    # SpiffWorkflow's timer event definition, which both users of this mixin extend

    def has_fired(self, my_task: Any) -> bool:
        engine = _engine(my_task)
        due = my_task.internal_data.get("event_value")
        if due is None:
            value = engine.evaluate_literal_or_juel(my_task, self.expression)
            try:
                due = timers.due_from_value(self.kind, value, engine.now()).isoformat()
            except timers.TimerSyntaxError as exc:
                raise _fail(my_task, str(exc)) from None
            my_task.internal_data["event_value"] = due
        if datetime.fromisoformat(due) <= engine.now() and in_timer_run(my_task.workflow):
            my_task.internal_data["event_fired"] = True
        return my_task.internal_data.get("event_fired", False)


class AlurTimeDateEventDefinition(_ClockTimerMixin, TimeDateEventDefinition):
    kind = "date"


class AlurDurationTimerEventDefinition(_ClockTimerMixin, DurationTimerEventDefinition):
    kind = "duration"


class AlurCycleTimerEventDefinition(CycleTimerEventDefinition):
    def cycle_complete(self, my_task: Any) -> bool:
        engine = _engine(my_task)
        now = engine.now()
        event_value = my_task.internal_data.get("event_value")
        try:
            if event_value is None:
                text = engine.evaluate_literal_or_juel(my_task, self.expression)
                cycle = timers.parse_cycle(str(text))
                if text != self.expression:   # an expression's value: the deploy check could not see it
                    timers.check_period(cycle, str(text), engine.budget.min_cycle_seconds, now)
                first = cycle.first(now)
                cycles = 0 if cycle.after_end(first) else cycle.repetitions
                event_value = {"cycles": cycles, "next": first.isoformat(), "text": str(text)}
            else:
                cycle = timers.parse_cycle(event_value["text"])
            ready = False
            if event_value["cycles"] != 0:
                next_event = datetime.fromisoformat(event_value["next"])
                fired = fired_this_action(my_task.workflow)
                if next_event <= now and my_task.id not in fired:
                    fired.add(my_task.id)
                    # Occurrences missed while nobody fired timers fire once (as in Camunda).
                    following = cycle.next_after(next_event, now)
                    event_value["next"] = following.isoformat()
                    if cycle.after_end(following):
                        event_value["cycles"] = 1   # this firing is the last one
                    if event_value["cycles"] > 0:
                        event_value["cycles"] -= 1
                    ready = True
        except timers.TimerSyntaxError as exc:
            raise _fail(my_task, str(exc)) from None
        if event_value["cycles"] == 0 and not ready:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
            return False
        if ready:
            # Each firing of a cycle is one activity instance of the event (the task itself waits on).
            engine.emit("activity_started", my_task, {"due": next_event.isoformat()})
            engine.emit("activity_ended", my_task, {"due": next_event.isoformat()})
        my_task.internal_data["event_value"] = event_value
        return ready


# -- events that run execution listeners ---------------------------------------------------------------

class AlurStartEvent(ListeningMixin, d.StartEvent):
    pass


class AlurEndEvent(ListeningMixin, d.EndEvent):
    pass


class AlurIntermediateCatchEvent(ListeningMixin, d.IntermediateCatchEvent):
    pass


class AlurIntermediateThrowEvent(ListeningMixin, d.IntermediateThrowEvent):
    pass


class AlurReceiveTask(ListeningMixin, d.ReceiveTask):
    pass


class AlurExclusiveGateway(ListeningMixin, d.ExclusiveGateway):
    pass


class AlurEventBasedGateway(ListeningMixin, d.EventBasedGateway):
    pass


class AlurBoundaryEvent(ListeningMixin, d.BoundaryEvent):
    """A non-interrupting boundary event stays armed while its activity runs, as in Camunda 7: each
    message, signal, escalation or condition caught starts its path and a new waiting event takes its
    place (event subprocesses with a non-interrupting start become such events: event_subprocesses.py).
    SpiffWorkflow catches once. Timers are left alone: a cycle repeats by itself, a date fires once."""

    def catch(self, my_task: Any, event: Any) -> None:
        super().catch(my_task, event)
        main = _attached_task(my_task)
        if main is not None and not self.cancel_activity \
                and not isinstance(self.event_definition, TimerEventDefinition):
            spiff.add_waiting_event(my_task.parent, self)

    def _run_hook(self, my_task: Any) -> Any:
        main = _attached_task(my_task)
        if main is not None and main.task_spec.name.endswith(event_subprocesses.SCOPE_SUFFIX):
            # An event subprocess sees the scope's variables as they are now (Camunda's variables live in
            # the scope), not the copy its wrapper took when the scope began.
            my_task.data.update(_body_variables(main))
            if self.cancel_activity:
                _cancel_event_subprocesses(my_task.parent)
        return super()._run_hook(my_task)


def _body_variables(main: Any) -> dict:
    """The variables of an embedded subprocess's body now: its live tasks' data (and that of the subprocesses
    nested in it), the most recently activated winning, task-local input parameters left out."""
    top = _top(main.workflow)
    body = top.subprocesses.get(main.id)
    if body is None:
        return {}

    def inside(workflow: Any) -> bool:
        while workflow is not None:
            if workflow is body:
                return True
            workflow = workflow.parent_workflow
        return False

    live = [t for w in top.subprocesses.values() if inside(w) for t in w.tasks.values() if _is_token(t)]
    merged: dict = {}
    for task in sorted(live, key=lambda t: t.last_state_change):
        local = set(task.internal_data.get(LOCALS_KEY) or ())
        merged.update({k: v for k, v in task.data.items() if k not in local})
    return merged


def _attached_task(boundary: Any) -> Any:
    """The still running activity a boundary event task is attached to, or None."""
    split = boundary.parent
    if split is None:
        return None
    main = next((c for c in split.children if not isinstance(c.task_spec, d.BoundaryEvent)), None)
    return None if main is None or main.has_state(TaskState.FINISHED_MASK) else main


def _cancel_event_subprocesses(split: Any) -> None:
    """An interrupting event subprocess cancels everything else in its scope, the non-interrupting event
    subprocesses still running included (those are the paths of the scope wrapper's fired non-interrupting
    boundary events: event_subprocesses.py)."""
    for boundary in split.children:
        spec = boundary.task_spec
        if isinstance(spec, d.BoundaryEvent) and not spec.cancel_activity and boundary.state == TaskState.COMPLETED:
            for handler in boundary.children:
                if isinstance(handler.task_spec, d.SubWorkflowTask) and not handler.has_state(TaskState.FINISHED_MASK):
                    handler.cancel()


EVENT_CLASSES = (AlurStartEvent, AlurEndEvent, AlurIntermediateCatchEvent, AlurIntermediateThrowEvent,
                 AlurBoundaryEvent, AlurReceiveTask, AlurEventBasedGateway)


ALUR_SPEC_CLASSES = (
    AlurNoneTask, AlurManualTask, AlurUserTask, AlurServiceTask, AlurSendTask, AlurScriptTask,
    AlurBusinessRuleTask, AlurSubWorkflowTask, AlurCallActivity, AlurParallelMultiInstance,
    AlurSequentialMultiInstance, AlurBoundaryEvent,
)
TIMER_CLASSES = (AlurTimeDateEventDefinition, AlurDurationTimerEventDefinition, AlurCycleTimerEventDefinition)
