"""The task filters of Camunda's task query beyond the basic ones of `tasks.TaskQuery`: `*Like` patterns,
candidate presence (`withCandidateGroups`, `withoutCandidateUsers`, ...), `involvedUser`, priority and
date ranges, suspension, and the variable filters. Each is one SQL condition, added to the task list's
WHERE by `tasks._filtered` (the list's ordering and paging stay there)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.sql.elements import ColumnElement

from service.store import InstanceState, ProcessDefinition, ProcessInstance, TaskCandidate, UserTask

from . import sql_like, variable_filters


@dataclass
class TaskFilters:
    business_keys: list[str] | None = None            # processInstanceBusinessKeyIn
    business_key_like: str | None = None
    definition_name: str | None = None
    definition_name_like: str | None = None
    execution_id: str | None = None                   # a task's execution is its instance here
    assignee_like: str | None = None
    assignee_in: list[str] | None = None
    assignee_not_in: list[str] | None = None
    assigned: bool = False
    owner: str | None = None
    involved_user: str | None = None
    candidate_group_like: str | None = None
    with_candidate_groups: bool = False
    without_candidate_groups: bool = False
    with_candidate_users: bool = False
    without_candidate_users: bool = False
    task_definition_keys_not_in: list[str] | None = None
    task_definition_key_like: str | None = None
    description: str | None = None
    description_like: str | None = None
    name_not_equal: str | None = None
    name_not_like: str | None = None
    min_priority: int | None = None
    max_priority: int | None = None
    active: bool = False
    suspended: bool = False
    parent_task_id: str | None = None                 # no task has a parent task here: nothing matches
    delegation_state: str | None = None               # no task is delegated here: nothing matches
    due_date: datetime | None = None
    follow_up_date: datetime | None = None
    follow_up_after: datetime | None = None
    follow_up_before: datetime | None = None
    follow_up_before_or_not_existent: datetime | None = None
    created_on: datetime | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    process_variables: Sequence[variable_filters.VariableFilter] = field(default_factory=list)
    task_variables: Sequence[variable_filters.VariableFilter] = field(default_factory=list)
    variable_names_ignore_case: bool = False
    variable_values_ignore_case: bool = False

    @property
    def asks_candidates(self) -> bool:
        return bool(self.candidate_group_like is not None or self.with_candidate_groups
                    or self.without_candidate_groups or self.with_candidate_users or self.without_candidate_users)


def _candidate(kind: str, *extra: Any) -> ColumnElement[bool]:
    return exists().where(TaskCandidate.task_id == UserTask.id, TaskCandidate.kind == kind, *extra)


def _instance_in_state(state: InstanceState) -> ColumnElement[bool]:
    return UserTask.instance_id.in_(select(ProcessInstance.id).where(ProcessInstance.state == state))


def _definition_named(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return UserTask.definition_id.in_(select(ProcessDefinition.id).where(condition))


def conditions(f: TaskFilters, *, include_assigned: bool) -> list[ColumnElement[bool]]:
    """The WHERE conditions of `f`; `include_assigned` (includeAssignedTasks) keeps claimed tasks in a
    candidate query."""
    t = UserTask
    conds: list[ColumnElement[bool]] = []

    def like(column: Any, pattern: str | None, parameter: str, *, negate: bool = False) -> None:
        if pattern is not None:
            conds.append(sql_like.like(column, pattern, negate=negate, parameter=parameter))

    if f.business_keys is not None:
        conds.append(t.business_key.in_(f.business_keys))
    like(t.business_key, f.business_key_like, "processInstanceBusinessKeyLike")
    if f.definition_name is not None:
        conds.append(_definition_named(ProcessDefinition.name == f.definition_name))
    if f.definition_name_like is not None:
        conds.append(_definition_named(sql_like.like(ProcessDefinition.name, f.definition_name_like,
                                                     parameter="processDefinitionNameLike")))
    if f.execution_id is not None:
        conds.append(t.instance_id == f.execution_id)
    like(t.assignee, f.assignee_like, "assigneeLike")
    if f.assignee_in is not None:
        conds.append(t.assignee.in_(f.assignee_in))
    if f.assignee_not_in is not None:
        # Camunda: an unassigned task is not "assigned to someone outside the list".
        conds.append(and_(t.assignee.is_not(None), t.assignee.not_in(f.assignee_not_in)))
    if f.assigned:
        conds.append(t.assignee.is_not(None))
    if f.owner is not None:
        conds.append(t.owner == f.owner)
    if f.involved_user is not None:
        conds.append(or_(t.assignee == f.involved_user, t.owner == f.involved_user,
                         _candidate("user", TaskCandidate.value == f.involved_user)))
    if f.candidate_group_like is not None:
        conds.append(_candidate("group", sql_like.like(TaskCandidate.value, f.candidate_group_like,
                                                       parameter="candidateGroupLike")))
    if f.with_candidate_groups:
        conds.append(_candidate("group"))
    if f.with_candidate_users:
        conds.append(_candidate("user"))
    if f.without_candidate_groups:
        conds.append(~_candidate("group"))
    if f.without_candidate_users:
        conds.append(~_candidate("user"))
    if f.asks_candidates and not include_assigned:
        conds.append(t.assignee.is_(None))     # Camunda: candidate queries list unclaimed tasks only
    if f.task_definition_keys_not_in is not None:
        conds.append(t.element_id.not_in(f.task_definition_keys_not_in))
    like(t.element_id, f.task_definition_key_like, "taskDefinitionKeyLike")
    if f.description is not None:
        conds.append(t.documentation == f.description)
    like(t.documentation, f.description_like, "descriptionLike")
    if f.name_not_equal is not None:
        conds.append(t.name != f.name_not_equal)
    like(t.name, f.name_not_like, "nameNotLike", negate=True)
    if f.min_priority is not None:
        conds.append(t.priority >= f.min_priority)
    if f.max_priority is not None:
        conds.append(t.priority <= f.max_priority)
    if f.active:
        conds.append(_instance_in_state(InstanceState.ACTIVE))
    if f.suspended:
        conds.append(_instance_in_state(InstanceState.SUSPENDED))
    if f.parent_task_id is not None or f.delegation_state is not None:
        conds.append(false())
    for column, moment in ((t.due, f.due_date), (t.follow_up, f.follow_up_date), (t.created, f.created_on)):
        if moment is not None:
            conds.append(column == moment)
    if f.follow_up_after is not None:
        conds.append(t.follow_up > f.follow_up_after)
    if f.follow_up_before is not None:
        conds.append(t.follow_up < f.follow_up_before)
    if f.follow_up_before_or_not_existent is not None:
        conds.append(or_(t.follow_up.is_(None), t.follow_up < f.follow_up_before_or_not_existent))
    if f.created_after is not None:
        conds.append(t.created > f.created_after)
    if f.created_before is not None:
        conds.append(t.created < f.created_before)
    conds.extend(variable_filters.conditions(variable_filters.VariableFilters(
        process=f.process_variables, task=f.task_variables, names_ignore_case=f.variable_names_ignore_case,
        values_ignore_case=f.variable_values_ignore_case), t.instance_id, t.id))
    return conds


__all__ = ["TaskFilters", "conditions"]
