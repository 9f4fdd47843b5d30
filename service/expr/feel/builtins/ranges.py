"""Range functions (DMN 1.3, 10.3.4.7 and table 78)."""
from __future__ import annotations

from typing import Any, Callable

from .. import ops
from ..values import Range
from .registry import InvalidArgument, builtin


class _Cmp:
    """Three-valued comparisons for the range functions: a null comparison aborts to null."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx

    def c(self, a: Any, b: Any) -> int:
        if a is None or b is None:
            raise InvalidArgument("range end points must not be null")
        r = ops.compare(self.ctx, a, b)
        if r is None:
            raise InvalidArgument("values are not comparable")
        return r

    def lt(self, a: Any, b: Any) -> bool:
        return self.c(a, b) < 0

    def gt(self, a: Any, b: Any) -> bool:
        return self.c(a, b) > 0

    def eq(self, a: Any, b: Any) -> bool:
        return self.c(a, b) == 0


def _is_range(v: Any) -> bool:
    return type(v) is Range


def _check_args(a: Any, b: Any) -> None:
    if a is None or b is None:
        raise InvalidArgument("arguments must not be null")


_ENDPOINT_FUNCTIONS = frozenset({"date", "date and time", "time", "duration"})
_MAX_RANGE_TEXT = 10_000


@builtin("range", "from")
def _range(ctx: Any, text: Any) -> Any:
    """DMN 1.5 range(from): the range a string spells, `[1..3]`, `("a".."c")`, `[@"P1D"..duration("P2D")]`.
    End points must be literals (numbers, strings, @-literals, or date/time/duration of a string literal)
    of one type, in ascending order; anything else is null."""
    from .. import nodes as n
    from ...errors import ExpressionError
    from ..evaluator import Scope, compile_node
    from ..parser import parse_expression
    if type(text) is not str:
        raise InvalidArgument(f"from must be a string, got {ops.kind(text)}")
    if len(text) > _MAX_RANGE_TEXT:
        raise InvalidArgument(f"from is longer than {_MAX_RANGE_TEXT} characters")
    try:
        node = parse_expression(text)
    except ExpressionError as exc:
        raise InvalidArgument(f"{text!r} is not a range: {exc.message}") from None
    if type(node) is not n.Interval or node.op is not None:
        raise InvalidArgument(f"{text!r} is not a range literal")
    points = []
    for point in (node.start, node.end):
        literal = type(point) is n.Literal and point.value is not None and type(point.value) is not bool
        call = (type(point) is n.Call and type(point.function) is n.Name and point.function.name in _ENDPOINT_FUNCTIONS
                and not point.named and len(point.args) == 1 and type(point.args[0]) is n.Literal
                and type(point.args[0].value) is str)
        if point is None or not (literal or call):
            raise InvalidArgument(f"{text!r}: an end point must be a literal")
        value = compile_node(point)(ctx, Scope({}))
        if value is None:
            raise InvalidArgument(f"{text!r}: an end point is not a value")
        points.append(value)
    start, end = points
    if type(start) is not type(end) or ops.compare(ctx, start, end) in (None, 1):
        raise InvalidArgument(f"{text!r}: the end points must be of one type, in ascending order")
    return Range(node.start_included, start, end, node.end_included)


def _range_fn(name: str, *sigs: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return builtin(name, *sigs)


@_range_fn("before", "point1, point2", "point, range", "range, point", "range1, range2")
def _before(ctx: Any, a: Any, b: Any) -> Any:
    _check_args(a, b)
    k = _Cmp(ctx)
    if not _is_range(a) and not _is_range(b):
        return k.lt(a, b)
    if not _is_range(a):
        return k.lt(a, b.start) or (k.eq(a, b.start) and not b.start_included)
    if not _is_range(b):
        return k.lt(a.end, b) or (k.eq(a.end, b) and not a.end_included)
    return k.lt(a.end, b.start) or ((not a.end_included or not b.start_included) and k.eq(a.end, b.start))


@_range_fn("after", "point1, point2", "point, range", "range, point", "range1, range2")
def _after(ctx: Any, a: Any, b: Any) -> Any:
    _check_args(a, b)
    k = _Cmp(ctx)
    if not _is_range(a) and not _is_range(b):
        return k.gt(a, b)
    if not _is_range(a):
        return k.gt(a, b.end) or (k.eq(a, b.end) and not b.end_included)
    if not _is_range(b):
        return k.gt(a.start, b) or (k.eq(a.start, b) and not a.start_included)
    return k.gt(a.start, b.end) or ((not a.start_included or not b.end_included) and k.eq(a.start, b.end))


def _ranges(a: Any, b: Any) -> None:
    if not _is_range(a) or not _is_range(b):
        raise InvalidArgument("arguments must be ranges")


@_range_fn("meets", "range1, range2")
def _meets(ctx: Any, a: Any, b: Any) -> Any:
    _ranges(a, b)
    return a.end_included and b.start_included and _Cmp(ctx).eq(a.end, b.start)


@_range_fn("met by", "range1, range2")
def _met_by(ctx: Any, a: Any, b: Any) -> Any:
    _ranges(a, b)
    return a.start_included and b.end_included and _Cmp(ctx).eq(a.start, b.end)


@_range_fn("overlaps", "range1, range2")
def _overlaps(ctx: Any, a: Any, b: Any) -> Any:
    _ranges(a, b)
    k = _Cmp(ctx)
    return ((k.gt(a.end, b.start) or (k.eq(a.end, b.start) and a.end_included and b.start_included))
            and (k.lt(a.start, b.end) or (k.eq(a.start, b.end) and a.start_included and b.end_included)))


@_range_fn("overlaps before", "range1, range2")
def _overlaps_before(ctx: Any, a: Any, b: Any) -> Any:
    _ranges(a, b)
    k = _Cmp(ctx)
    return ((k.lt(a.start, b.start) or (k.eq(a.start, b.start) and a.start_included and not b.start_included))
            and (k.gt(a.end, b.start) or (k.eq(a.end, b.start) and a.end_included and b.start_included))
            and (k.lt(a.end, b.end) or (k.eq(a.end, b.end) and (not a.end_included or b.end_included))))


@_range_fn("overlaps after", "range1, range2")
def _overlaps_after(ctx: Any, a: Any, b: Any) -> Any:
    _ranges(a, b)
    k = _Cmp(ctx)
    return ((k.lt(b.start, a.start) or (k.eq(b.start, a.start) and b.start_included and not a.start_included))
            and (k.gt(b.end, a.start) or (k.eq(b.end, a.start) and b.end_included and a.start_included))
            and (k.lt(b.end, a.end) or (k.eq(b.end, a.end) and (not b.end_included or a.end_included))))


@_range_fn("finishes", "point, range", "range1, range2")
def _finishes(ctx: Any, a: Any, b: Any) -> Any:
    _check_args(a, b)
    k = _Cmp(ctx)
    if not _is_range(b):
        raise InvalidArgument("second argument must be a range")
    if not _is_range(a):
        return b.end_included and k.eq(b.end, a)
    return (a.end_included == b.end_included and k.eq(a.end, b.end)
            and (k.gt(a.start, b.start) or (k.eq(a.start, b.start) and (not a.start_included or b.start_included))))


@_range_fn("finished by", "range, point", "range1, range2")
def _finished_by(ctx: Any, a: Any, b: Any) -> Any:
    _check_args(a, b)
    k = _Cmp(ctx)
    if not _is_range(a):
        raise InvalidArgument("first argument must be a range")
    if not _is_range(b):
        return a.end_included and k.eq(a.end, b)
    return (a.end_included == b.end_included and k.eq(a.end, b.end)
            and (k.lt(a.start, b.start) or (k.eq(a.start, b.start) and (a.start_included or not b.start_included))))


def _includes_point(k: _Cmp, r: Range, p: Any) -> bool:
    return ((k.lt(r.start, p) and k.gt(r.end, p)) or (k.eq(r.start, p) and r.start_included)
            or (k.eq(r.end, p) and r.end_included))


def _includes_range(k: _Cmp, a: Range, b: Range) -> bool:
    return ((k.lt(a.start, b.start) or (k.eq(a.start, b.start) and (a.start_included or not b.start_included)))
            and (k.gt(a.end, b.end) or (k.eq(a.end, b.end) and (a.end_included or not b.end_included))))


@_range_fn("includes", "range, point", "range1, range2")
def _includes(ctx: Any, a: Any, b: Any) -> Any:
    _check_args(a, b)
    if not _is_range(a):
        raise InvalidArgument("first argument must be a range")
    k = _Cmp(ctx)
    return _includes_range(k, a, b) if _is_range(b) else _includes_point(k, a, b)


@_range_fn("during", "point, range", "range1, range2")
def _during(ctx: Any, a: Any, b: Any) -> Any:
    _check_args(a, b)
    if not _is_range(b):
        raise InvalidArgument("second argument must be a range")
    k = _Cmp(ctx)
    return _includes_range(k, b, a) if _is_range(a) else _includes_point(k, b, a)


@_range_fn("starts", "point, range", "range1, range2")
def _starts(ctx: Any, a: Any, b: Any) -> Any:
    _check_args(a, b)
    if not _is_range(b):
        raise InvalidArgument("second argument must be a range")
    k = _Cmp(ctx)
    if not _is_range(a):
        return b.start_included and k.eq(b.start, a)
    return (k.eq(a.start, b.start) and a.start_included == b.start_included
            and (k.lt(a.end, b.end) or (k.eq(a.end, b.end) and (not a.end_included or b.end_included))))


@_range_fn("started by", "range, point", "range1, range2")
def _started_by(ctx: Any, a: Any, b: Any) -> Any:
    _check_args(a, b)
    if not _is_range(a):
        raise InvalidArgument("first argument must be a range")
    k = _Cmp(ctx)
    if not _is_range(b):
        return a.start_included and k.eq(a.start, b)
    return (k.eq(a.start, b.start) and a.start_included == b.start_included
            and (k.lt(b.end, a.end) or (k.eq(b.end, a.end) and (not b.end_included or a.end_included))))


@_range_fn("coincides", "point1, point2", "range1, range2")
def _coincides(ctx: Any, a: Any, b: Any) -> Any:
    _check_args(a, b)
    k = _Cmp(ctx)
    if _is_range(a) != _is_range(b):
        raise InvalidArgument("arguments must both be points or both be ranges")
    if not _is_range(a):
        return k.eq(a, b)
    return (k.eq(a.start, b.start) and a.start_included == b.start_included
            and k.eq(a.end, b.end) and a.end_included == b.end_included)
