"""The one module that reaches into SpiffWorkflow's internals (3.2.0, pinned in pyproject.toml).

The rest of the engine uses SpiffWorkflow's public surface (workflows, tasks and their `data`,
`internal_data`, `state`; TaskState; the spec, event and converter classes it subclasses) and calls
the functions here for everything else, so a SpiffWorkflow upgrade has one module to re-check.
Overriding a spec's hooks (`_run_hook`, `_update_hook`, ...) in a subclass is SpiffWorkflow's way of
extending specs and stays with the subclasses in specs.py, workflow.py and parser.py.

It also maps SpiffWorkflow's exceptions to the engine's own (errors.py), so nothing above the engine
sees a SpiffWorkflow type.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Iterator
from uuid import UUID

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskIterator, TaskState

from .errors import EngineError, IncidentError

# -- tasks ------------------------------------------------------------------------------------------


def set_state(task: Any, state: int) -> None:
    """Force a task's state (multi-instance bodies move themselves to READY/STARTED)."""
    task._set_state(state)


def add_child(task: Any, spec: Any, state: int) -> Any:
    """A new child task of `spec` under `task` (one multi-instance instance)."""
    return task._add_child(spec, state)


def add_waiting_event(parent: Any, spec: Any) -> Any:
    """A new catching event of `spec` under `parent`, with its successors predicted (so that its path starts
    when it fires), waiting and registered for its event."""
    task = parent._add_child(spec, TaskState.MAYBE)     # as SpiffWorkflow predicts a boundary event's branch
    spec._predict(task)
    spec._update(task)
    return task


def refresh(task: Any) -> None:
    """Let a task re-check whether it can proceed now (a waiting condition, a caught error event)."""
    task.task_spec._update(task)


def complete_subworkflow(parent_task: Any, workflow: Any) -> None:
    """Tell a (call) activity that its subprocess completed, as its end event would."""
    parent_task.task_spec._on_subworkflow_completed(workflow, parent_task)


# -- moving tokens (modification, migration) -------------------------------------------------------


