"""Camunda's variable filters (`variables`, `processVariables`, `taskVariables`: name, operator, value) as
SQL conditions on the variable projection (`store.VariableValue`, written by `variable_projection`).

Value typing follows Camunda: a number matches variables of every numeric type; a boolean, null or date
matches only variables of that type; a string matches string variables (`like`/`notLike` only strings,
with `%` and `_` wildcards). `gt`/`gteq`/`lt`/`lteq` need a number, date or string; booleans and null
only `eq`/`neq`. Every condition needs the variable to exist, as in Camunda (`neq` too).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, func
from sqlalchemy.sql.elements import ColumnElement

from service.store import VariableValue

from . import sql_like
from .errors import BadRequest
from .variable_projection import typed_columns

OPERATORS = ("eq", "neq", "gt", "gteq", "lt", "lteq", "like", "notLike")
_ORDERING = {"gt": "__gt__", "gteq": "__ge__", "lt": "__lt__", "lteq": "__le__", "eq": "__eq__", "neq": "__ne__"}


@dataclass(frozen=True)
class VariableFilter:
    name: str
    operator: str
    value: Any


@dataclass(frozen=True)
class VariableFilters:
    """The filters of one query and Camunda's two ignore-case switches."""

    process: Sequence[VariableFilter] = ()   # process-scope variables (processVariables, instance `variables`)
    task: Sequence[VariableFilter] = ()      # the task's own variables (taskVariables)
    names_ignore_case: bool = False
    values_ignore_case: bool = False

    def __bool__(self) -> bool:
        return bool(self.process or self.task)


def _refuse(message: str, pesan: str) -> BadRequest:
    return BadRequest(message, pesan=pesan)


def check(f: VariableFilter) -> None:
    """Refuse a filter Camunda refuses: no name, an unknown operator, an operator the value's type lacks."""
    if not f.name:
        raise _refuse("a variable filter needs a name", "filter variabel memerlukan nama")
    if f.operator not in OPERATORS:
        raise _refuse(f"Invalid variable comparator specified: {f.operator}",
                      f"Operator filter variabel tidak dikenal: {f.operator}")
    value = f.value
    if f.operator in ("like", "notLike") and not isinstance(value, str):
        raise _refuse(f"Invalid variable value for '{f.operator}' of variable '{f.name}': only strings can be "
                      "compared with like", f"Filter '{f.operator}' variabel '{f.name}' hanya untuk teks")
    if (value is None or isinstance(value, bool)) and f.operator not in ("eq", "neq"):
        raise _refuse(f"Booleans and null cannot be used in '{f.operator}' comparison (variable '{f.name}')",
                      f"Boolean dan null tidak dapat dibandingkan dengan '{f.operator}' (variabel '{f.name}')")
    if not isinstance(value, (type(None), bool, int, float, Decimal, str, date)):
        raise _refuse(f"Variable '{f.name}' cannot be filtered by a value of type {type(value).__name__}",
                      f"Variabel '{f.name}' tidak dapat difilter dengan nilai bertipe {type(value).__name__}")


def _value_condition(f: VariableFilter, values_ignore_case: bool) -> ColumnElement[bool]:
    v = VariableValue
    value = f.value
    if isinstance(value, datetime) or (isinstance(value, date) and not isinstance(value, datetime)):
        moment = value if isinstance(value, datetime) else datetime.combine(value, time(), tzinfo=timezone.utc)
        return and_(v.kind == "date", getattr(v.date_value, _ORDERING[f.operator])(moment))
    typed = typed_columns(value)
    if typed["kind"] == "null":
        return v.kind == "null" if f.operator == "eq" else v.kind != "null"
    if typed["kind"] in ("boolean", "number"):
        return and_(v.kind == typed["kind"], getattr(v.number_value, _ORDERING[f.operator])(typed["number_value"]))
    if typed["kind"] != "string":      # a string longer than any stored comparable value, a huge number
        raise _refuse(f"The value of variable filter '{f.name}' cannot be compared (too long or too large)",
                      f"Nilai filter variabel '{f.name}' tidak dapat dibandingkan (terlalu panjang atau besar)")
    column: Any = func.lower(v.text_value) if values_ignore_case else v.text_value
    text = value.lower() if values_ignore_case else value
    if f.operator in ("like", "notLike"):
        return and_(v.kind == "string", sql_like.like(column, text, negate=f.operator == "notLike",
                                                      parameter=f.name))
    return and_(v.kind == "string", getattr(column, _ORDERING[f.operator])(text))


def _name_condition(name: str, ignore_case: bool) -> ColumnElement[bool]:
    if ignore_case:
        return func.lower(VariableValue.name) == name.lower()
    return VariableValue.name == name


def conditions(filters: VariableFilters, instance_id: Any, task_id: Any = None) -> list[ColumnElement[bool]]:
    """One EXISTS per filter, correlated to the outer query's `instance_id` (and `task_id` for task
    filters). Process filters match process-scope rows (task_id NULL), task filters the task's rows."""
    out: list[ColumnElement[bool]] = []
    for scope, items in (("process", filters.process), ("task", filters.task)):
        for f in items:
            check(f)
            owner = VariableValue.task_id.is_(None) if scope == "process" else VariableValue.task_id == task_id
            out.append(exists().where(VariableValue.instance_id == instance_id, owner,
                                      _name_condition(f.name, filters.names_ignore_case),
                                      _value_condition(f, filters.values_ignore_case)))
    return out


__all__ = ["OPERATORS", "VariableFilter", "VariableFilters", "check", "conditions"]
