"""Engine exceptions raised while an operation runs, turned into operation errors."""
from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from .errors import OperationFailed, OpsError, Rejected

if TYPE_CHECKING:
    from service.engine.errors import IncidentError

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
    run-time failures of the model (IncidentError, naming the element) -> OperationFailed (500
    ProcessEngineException) naming the element and the problem; anything else is a bug and is not
    translated."""
    from service.engine.errors import EngineError, IncidentError, ModelError

    if isinstance(exc, EngineError):
        return Rejected(exc.message)
    if isinstance(exc, IncidentError):
        return incident_failure(exc)
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
    return None


def incident_failure(exc: IncidentError) -> OperationFailed:
    """A model failing while it runs: Camunda answers 500 ProcessEngineException; the message names the
    element and the problem so the modeller can find it. The caller's transaction rolls back, so the
    instance stays where it was."""
    element_id, element_name = exc.element_id, exc.element_name
    problem = exc.problem
    if len(problem) > MAX_PROBLEM:     # a hostile model can make the offending value huge; the answer stays small
        problem = problem[:MAX_PROBLEM] + f"... ({len(problem)} characters)"
    if element_id:
        label = f"'{element_id}'" + (f" ({element_name})" if element_name and element_name != element_id else "")
        message = f"Element {label} failed: {problem}"
        pesan = f"Langkah {label} gagal dijalankan: {problem}"
    else:
        message = f"The process failed: {problem}"
        pesan = f"Proses gagal dijalankan: {problem}"
    return OperationFailed(message, pesan=pesan)


__all__ = ["engine_errors", "translate", "incident_failure"]
