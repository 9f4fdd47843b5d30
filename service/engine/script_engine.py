"""The script engine SpiffWorkflow calls for every expression: FEEL or JUEL, never Python eval/exec.

SpiffWorkflow reaches expressions through three doors, all overridden here:
- ``evaluate(task, text, external_context)``: in 3.2.0 only boolean contexts call it (gateway
  conditions, conditional events, standard-loop conditions), so it returns a strict boolean.
- ``environment.evaluate(text, context)``: correlation retrieval expressions and ad-hoc completion
  conditions; returns the value.
- ``execute(task, script)``: Python script tasks. Refused: Alur script tasks are FEEL and run
  through ``run_feel_script`` from our own script task spec.
Our own task specs (timers, multi-instance, mappings, user task attributes) call ``evaluate_value``.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Mapping

from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition

from service.expr import ExpressionError, Limits
from service.expr.errors import UnresolvedIdentifier

from .budget import DEFAULT_BUDGET, Budget
from .clock import Clock, SystemClock
from .errors import IncidentError
from .expressions import as_condition, compile_text, is_juel
from .scripting.resources import script_condition

if TYPE_CHECKING:
    from .runtime import DecisionResolver
    from .workdays import WorkCalendar


class ScriptRefused(Exception):
    """Python code was about to run; Alur never runs model text as Python."""


class AlurEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, engine: "AlurScriptEngine") -> None:
        super().__init__({})
        self._engine = engine

    def evaluate(self, expression: str, context: Mapping[str, Any], external_context: Mapping | None = None) -> Any:
        variables = dict(external_context or {})
        variables.update(context)
        return compile_text(expression).evaluate(variables, now=self._engine.now(), limits=self._engine.limits)

    def execute(self, script: str, context: Any, external_context: Any = None) -> Any:
        raise ScriptRefused("Python scripts are not allowed; use scriptFormat=\"feel\"")

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise ScriptRefused("service calls from the engine are not allowed; use camunda:type=\"external\"")


class AlurScriptEngine(PythonScriptEngine):
    """One per instance: carries the clock, limits, and the hooks of the running instance."""

    def __init__(self, *, clock: Clock | None = None, limits: Limits | None = None,
                 decisions: DecisionResolver | None = None, tenant: str | None = None,
                 on_event: Callable[[str, Any, dict], None] | None = None,
                 calendar: WorkCalendar | None = None, budget: Budget = DEFAULT_BUDGET) -> None:
        super().__init__(environment=None)
        self.environment = AlurEnvironment(self)
        self.clock = clock or SystemClock()
        self.limits = limits or Limits()
        self.budget = budget
        self.decisions = decisions
        self.tenant = tenant
        self.calendar = calendar
        self.on_event = on_event
        # Who the instance is (ids, business key): what handlers ask through the execution facade.
        self.identity: Any = None
        self.delegates: Any = None      # the DelegateRegistry handlers resolve in (None: nothing registered)

    # -- time ---------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    # -- SpiffWorkflow entry points -----------------------------------------------------------
    def validate(self, expression: str) -> None:
        compile_text(expression)

    def evaluate(self, task: Any, expression: str, external_context: Mapping | None = None) -> bool:
        if isinstance(getattr(task.task_spec, "event_definition", None), ConditionalEventDefinition):
            return self._conditional_event(task, expression, external_context)
        value = self.evaluate_value(task, expression, external_context)
        try:
            return as_condition(value, expression)
        except ExpressionError as exc:
            raise self._task_error(task, expression, exc) from None

    def execute(self, task: Any, script: str, external_context: Mapping | None = None) -> Any:
        raise self._task_error(task, script, ScriptRefused(
            "Python scripts are not allowed; use scriptFormat=\"feel\""))

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise self._task_error(task, "", ScriptRefused("service calls are not allowed; use camunda:type=\"external\""))

    def _conditional_event(self, task: Any, expression: str, external_context: Mapping | None) -> bool:
        """Camunda's ConditionalEventDefinition.tryEvaluate: a name no variable holds yet makes the condition
        false (the event keeps waiting for it), and so does a null (FEEL's unknown name); other failures are
        incidents as for any condition. A script condition (language="javascript") answers for itself."""
        if script_condition(expression) is not None:
            value = self.evaluate_value(task, expression, external_context)
            try:
                return value is not None and as_condition(value, expression)
            except ExpressionError as exc:
                raise self._task_error(task, expression, exc) from None
        variables = dict(external_context or {})
        variables.update(task.data)
        try:
            value = compile_text(expression).evaluate(variables, now=self.now(), limits=self.limits)
        except UnresolvedIdentifier:
            return False
        except IncidentError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes an incident on the task
            raise self._task_error(task, expression, exc) from None
        if value is None:
            return False
        try:
            return as_condition(value, expression)
        except ExpressionError as exc:
            raise self._task_error(task, expression, exc) from None

    # -- Alur entry points --------------------------------------------------------------------
    def evaluate_value(self, task: Any, expression: str, extra: Mapping | None = None) -> Any:
        scripted = script_condition(expression)
        if scripted is not None:          # a condition in a script language (language="javascript")
            fmt, resource, source = scripted
            return self.run_model_script(task, fmt, source, resource=resource, extra=extra)
        variables: dict[str, Any] = {}
        if extra:
            variables.update(extra)
        variables.update(task.data)
        try:
            return compile_text(expression).evaluate(variables, now=self.now(), limits=self.limits)
        except IncidentError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes an incident on the task
            raise self._task_error(task, expression, exc) from None

    def evaluate_literal_or_juel(self, task: Any, text: str | None) -> Any:
        """Attributes Camunda reads as text unless they hold ${...}: assignee, timers, formKey..."""
        if text is None:
            return None
        if is_juel(text):
            from .delegation.bean_calls import evaluate_bean_text, needs_beans
            if needs_beans(text):
                return evaluate_bean_text(task, text)
            return self.evaluate_value(task, text)
        return text.strip()

    def run_model_script(self, task: Any, script_format: str, source: str, *, resource: str | None = None,
                         extra: Mapping | None = None) -> Any:
        """A model's script (any format; JavaScript in the sandbox) with `execution` bound to this task;
        its value, or an IncidentError naming the element."""
        from .delegation.facade import DelegateExecution
        from .scripting import ScriptError, run_script

        facade = DelegateExecution(task)
        variables = {**dict(extra or {}), **facade.getVariables()}
        try:
            return run_script(script_format, source, facade=facade, variables=variables, resource=resource,
                              now=self.now())
        except ScriptError as exc:
            raise self._task_error(task, source, exc) from None

    def run_feel_script(self, task: Any, script: str, result_variable: str | None) -> None:
        value = self.evaluate_value(task, script)
        if result_variable:
            task.data[result_variable] = value

    def emit(self, kind: str, task: Any, data: dict) -> None:
        if self.on_event is not None:
            self.on_event(kind, task, data)

    def _task_error(self, task: Any, text: str, exc: BaseException) -> IncidentError:
        spec = task.task_spec
        element = getattr(spec, "bpmn_id", None) or spec.name
        message = exc.message if isinstance(exc, ExpressionError) else str(exc)
        if script_condition(text) is not None:
            message = f"script condition: {message}"
        return IncidentError(f"{element}: {message}", element_id=element, element_name=getattr(spec, "bpmn_name", None))


__all__ = ["AlurScriptEngine", "AlurEnvironment", "ScriptRefused"]
