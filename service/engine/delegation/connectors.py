"""camunda:connector as a registered handler (Camunda 7's Connect API, without its HTTP/SOAP clients).

The handler registered under the connector's `connectorId` receives the connector's input parameters as a
dict and returns its response values (a mapping, or None); the connector's output parameters are evaluated
with those values visible (over the instance's variables, as Camunda's connector variable scope) and become
variables of the task, local to it when the task has its own camunda:inputOutput. Alur ships no connector:
a model cannot reach the network unless an operator installs a handler that does.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import EngineError, IncidentError
from .errors import BpmnError
from .invoke import _call, fail


def run_connector(task: Any, source: dict) -> Any:
    from ..specs import LOCALS_KEY, evaluate_parameter, require_plain

    connector = source["connector"]
    name = str(connector.get("id") or "").strip()
    registry = getattr(task.workflow.script_engine, "delegates", None)
    handler = registry.get(name) if registry is not None and name else None
    if handler is None:
        raise fail(task, f"camunda:connector '{name}' is not registered: install the plugin that provides it or "
                         "add it through ALUR_DELEGATE_MODULES, then retry")
    inputs = require_plain(task, {p["name"]: evaluate_parameter(task, p) for p in connector.get("inputs", ())},
                           f"connector '{name}' input parameter")
    try:
        response = _call(handler, "execute", dict(inputs), {})
    except (BpmnError, IncidentError):
        raise
    except EngineError as exc:
        raise fail(task, f"connector '{name}': {exc.message}") from None
    except Exception as exc:  # noqa: BLE001 - the handler's own failure, named with element and connector
        raise fail(task, f"connector '{name}' failed: {type(exc).__name__}: {exc}") from exc
    if response is None:
        response = {}
    if not isinstance(response, Mapping) or not all(isinstance(k, str) for k in response):
        raise fail(task, f"connector '{name}' returned {type(response).__name__}; it must return a mapping of "
                         "variable names to values (or None)")
    outputs = _evaluate_outputs(task, connector.get("outputs", ()), dict(response), evaluate_parameter)
    values = require_plain(task, outputs, f"connector '{name}' output parameter")
    task.data.update(values)
    if source.get("io_mapped"):      # the task's own io mapping makes its variables local, as in Camunda
        locals_ = task.internal_data.setdefault(LOCALS_KEY, [])
        locals_.extend(n for n in values if n not in locals_)
    return values


def _evaluate_outputs(task: Any, outputs: Any, response: dict, evaluate: Any) -> dict:
    """Evaluate the output parameters with the response values laid over the instance's variables, then put
    back what they hid: a response value is not a variable unless an output parameter makes it one."""
    hidden = {k: task.data[k] for k in response if k in task.data}
    task.data.update(response)
    try:
        return {p["name"]: evaluate(task, p) for p in outputs}
    finally:
        for key in response:
            if key in hidden:
                task.data[key] = hidden[key]
            else:
                task.data.pop(key, None)
