"""Running a handler for an element: resolve what the model names, call it with the facade, name failures.

A *source* is what the model wrote on a task or listener, as the parser keeps it in `spec.extensions`:
{"class": name} | {"delegateExpression": "${bean}"} | {"expression": "${bean.method(execution)}"} |
{"script": {"format", "text", "resource"}}, with `fields` ([{"name", "string" | "expression"}]).
"""
from __future__ import annotations

import inspect
import re
from typing import Any

from ..errors import EngineError, IncidentError
from .errors import BpmnError
from .facade import DelegateExecution, DelegateTask

SOURCE_KINDS = ("class", "delegateExpression", "expression")
_BEAN = re.compile(r"^\s*[$#]\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\s*$")


def bean_name(expression: str) -> str | None:
    """The bean a delegateExpression names (`${archiveService}`), or None for anything more complex."""
    match = _BEAN.match(expression or "")
    return match.group(1) if match else None


def handler_name(source: dict) -> str | None:
    """The registered name a source needs (None for expressions and scripts)."""
    if source.get("class"):
        return str(source["class"]).strip()
    if source.get("connector"):
        return str(source["connector"].get("id") or "").strip() or None
    if source.get("delegateExpression"):
        return bean_name(source["delegateExpression"])
    return None


def describe(source: dict) -> str:
    if source.get("connector"):
        return f"camunda:connector \"{source['connector'].get('id')}\""
    for kind in SOURCE_KINDS:
        if source.get(kind):
            return f"camunda:{kind}=\"{source[kind]}\""
    script = source.get("script") or {}
    return f"camunda:script ({script.get('format')})"


def _element(task: Any) -> tuple[str, str | None]:
    spec = task.task_spec
    return str(getattr(spec, "bpmn_id", None) or spec.name), getattr(spec, "bpmn_name", None)


def fail(task: Any, message: str) -> IncidentError:
    element, name = _element(task)
    return IncidentError(f"{element}: {message}", element_id=element, element_name=name)


class FieldExpression:
    """A camunda:field given as an expression: the handler evaluates it against an execution, as Camunda's
    injected `Expression.getValue(variableScope)`."""

    def __init__(self, text: str, task: Any) -> None:
        self.text = text
        self._task = task

    def getValue(self, scope: Any = None) -> Any:
        engine = self._task.workflow.script_engine
        return engine.evaluate_literal_or_juel(self._task, self.text)

    get_value = getValue
    getExpressionText = lambda self: self.text    # noqa: E731 - Camunda's name
    expression_text = property(lambda self: self.text)


def _fields(task: Any, source: dict) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in source.get("fields") or ():
        if "expression" in field:
            values[field["name"]] = FieldExpression(field["expression"], task)
        else:
            values[field["name"]] = field.get("string")
    return values


def _call(target: Any, method: str, facade: Any, fields: dict[str, Any]) -> Any:
    """Call a handler: a class is instantiated (Camunda makes one delegate instance per camunda:class use),
    fields are injected as attributes of an object or keyword arguments of a function."""
    if inspect.isclass(target):
        target = target()
    bound = getattr(target, method, None)
    if bound is not None and callable(bound):
        for name, value in fields.items():
            setattr(target, name, value)
        return bound(facade)
    if callable(target):
        return target(facade, **fields)
    raise TypeError(f"the handler has no {method}() and is not callable")


def invoke(task: Any, source: dict, facade: Any, *, method: str, where: str) -> Any:
    """Run one source with `facade`; a BpmnError passes through, every other failure is an incident naming
    the element and the handler."""
    engine = task.workflow.script_engine
    if source.get("expression"):
        from .expressions import evaluate_with_beans
        return evaluate_with_beans(task, source["expression"], facade, where=where)
    if source.get("script"):
        from .scripts import run_listener_script
        return run_listener_script(task, source["script"], facade, where=where)
    name = handler_name(source)
    shown = describe(source)
    if name is None:
        raise fail(task, f"{where} {shown}: only ${{beanName}} is supported as a delegateExpression")
    registry = getattr(engine, "delegates", None)
    handler = registry.get(name) if registry is not None else None
    if handler is None:
        raise fail(task, f"{where} handler '{name}' ({shown}) is not registered: install the plugin that provides "
                         "it or add it through ALUR_DELEGATE_MODULES, then retry")
    try:
        return _call(handler, method, facade, _fields(task, source))
    except (BpmnError, IncidentError):
        raise
    except EngineError as exc:
        raise fail(task, f"{where} handler '{name}': {exc.message}") from None
    except Exception as exc:  # noqa: BLE001 - the handler's own failure, named with element and handler
        raise fail(task, f"{where} handler '{name}' failed: {type(exc).__name__}: {exc}") from exc


def run_delegate(task: Any, source: dict) -> Any:
    """A service, send or business-rule task's delegate (Camunda's JavaDelegate.execute)."""
    if source.get("connector"):
        from .connectors import run_connector
        return run_connector(task, source)
    execution = DelegateExecution(task)
    result = invoke(task, source, execution, method="execute", where="delegate")
    variable = source.get("resultVariable")
    if variable and source.get("expression"):
        execution.setVariable(variable, result)
    return result


def run_execution_listeners(task: Any, listeners: list[dict], event: str, *, activity_id: str | None = None,
                            activity_name: str | None = None) -> None:
    for listener in listeners:
        if listener.get("event") == event:
            execution = DelegateExecution(task, event_name=event, activity_id=activity_id,
                                          activity_name=activity_name)
            invoke(task, listener, execution, method="notify", where=f"execution listener ({event})")


def run_task_listeners(task: Any, listeners: list[dict], event: str, record: dict) -> set[str]:
    """Task listeners of `event` on a user task whose attributes are `record`; returns what they changed."""
    changed: set[str] = set()
    for listener in listeners:
        if listener.get("event") == event:
            delegate_task = DelegateTask(task, record, event_name=event)
            invoke(task, listener, delegate_task, method="notify", where=f"task listener ({event})")
            changed |= delegate_task.changed
    return changed


__all__ = ["run_delegate", "run_execution_listeners", "run_task_listeners", "invoke", "handler_name", "bean_name",
           "describe", "FieldExpression", "SOURCE_KINDS"]