def place_token(parent: Any, spec: Any, data: dict, *, task_id: UUID | None = None,
                internal: dict | None = None) -> Any:
    """A new token of `spec` hung under the finished task `parent`, carrying `data`.

    It is created FUTURE and then updated as a predecessor's completion would: it becomes READY, or
    WAITING for its event. A task inherits its parent's data on that update, so the parent briefly
    holds `data` (the parent is finished: nothing else reads it meanwhile). `task_id` keeps a token's
    identity across a migration (Camunda keeps task ids); `internal` carries its internal data."""
    task = Task(parent.workflow, spec, parent, state=TaskState.FUTURE, id=task_id)
    task.thread_id = parent.thread_id
    if internal:
        task.internal_data.update(internal)
    # A FUTURE task is definite, so the update below would not predict its successors: do it here.
    spec._predict(task, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
    saved = parent.data
    parent.data = dict(data)
    try:
        spec._update(task)
    finally:
        parent.data = saved
    return task


def recreate_task(parent: Any, spec: Any, *, task_id: UUID, state: int, data: dict, internal: dict) -> Any:
    """A copy of a live task (same id, state, data and internal data) under `parent` in another workflow:
    a migrated token stays exactly as it was, a waiting event keeps waiting for the same due time."""
    task = Task(parent.workflow, spec, parent, state=state, id=task_id)
    task.thread_id = parent.thread_id
    task.data = dict(data)
    task.internal_data.update(internal)
    if state == TaskState.WAITING and getattr(spec, "event_definition", None) is not None:
        parent.workflow.top_workflow.event_manager.add_task(task)
    if not task.has_state(TaskState.FINISHED_MASK):
        # Its successors exist as predicted tasks, as on a task that became live the usual way.
        spec._predict(task, mask=TaskState.PREDICTED_MASK | state)
    return task


# -- the task tree (pruning) ------------------------------------------------------------------------
# Task.parent/children look tasks up by id; pruning needs the ids themselves, and to re-link them.


def parent_id(task: Any) -> UUID | None:
    return task._parent


def child_ids(task: Any) -> list[UUID]:
    return task._children


def relink(task: Any, parent: UUID | None, children: list[UUID]) -> None:
    task._parent = parent
    task._children = children


def is_end_join(spec: Any) -> bool:
    """The join SpiffWorkflow adds before a process's end (it collects ended branches)."""
    return isinstance(spec, _EndJoin)


# -- serialization ----------------------------------------------------------------------------------


def encoder_class(serializer: BpmnWorkflowSerializer) -> type[json.JSONEncoder]:
    """The JSON encoder the serializer built for its registry (it converts registered types)."""
    return serializer._encoder_cls


@contextmanager
def encoding(serializer: BpmnWorkflowSerializer) -> Iterator[None]:
    """Convert as `serializer.serialize_json` does: registered values become dicts the encoder can write."""
    serializer.registry._encoder_mode = True
    try:
        yield
    finally:
        serializer.registry._encoder_mode = False


# -- iteration depth --------------------------------------------------------------------------------
# SpiffWorkflow walks task trees with iterators that stop silently at depth 1000, so a long loop would
# stall. The iterators are built inside SpiffWorkflow (joins, gateways, workflow methods) with the default
# depth, so the only way to lift it is the default itself: a process-wide change, made here and only here.
# Pruning keeps trees shallow; this is the safety net.
MAX_DEPTH = 10**7


def lift_iterator_depth() -> None:
    """Idempotent; called when an Engine is built."""
    if TaskIterator.__init__.__defaults__ != (None, MAX_DEPTH, True, None):
        TaskIterator.__init__.__defaults__ = (None, MAX_DEPTH, True, None)
    if BpmnTaskIterator.__init__.__defaults__ != (None, MAX_DEPTH, True, False, None):
        BpmnTaskIterator.__init__.__defaults__ = (None, MAX_DEPTH, True, False, None)


# -- exceptions -------------------------------------------------------------------------------------


def incident(exc: SpiffWorkflowException) -> IncidentError:
    """A SpiffWorkflow failure while the model runs, as the engine's IncidentError naming the element."""
    spec = getattr(exc, "task_spec", None)
    element_id = getattr(spec, "bpmn_id", None)
    element_name = getattr(spec, "bpmn_name", None)
    message = str(exc.args[0]).strip() if exc.args else ""
    return IncidentError(message or type(exc).__name__, element_id=str(element_id) if element_id else None,
                         element_name=str(element_name) if element_name else None)


@contextmanager
def engine_step_errors() -> Iterator[None]:
    """Around SpiffWorkflow running steps: a workflow error not tied to a task (a stuck gateway, an
    unknown event) is a request the model cannot honour; a task's failure is an incident."""
    try:
        yield
    except WorkflowTaskException as exc:
        raise incident(exc) from exc
    except WorkflowException as exc:
        raise EngineError(str(exc).rstrip(". ")) from None


@contextmanager
def translated_errors() -> Iterator[None]:
    """Around every public engine operation: no SpiffWorkflow exception leaves the engine."""
    try:
        yield
    except SpiffWorkflowException as exc:
        raise incident(exc) from exc
    except RecursionError:
        # SpiffWorkflow predicts and runs task chains by recursion; the deploy checks refuse the loops
        # known to nest without end, this keeps any other from escaping as a crash.
        raise IncidentError("the model's task structure nests too deeply to run (a loop without a way out?)") \
            from None


@contextmanager
def stack_guard(workflow: Any) -> Iterator[None]:
    """SpiffWorkflow runs a chain of automatic steps by recursion (a step completing runs its successor),
    so a loop without a wait state can exhaust Python's stack before the step budget stops it: that is an
    incident on the step that ran last, not a crash of the request."""
    try:
        yield
    except RecursionError:
        spec = getattr(workflow, "_alur_last_step", None)
        element_id = getattr(spec, "bpmn_id", None)
        where = f"{element_id}: " if element_id else ""
        raise IncidentError(f"{where}the automatic steps nest too deeply (a loop without a wait state?); "
                            "the action was stopped", element_id=element_id,
                            element_name=getattr(spec, "bpmn_name", None)) from None


__all__ = ["place_token", "recreate_task",
           "set_state", "add_child", "refresh", "complete_subworkflow", "parent_id", "child_ids", "relink",
           "is_end_join", "encoder_class", "encoding", "lift_iterator_depth", "MAX_DEPTH", "incident",
           "engine_step_errors", "translated_errors", "stack_guard"]
