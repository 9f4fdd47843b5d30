"""Method calls on registered beans in attributes read as text-or-expression (camunda:assignee,
candidateUsers, dueDate, input parameters ...): `#{jobAnnouncementService.findRequester(id)}`.

Camunda resolves the bean when the attribute is evaluated. Here such an expression deploys (the deploy
response warns about a bean nobody registered) and runs with the registered beans as hosts; a bean not
registered when it is reached is an incident naming it. Method calls that can never be allowed
(reflection, `getClass`, `new`) stay refused at deploy by the JUEL parser, hosts or not.
"""
from __future__ import annotations

import re
from typing import Any

from service.expr import ExpressionError
from service.expr.juel import compile_with_hosts

from ..expressions import compile_text, is_juel
from .invoke import fail

_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*[A-Za-z_][A-Za-z0-9_]*\s*\(")
_FACADES = ("execution", "task")


def needs_beans(text: str | None) -> bool:
    """A ${...} text that compiles only with host objects (method calls outside the plain allow-list)."""
    if text is None or not is_juel(text):
        return False
    try:
        compile_text(text)
        return False
    except ExpressionError:
        pass
    try:
        compile_with_hosts(text)
    except ExpressionError:
        return False
    return True


def bean_names(text: str) -> list[str]:
    """The names whose methods the expression calls (beans to register), execution/task excepted."""
    return list(dict.fromkeys(n for n in _CALL.findall(text) if n not in _FACADES))


def evaluate_bean_text(task: Any, text: str) -> Any:
    """Evaluate an attribute calling bean methods; an unregistered bean is an incident naming it."""
    from .expressions import evaluate_with_beans
    from .facade import DelegateExecution

    registry = getattr(task.workflow.script_engine, "delegates", None)
    for name in bean_names(text):
        if registry is None or name not in registry:
            raise fail(task, f"bean '{name}' in {text.strip()!r} is not registered: install the plugin that "
                             "provides it or add it through ALUR_DELEGATE_MODULES, then retry")
    return evaluate_with_beans(task, text, DelegateExecution(task), where="attribute")


__all__ = ["needs_beans", "bean_names", "evaluate_bean_text"]
