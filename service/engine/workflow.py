"""Workflow classes that stamp variable writes, so joins merge branches the way Camunda scopes do.

SpiffWorkflow gives every task its own copy of the data, and a join merges the branches' copies
with "last branch wins": a branch that merely carries an old value (inherited from an earlier loop
iteration) overwrites a newer value written on another branch. We record, in a reserved data key,
when each variable was last written (the completion time of the writing task); a join then takes,
per variable, the value with the newest write. The key travels with the data through inheritance,
serialization and pruning; ``VERSIONS_KEY`` is hidden from the process variables.
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs import defaults as d
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from .listening import ListeningMixin

VERSIONS_KEY = "__alur_v"
HIDDEN_KEYS = frozenset({VERSIONS_KEY, "data_objects"})


def stamp_writes(task: Any) -> None:
    parent = task.parent
    if parent is None:
        return
    before, after = parent.data, task.data
    changed = [k for k in after if k not in HIDDEN_KEYS and (k not in before or before[k] != after[k])]
    if not changed:
        return
    versions = dict(after.get(VERSIONS_KEY) or {})
    for key in changed:
        versions[key] = task.last_state_change
    after[VERSIONS_KEY] = versions
    # Children inherited the data before this notification; give them the stamps too.
    for child in task.children:
        if not child.has_state(TaskState.FINISHED_MASK):
            child.data[VERSIONS_KEY] = dict(versions)


class _StampingMixin:
    def _task_completed_notify(self, task: Any) -> None:
        stamp_writes(task)
        super()._task_completed_notify(task)  # type: ignore[misc]


class AlurSubWorkflow(_StampingMixin, BpmnSubWorkflow):
    pass


class AlurWorkflow(_StampingMixin, BpmnWorkflow):
    def create_subprocess(self, my_task: Any, spec_name: str) -> Any:
        subprocess = AlurSubWorkflow(self.subprocess_specs[spec_name], parent_task_id=my_task.id, top_workflow=self)
        self.subprocesses[my_task.id] = subprocess
        return subprocess


def versioned_merge(datas: list[dict]) -> dict:
    """Merge branch data: per variable, the value with the newest write wins (ties: later branch)."""
    merged: dict = {}
    stamps: dict = {}
    for data in datas:
        versions = data.get(VERSIONS_KEY) or {}
        for key, value in data.items():
            if key == VERSIONS_KEY:
                continue
            stamp = versions.get(key, float("-inf"))
            if key not in merged or stamp >= stamps[key]:
                merged[key] = value
                stamps[key] = stamp
    finite = {k: v for k, v in stamps.items() if v != float("-inf")}
    if finite:
        merged[VERSIONS_KEY] = finite
    return merged


class _VersionedJoinMixin:
    def _run_hook(self, my_task: Any) -> bool:
        arrived = [t for t in my_task.workflow.tasks.values()
                   if t.task_spec == self and t.has_state(TaskState.FINISHED_MASK)
                   and not my_task.is_descendant_of(t) and t.parent is not None]
        arrived.sort(key=lambda t: t.last_state_change)
        result = super()._run_hook(my_task)  # type: ignore[misc]
        branches = [t.parent.data for t in arrived] + [my_task.parent.data]
        my_task.data = versioned_merge(branches)
        return result


class AlurParallelGateway(ListeningMixin, _VersionedJoinMixin, d.ParallelGateway):
    pass


class AlurInclusiveGateway(ListeningMixin, _VersionedJoinMixin, d.InclusiveGateway):
    pass


__all__ = ["AlurWorkflow", "AlurSubWorkflow", "AlurParallelGateway", "AlurInclusiveGateway", "VERSIONS_KEY",
           "HIDDEN_KEYS", "versioned_merge", "stamp_writes"]
