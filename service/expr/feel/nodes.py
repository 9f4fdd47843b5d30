"""Syntax tree of FEEL expressions and unary tests, produced by the parser."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Node:
    __slots__ = ()


@dataclass(slots=True)
class Literal(Node):
    value: Any


@dataclass(slots=True)
class Name(Node):
    name: str
    pos: int = 0


@dataclass(slots=True)
class Binary(Node):
    op: str          # = != < <= > >=
    left: Node
    right: Node


@dataclass(slots=True)
class Arithmetic(Node):
    """A left-associative chain 'a + b - c' kept flat, so long chains never recurse."""
    first: Node
    rest: list[tuple[str, Node]]   # (operator, operand) with operator in + - * / **


@dataclass(slots=True)
class And(Node):
    items: list[Node]


@dataclass(slots=True)
class Or(Node):
    items: list[Node]


@dataclass(slots=True)
class Negate(Node):
    operand: Node


@dataclass(slots=True)
class If(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(slots=True)
class Iteration:
    name: str
    source: Node
    end: Node | None = None      # 'for i in 1..3': source=1, end=3


@dataclass(slots=True)
class For(Node):
    iterations: list[Iteration]
    body: Node


@dataclass(slots=True)
class Quantified(Node):
    every: bool
    iterations: list[Iteration]
    condition: Node


@dataclass(slots=True)
class In(Node):
    value: Node
    tests: list["UnaryTest"]


@dataclass(slots=True)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(slots=True)
class TypeRef:
    name: str                                   # 'number', 'list', 'context', 'date and time' ...
    params: list["TypeRef"] = field(default_factory=list)
    fields: list[tuple[str, "TypeRef"]] = field(default_factory=list)   # context<a: number>
    result: "TypeRef | None" = None             # function<...> -> result


@dataclass(slots=True)
class InstanceOf(Node):
    value: Node
    type: TypeRef


@dataclass(slots=True)
class ListLiteral(Node):
    items: list[Node]


@dataclass(slots=True)
class ContextLiteral(Node):
    entries: list[tuple[str, Node]]


@dataclass(slots=True)
class Invalid(Node):
    """A literal that does not denote a value (`@"foo"`): null with this diagnostic at evaluation (DMN 1.5)."""
    message: str


@dataclass(slots=True)
class Interval(Node):
    start_included: bool
    start: Node | None
    end: Node | None
    end_included: bool
    op: str | None = None      # a unary comparison as a range, `(< 10)`: its operand is `start`


@dataclass(slots=True)
class Filter(Node):
    target: Node
    condition: Node


@dataclass(slots=True)
class Path(Node):
    target: Node
    name: str


@dataclass(slots=True)
class Call(Node):
    function: Node
    args: list[Node]
    named: list[tuple[str, Node]] | None = None
    pos: int = 0


@dataclass(slots=True)
class FunctionDef(Node):
    params: list[str]
    body: Node
    types: list["TypeRef | None"] = field(default_factory=list)   # declared parameter types
    external: bool = False     # `function(x) external {java: {...}}`: the body is the mapping context


# Unary tests (DMN 1.3, 10.3.1.2 rules 14-17 and 10.3.2.9)

class UnaryTest:
    __slots__ = ()


@dataclass(slots=True)
class AnyTest(UnaryTest):       # '-'
    pass


@dataclass(slots=True)
class CompareTest(UnaryTest):   # '< 5', '= x', '!= "a"'
    op: str
    operand: Node


@dataclass(slots=True)
class ExprTest(UnaryTest):      # a value, list, range or a boolean expression over '?'
    expr: Node
    uses_input: bool


@dataclass(slots=True)
class NotTest(UnaryTest):       # 'not(t1, t2)'
    tests: list[UnaryTest]
