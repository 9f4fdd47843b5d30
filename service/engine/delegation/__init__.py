"""Delegates and listeners as Python handlers (Camunda 7's camunda:class, delegateExpression, expression).

`facade` holds the `execution` / `task` objects handlers see; `BpmnError` is what a handler raises to throw
a BPMN error that boundary events catch (Camunda's org.camunda.bpm.engine.delegate.BpmnError).
"""
from __future__ import annotations

from .errors import BpmnError
from .facade import DelegateExecution, DelegateTask, InstanceIdentity

__all__ = ["BpmnError", "DelegateExecution", "DelegateTask", "InstanceIdentity"]
