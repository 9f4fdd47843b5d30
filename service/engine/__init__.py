"""SpiffWorkflow adapter: Camunda 7 BPMN parsing, execution, timers, history and flat state.

Public names are re-exported here; DMN names (``DecisionModel``, ``parse_dmn``) come from the
``dmn`` subpackage on first use, so importing this package does no work. SpiffWorkflow's internals
are touched only in ``spiff.py``, which also maps its exceptions to ``errors.py``: no SpiffWorkflow
type leaves the engine.
"""
from __future__ import annotations

import importlib
from typing import Any

from .clock import Clock, FrozenClock, SystemClock
from .errors import EngineError, IncidentError, ModelError
from .info import ActiveElement, CallRequest, ExternalTaskInfo, HistoryEvent, ThrownEvent, TimerInfo, UserTaskInfo
from .model import ElementInfo, ProcessModel
from .parser import parse_bpmn
from .runtime import DecisionResolver, Engine, Instance, ProcessResolver

__all__ = [
    "Engine", "Instance", "ModelError", "EngineError", "IncidentError", "ProcessModel", "ElementInfo", "DecisionModel",
    "UserTaskInfo", "ExternalTaskInfo", "HistoryEvent", "ActiveElement", "TimerInfo", "Clock", "SystemClock",
    "FrozenClock", "parse_bpmn", "parse_dmn", "ProcessResolver", "DecisionResolver", "CallRequest", "ThrownEvent",
]


def __getattr__(name: str) -> Any:
    if name in ("DecisionModel", "parse_dmn"):
        return getattr(importlib.import_module(f"{__name__}.dmn"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
