"""camunda:expression on delegates and listeners: JUEL whose method calls reach the execution/task facade and
the registered beans (`${archiveService.archive(execution)}`), nothing else; never Python eval."""
from __future__ import annotations

import inspect
import re
from typing import Any

from service.expr import ExpressionError
from service.expr.juel import compile_with_hosts

from ..errors import EngineError, IncidentError
from ..workflow import HIDDEN_KEYS
from .errors import BpmnError
from .facade import DelegateTask
from .invoke import fail

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _hosts(task: Any, text: str, facade: Any) -> dict[str, Any]:
    registry = getattr(task.workflow.script_engine, "delegates", None)
    hosts: dict[str, Any] = {}
    if registry is not None:
        for word in set(_WORD.findall(text)):
            bean = registry.get(word)
            if bean is not None:
                hosts[word] = bean() if inspect.isclass(bean) else bean
    if isinstance(facade, DelegateTask):
        hosts["task"] = facade
        hosts["execution"] = facade.getExecution()
    else:
        hosts["execution"] = facade
    return hosts


def check_expression(text: str) -> None:
    """Deploy time: the expression parses (ExpressionError otherwise)."""
    compile_with_hosts(text)


def evaluate_with_beans(task: Any, text: str, facade: Any, *, where: str) -> Any:
    engine = task.workflow.script_engine
    variables = {k: v for k, v in task.data.items() if k not in HIDDEN_KEYS}
    try:
        return compile_with_hosts(text).evaluate(variables, now=engine.now(), limits=engine.limits,
                                                 hosts=_hosts(task, text, facade))
    except (BpmnError, IncidentError):
        raise
    except ExpressionError as exc:
        raise fail(task, f"{where} expression {text.strip()!r}: {exc.message}") from None
    except EngineError as exc:
        raise fail(task, f"{where} expression {text.strip()!r}: {exc.message}") from None
    except Exception as exc:  # noqa: BLE001 - a bean method's own failure
        raise fail(task, f"{where} expression {text.strip()!r} failed: {type(exc).__name__}: {exc}") from exc


__all__ = ["evaluate_with_beans", "check_expression"]
