"""Engine exceptions raised while an operation runs, turned into operation errors."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from .errors import BadRequest, OperationFailed, OpsError

MAX_PROBLEM = 2000


@contextmanager
def engine_errors() -> Iterator[None]:
    try:
        yield
    except OpsError:
        raise
    except Exception as exc:
        mapped = translate(exc)
        if mapped is None:
            raise
        raise mapped from exc


def translate(exc: BaseException) -> OpsError | None:
    """EngineError (a request the model cannot honour) -> BadRequest; model and expression failures, and
    run-time failures of the model (IncidentError = SpiffWorkflow's WorkflowTaskException, with the element)
    -> OperationFailed (500 ProcessEngineException) naming the element and the problem; anything else is a
    bug and is not translated."""
    from service.engine.errors import EngineError, ModelError

    if isinstance(exc, EngineError):
        return BadRequest(exc.message, camunda_type="ProcessEngineException")
    if isinstance(exc, ModelError):
        return OperationFailed(str(exc))
    from service.engine.dmn import DecisionError, DmnModelError

    if isinstance(exc, DmnModelError):
        return OperationFailed(str(exc))
    if isinstance(exc, DecisionError):
        return OperationFailed(exc.message)
    try:
        from service.expr import ExpressionError
    except ImportError:   # pragma: no cover
        return None
    if isinstance(exc, ExpressionError):
        return OperationFailed(getattr(exc, "message", str(exc)))
    from SpiffWorkflow.exceptions import SpiffWorkflowException

    if isinstance(exc, SpiffWorkflowException):
        return incident_failure(exc)
    return None


def incident_failure(exc: BaseException) -> OperationFailed:
    """A model failing while it runs (service.engine.IncidentError and SpiffWorkflow's other workflow
    errors): Camunda answers 500 ProcessEngineException; the message names the element and the problem
    so the modeller can find it. The caller's transaction rolls back, so the instance stays where it was."""
    element_id, element_name = _element_of(exc)
    problem = _problem(exc, element_id)
    if element_id:
        label = f"'{element_id}'" + (f" ({element_name})" if element_name and element_name != element_id else "")
        message = f"Element {label} failed: {problem}"
        pesan = f"Langkah {label} gagal dijalankan: {problem}"
    else:
        message = f"The process failed: {problem}"
        pesan = f"Proses gagal dijalankan: {problem}"
    return OperationFailed(message, pesan=pesan, camunda_type="ProcessEngineException")


def _element_of(exc: BaseException) -> tuple[str | None, str | None]:
    spec = getattr(exc, "task_spec", None)
    element_id = getattr(exc, "element_id", None) or getattr(spec, "bpmn_id", None)
    name = getattr(spec, "bpmn_name", None)
    return (str(element_id) if element_id else None), (str(name) if name else None)


def _problem(exc: BaseException, element_id: str | None) -> str:
    text = str(exc.args[0]) if exc.args else str(exc)
    # IncidentError messages are "<element id>: <problem>": the element is named once, in front.
    if element_id and text.startswith(f"{element_id}: "):
        text = text[len(element_id) + 2:]
    text = text.strip() or type(exc).__name__
    for note in getattr(exc, "__notes__", None) or ():
        if note and note not in text:
            text += f" ({note})"
    if len(text) > MAX_PROBLEM:     # a hostile model can make the offending value huge; the answer stays small
        text = text[:MAX_PROBLEM] + f"... ({len(text)} characters)"
    return text


__all__ = ["engine_errors", "translate", "incident_failure"]
