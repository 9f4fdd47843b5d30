"""Splice-prune: drop finished tasks the engine can no longer consult, keeping the state flat.

See shared/notes/state-growth.md. Each workflow (the top one and every subprocess) is pruned on
its own. A task is kept when it is in the keep set; every kept task is re-linked to its nearest
kept ancestor, so ancestry among kept tasks (what joins and loops consult) is unchanged.
The task tree's links (parent and child ids) are SpiffWorkflow internals, read and re-linked through spiff.py.
"""
from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask, StandardLoopTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.task import TaskState

from . import spiff

log = logging.getLogger(__name__)

LIVE = TaskState.NOT_FINISHED_MASK | TaskState.ERROR


def prune(top: Any, *, drop_ended_branches: bool = True) -> int:
    """Prune the top workflow and its subprocesses in place; returns how many tasks were dropped.

    Aborts (changing nothing in that workflow) when a live task is not reachable from its root.
    """
    removed = 0
    for workflow in [top, *list(top.subprocesses.values())]:
        if workflow is not top and top.subprocesses.get(workflow.parent_task_id) is not workflow:
            continue  # its parent task was pruned with the previous workflow
        dropped = _prune_one(workflow, drop_ended_branches)
        if dropped is None:
            continue
        removed += len(dropped)
        for task_id in dropped:
            top.event_manager.tasks.pop(task_id, None)
            _drop_subprocess(top, task_id)
    return removed


def _drop_subprocess(top: Any, task_id: UUID) -> None:
    sp = top.subprocesses.pop(task_id, None)
    if sp is None:
        return
    for inner_id in list(sp.tasks):
        top.event_manager.tasks.pop(inner_id, None)
        _drop_subprocess(top, inner_id)


def keep_set(workflow: Any, drop_ended_branches: bool = True) -> set:
    tasks = workflow.tasks
    keep: set = {workflow.task_tree.id}
    if workflow.last_task is not None and workflow.last_task.id in tasks:
        keep.add(workflow.last_task.id)
    live = [t for t in tasks.values() if t.state & LIVE]
    for task in live:
        keep.add(task.id)
        parent = spiff.parent_id(task)
        if parent is not None:
            keep.add(parent)
        spec = task.task_spec
        if isinstance(spec, MultiInstanceTask):
            keep.update(spiff.child_ids(task))
        elif isinstance(spec, StandardLoopTask):
            merged = task.internal_data.get("merged") or []
            if merged:
                keep.add(UUID(merged[-1]))
            keep.update(c for c in spiff.child_ids(task) if tasks.get(c) is not None and tasks[c].state & LIVE)
        if isinstance(spec, Join) and getattr(spec, "split_task", None) and not isinstance(spec, UnstructuredJoin):
            split = task.find_ancestor(spec.split_task)
            if split is not None:
                keep.add(split.id)
                keep.update(spiff.child_ids(split))
                if spiff.parent_id(split) is not None:
                    keep.add(spiff.parent_id(split))
        if isinstance(spec, UnstructuredJoin):
            if drop_ended_branches and spiff.is_end_join(spec):
                continue
            keep.update(_current_round(workflow, task))
    return keep


def _current_round(workflow: Any, join_task: Any) -> set:
    """Finished instances of a live unstructured join in the current round, and their parents."""
    spec = join_task.task_spec
    fired = None
    ancestor = join_task.parent
    while ancestor is not None:
        if ancestor.task_spec is spec and ancestor.state == TaskState.COMPLETED:
            fired = ancestor
            break
        ancestor = ancestor.parent
    result = set()
    for task in workflow.tasks.values():
        if task.task_spec is not spec or task is join_task or not task.has_state(TaskState.FINISHED_MASK):
            continue
        if fired is not None and not task.is_descendant_of(fired):
            continue
        result.add(task.id)
        parent = spiff.parent_id(task)
        if parent is not None:
            result.add(parent)
    # The fired instance itself is NOT kept: InclusiveGateway iterates with end_at_spec=<itself> and
    # would stop at it, never seeing the live branches of the current round (the early-fire bug).
    return result


def _prune_one(workflow: Any, drop_ended_branches: bool) -> list | None:
    tasks = workflow.tasks
    keep = keep_set(workflow, drop_ended_branches)
    root = workflow.task_tree
    new_parent: dict = {}
    new_children: dict = {}
    stack: list = [(root.id, None)]
    seen = set()
    while stack:
        task_id, anc = stack.pop()
        if task_id in seen or task_id not in tasks:
            continue
        seen.add(task_id)
        if task_id in keep:
            if anc is not None:
                new_children[anc].append(task_id)
            new_parent[task_id] = anc
            new_children[task_id] = []
            anc = task_id
        stack.extend((c, anc) for c in reversed(spiff.child_ids(tasks[task_id])))
    unreachable = [t for t in keep if t in tasks and t not in seen]
    if unreachable:
        log.warning("prune aborted: %d kept tasks are not reachable from the root", len(unreachable))
        return None
    dropped = [t for t in tasks if t not in new_parent]
    if not dropped:
        return []
    # Keep dict order (parent before child): the delta deserializer depends on it.
    workflow.tasks = {tid: task for tid, task in tasks.items() if tid in new_parent}
    for tid, task in workflow.tasks.items():
        spiff.relink(task, new_parent[tid], new_children[tid])
    return dropped


__all__ = ["prune", "keep_set"]
