"""Engine exceptions raised while an operation runs, turned into operation errors."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from .errors import BadRequest, OperationFailed, OpsError


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
    """EngineError (a request the model cannot honour) -> BadRequest; model and expression failures ->
    OperationFailed with the engine's message; anything else is a bug and is not translated."""
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
    return None


__all__ = ["engine_errors", "translate"]
