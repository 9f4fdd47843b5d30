"""Camunda's further filters of the historic process-instance query (`processInstanceBusinessKeyLike`,
`processDefinitionKeyIn`/`NotIn`, `processDefinitionName`/`Like`, `processInstanceIdNotIn`, `startedBy`,
the state flags), as SQL conditions on the instance row, which is the historic instance here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from service.store import InstanceState, ProcessDefinition, ProcessInstance

from . import sql_like


@dataclass(frozen=True)
class InstanceFilters:
    business_key_like: str | None = None
    business_keys: list[str] | None = None
    definition_keys: list[str] | None = None
    definition_keys_not: list[str] | None = None
    definition_name: str | None = None
    definition_name_like: str | None = None
    ids_not: list[str] | None = None
    started_by: str | None = None
    active: bool = False
    suspended: bool = False
    completed: bool = False
    externally_terminated: bool = False


def conditions(f: InstanceFilters) -> list[ColumnElement[bool]]:
    pi = ProcessInstance
    out: list[ColumnElement[bool]] = []
    if f.business_key_like is not None:
        out.append(sql_like.like(pi.business_key, f.business_key_like, parameter="processInstanceBusinessKeyLike"))
    for column, values, negate in ((pi.business_key, f.business_keys, False), (pi.definition_key, f.definition_keys,
                                   False), (pi.definition_key, f.definition_keys_not, True), (pi.id, f.ids_not, True)):
        if values is not None:
            out.append(column.not_in(values) if negate else column.in_(values))
    named: Any = None
    if f.definition_name is not None:
        named = ProcessDefinition.name == f.definition_name
    if f.definition_name_like is not None:
        named = sql_like.like(ProcessDefinition.name, f.definition_name_like, parameter="processDefinitionNameLike")
    if named is not None:
        out.append(pi.definition_id.in_(select(ProcessDefinition.id).where(named)))
    if f.started_by is not None:
        out.append(pi.start_user_id == f.started_by)
    for wanted, state in ((f.active, InstanceState.ACTIVE), (f.suspended, InstanceState.SUSPENDED),
                          (f.completed, InstanceState.COMPLETED), (f.externally_terminated, InstanceState.CANCELLED)):
        if wanted:
            out.append(pi.state == state)
    return out


__all__ = ["InstanceFilters", "conditions"]
