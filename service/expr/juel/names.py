"""The variables a parsed JUEL expression reads, in source order.

`a.b` and `a['b']` read `a`; `a[k]` reads `a` and `k`; `execution.getVariable('x')` (and the other
execution methods) read `x`. Used by the simulator to know which variables a condition depends on.
"""
from __future__ import annotations

from typing import Iterator

from .methods import EXECUTION_METHODS
from .nodes import Binary, Conditional, Execution, Identifier, Literal, Member, MethodCall, Node, Unary


def _reads(node: Node) -> Iterator[tuple[int, str]]:
    if isinstance(node, Identifier):
        yield node.position, node.name
    elif isinstance(node, MethodCall):
        if isinstance(node.target, Execution) and node.name in EXECUTION_METHODS:
            first = node.args[0] if node.args else None
            if isinstance(first, Literal) and isinstance(first.value, str):
                yield first.position, first.value
        else:
            yield from _reads(node.target)
        for arg in node.args:
            yield from _reads(arg)
    elif isinstance(node, Member):
        yield from _reads(node.target)
        yield from _reads(node.key)
    elif isinstance(node, Unary):
        yield from _reads(node.operand)
    elif isinstance(node, Binary):
        yield from _reads(node.left)
        yield from _reads(node.right)
    elif isinstance(node, Conditional):
        for part in (node.condition, node.then, node.otherwise):
            yield from _reads(part)


def variable_names(nodes: tuple[str | Node, ...]) -> tuple[str, ...]:
    """The distinct variable names read by the expression parts of a template, first occurrence first."""
    found = sorted((pos, name) for part in nodes if isinstance(part, Node) for pos, name in _reads(part))
    return tuple(dict.fromkeys(name for _, name in found))


__all__ = ["variable_names"]
