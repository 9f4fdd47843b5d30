"""Compiled decision logic: decision tables and literal expressions (built by the parser)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .cells import ExpressionCell, TestCell

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
SINGLE_HIT = frozenset({"UNIQUE", "FIRST", "PRIORITY", "ANY"})
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")


@dataclass(frozen=True)
class TableInput:
    id: str
    label: str | None
    expression: ExpressionCell
    type_ref: str | None
    variable: str                   # camunda:inputVariable, default "cellInput"
    line: int | None


@dataclass(frozen=True)
class TableOutput:
    id: str
    name: str
    label: str | None
    type_ref: str | None
    priorities: tuple[Any, ...]     # FEEL values of outputValues, highest priority first
    line: int | None
    default: ExpressionCell | None = None   # defaultOutputEntry: the output when no rule matches


@dataclass(frozen=True)
class TableRule:
    id: str
    index: int                      # 1-based
    tests: tuple[TestCell | None, ...]        # None = '-' / empty: always matches
    outputs: tuple[ExpressionCell | None, ...]  # None = empty output entry (null)
    annotation: str | None
    line: int | None


@dataclass(frozen=True)
class DecisionTable:
    id: str | None
    hit_policy: str
    aggregation: str | None
    inputs: tuple[TableInput, ...]
    outputs: tuple[TableOutput, ...]
    rules: tuple[TableRule, ...]


@dataclass(frozen=True)
class BoxedDecision:
    """A decision whose logic is a context, invocation, list, relation or function definition."""
    id: str | None
    box: Any                        # boxed.Box
    variable_name: str
    type_ref: str | None
    tag: str                        # the DMN element of the logic, e.g. "context"


@dataclass(frozen=True)
class LiteralDecision:
    id: str | None
    expression: ExpressionCell
    variable_name: str
    type_ref: str | None


@dataclass(frozen=True)
class ServiceParameter:
    name: str                       # the input data's or input decision's name
    type_ref: str | None
    decision_key: str | None        # set for an input decision: it is provided, never evaluated


@dataclass(frozen=True)
class DecisionService:
    """A decision service (DMN 1.3, 6.3.6 and 10.4): a function of its input data then its input decisions,
    whose value is its output decision's value (one output) or a context of the output decisions' values."""
    outputs: tuple[Any, ...]        # DecisionModels of the output decisions, in order
    parameters: tuple[ServiceParameter, ...]
    output_type: str | None = None  # the outputTypeRef of the function type its variable names
