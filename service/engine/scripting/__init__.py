"""Every script in a model runs through `run_script` (script tasks, conditions, input/output parameters,
listeners); `check_script` compiles one at deploy.

Formats (case-insensitive, Camunda's names): `javascript`, `js`, `ecmascript` run in the V8 sandbox
(`sandbox.py`, `js_worker.py`, `harness.js`; values and facade calls cross as JSON, `boundary.py`);
`feel` and `juel` go through Alur's own evaluators; every other format (`groovy`, `python`, `jython`,
`ruby`, ...) deploys, as in Camunda, and fails with a `ScriptError` naming it when reached. Python is never
evaluated. Bounds: ALUR_SCRIPT_TIMEOUT_MS, ALUR_SCRIPT_MEMORY_MB (set by `configure`), the source size
(sandbox.MAX_SOURCE_CHARS) and the size of what crosses (`SandboxLimits.max_bytes`). docs/SCRIPTS.md.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from datetime import datetime, timezone
from typing import Any

from ..errors import EngineError
from . import sandbox
from .boundary import BoundaryError, from_json, harness_input, replay
from .sandbox import SandboxError, SandboxLimits

JAVASCRIPT = frozenset({"javascript", "js", "ecmascript"})
EXPRESSIONS = frozenset({"feel", "juel"})
DEPLOYMENT_PREFIX = "deployment://"


class ScriptError(Exception):
    """A script that cannot run or failed; `kind`: unsupported, syntax, error, result, timeout, memory,
    unavailable. The message names the problem but not the element (the caller adds it)."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        self.message = message
        super().__init__(message)


_limits = SandboxLimits()


def configure(*, timeout_ms: int | None = None, memory_mb: int | None = None, max_bytes: int | None = None) -> None:
    """Set the sandbox's bounds for this process (create_app, from Config)."""
    global _limits
    changes = {k: v for k, v in (("timeout_ms", timeout_ms), ("memory_mb", memory_mb), ("max_bytes", max_bytes))
               if v is not None}
    _limits = replace(_limits, **changes)


def limits() -> SandboxLimits:
    return _limits


def language_of(script_format: str | None) -> str:
    """'javascript', 'feel' or 'juel'; ScriptError(kind='unsupported') naming any other format."""
    fmt = (script_format or "").strip().lower()
    if fmt in JAVASCRIPT:
        return "javascript"
    if fmt in EXPRESSIONS:
        return fmt
    raise ScriptError("unsupported", f"script format '{(script_format or '').strip()}' is not supported "
                                     "(JavaScript, FEEL and JUEL run; Groovy, Python and other languages never do)")


def is_supported(script_format: str | None) -> bool:
    try:
        language_of(script_format)
    except ScriptError:
        return False
    return True


def check_script(script_format: str | None, source: str | None) -> None:
    """Compile a script of a supported format without running it (deploy); ScriptError(kind='syntax').
    Unsupported formats are not checked here: they deploy and fail when reached."""
    language = language_of(script_format)
    if source is None or not source.strip():
        raise ScriptError("syntax", "the script is empty")
    if language == "javascript":
        _check_javascript(source)
        return
    from service.expr import ExpressionError

    from ..expressions import compile_text
    try:
        compile_text(source)
    except ExpressionError as exc:
        raise ScriptError("syntax", exc.message) from None


@lru_cache(maxsize=1024)
def _check_javascript(source: str) -> None:
    """Compiled once per text (a model is parsed again whenever the model cache reloads it); failures are
    not cached, so a model is told its error each time."""
    try:
        sandbox.check(source, _limits)
    except SandboxError as exc:
        raise ScriptError(exc.kind, exc.message) from None


def run_script(script_format: str | None, source: str | None, *, facade: Any = None,
               variables: dict[str, Any] | None = None, resource: str | None = None,
               now: datetime | None = None) -> Any:
    """Run one script and return its value (the last expression's, for JavaScript).

    `facade`: the `execution` (DelegateExecution) or `task` (DelegateTask) the script sees; its writes
    (setVariable, setAssignee, ...) are applied when the script has finished. `variables`: the names bound
    as globals (default: the facade's variables). `resource`: the name the script came from, for messages.
    """
    language = language_of(script_format)
    if source is None or not source.strip():
        where = f"the script resource '{resource}'" if resource else "the script"
        raise ScriptError("syntax", f"{where} is empty or missing")
    if language != "javascript":
        return _run_expression(source, facade, variables, now)
    try:
        payload = harness_input(facade, variables, _limits.max_bytes)
        answer = sandbox.run(source, payload, _limits)
        value = from_json(answer.get("result"), answer.get("dates", []))
        replay(facade, answer.get("ops"))
    except SandboxError as exc:
        raise ScriptError(exc.kind, exc.message) from None
    except (BoundaryError, EngineError) as exc:
        raise ScriptError("result", str(exc)) from None
    return value


def _run_expression(source: str, facade: Any, variables: dict[str, Any] | None, now: datetime | None) -> Any:
    from service.expr import ExpressionError

    from ..expressions import compile_text
    if variables is None:
        variables = facade.getVariables() if facade is not None else {}
    try:
        return compile_text(source).evaluate(variables, now=now or datetime.now(timezone.utc))
    except ExpressionError as exc:
        raise ScriptError("error", exc.message) from None


def shutdown() -> None:
    sandbox.shutdown()


__all__ = ["run_script", "check_script", "configure", "limits", "language_of", "is_supported", "ScriptError",
           "JAVASCRIPT", "EXPRESSIONS", "DEPLOYMENT_PREFIX"]
