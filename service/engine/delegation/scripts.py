"""camunda:script children of listeners: JUEL here, JavaScript through the sandbox of
`service.engine.scripting.run_script(format, source, *, facade, resource=None)`; every other format is an
incident naming it (Groovy, Python and the rest never run)."""
from __future__ import annotations

import importlib
from typing import Any

from .invoke import fail

JAVASCRIPT = frozenset({"javascript", "js", "ecmascript"})


def run_listener_script(task: Any, script: dict, facade: Any, *, where: str) -> Any:
    fmt = str(script.get("format") or "").strip().lower()
    text = script.get("text") or ""
    if fmt == "juel":
        from .expressions import evaluate_with_beans
        return evaluate_with_beans(task, text, facade, where=where)
    if fmt in JAVASCRIPT:
        try:
            scripting = importlib.import_module("service.engine.scripting")
        except ImportError:
            raise fail(task, f"{where}: scriptFormat '{script.get('format')}' cannot run: the JavaScript sandbox "
                             "is not installed in this build") from None
        try:
            return scripting.run_script(fmt, text, facade=facade, resource=script.get("resource"))
        except Exception as exc:  # noqa: BLE001 - the sandbox names what failed; add element and listener
            from ..errors import IncidentError
            from .errors import BpmnError
            if isinstance(exc, (BpmnError, IncidentError)):
                raise
            raise fail(task, f"{where}: {script.get('format')} script failed: {exc}") from exc
    raise fail(task, f"{where}: scriptFormat '{script.get('format')}' is not supported (JUEL and JavaScript run; "
                     "Groovy, Python and other languages never do)")


__all__ = ["run_listener_script", "JAVASCRIPT"]
