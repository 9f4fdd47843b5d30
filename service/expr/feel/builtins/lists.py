"""List functions (DMN 1.3, 10.3.4.4)."""
from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from .. import ops
from ..values import (DECIMAL_CONTEXT, BuiltinFunction, DaysTimeDuration, FeelDate, FeelFunction,
                      YearsMonthsDuration)
from .args import arg_integer, arg_list, arg_position, check_size
from .registry import InvalidArgument, builtin


@builtin("list contains", "list, element")
def _list_contains(ctx: Any, items: Any, element: Any) -> Any:
    return ops.list_contains(ctx, arg_list(items), element)


@builtin("count", "list")
def _count(ctx: Any, items: Any) -> Any:
    return Decimal(len(arg_list(items)))


def _extreme(ctx: Any, items: list, sign: int) -> Any:
    if not items:
        return None
    best = items[0]
    for v in items[1:]:
        c = ops.compare(ctx, v, best)
        if c is None:
            raise InvalidArgument("items are not comparable")
        if c * sign > 0:
            best = v
    if len(items) == 1 and ops.compare(ctx, best, best) is None:
        raise InvalidArgument("item is not comparable")
    return best


@builtin("min", "list", "c...")
def _min(ctx: Any, first: Any, rest: Any = None) -> Any:
    return _extreme(ctx, _varargs(first, rest), -1)


@builtin("max", "list", "c...")
def _max(ctx: Any, first: Any, rest: Any = None) -> Any:
    return _extreme(ctx, _varargs(first, rest), 1)


def _varargs(first: Any, rest: Any) -> list:
    # Called either as f(list) -> first is the list, or f(c1, ..., cN) -> first is all items.
    if rest is not None:
        raise InvalidArgument("internal binding error")
    if type(first) is list:
        return first
    if first is None:
        raise InvalidArgument("list must not be null")
    return [first]


def _numbers(items: list) -> list[Decimal]:
    for v in items:
        if type(v) is not Decimal:
            raise InvalidArgument(f"all items must be numbers, found {ops.kind(v)}")
    return items


def _total(items: list[Decimal]) -> Decimal:
    total = Decimal(0)
    for v in items:
        total = DECIMAL_CONTEXT.add(total, v)
    return total


@builtin("sum", "list", "n...")
def _sum(ctx: Any, first: Any) -> Any:
    items = _numbers(_varargs(first, None))
    if not items:
        return None
    return ops.check_number(ctx, _total(items))


@builtin("mean", "list", "n...")
def _mean(ctx: Any, first: Any) -> Any:
    items = _numbers(_varargs(first, None))
    if not items:
        return None
    return ops.check_number(ctx, DECIMAL_CONTEXT.divide(_total(items), Decimal(len(items))))


@builtin("all", "list", "b...")
def _all(ctx: Any, first: Any) -> Any:
    items = _varargs(first, None)
    if any(v is False for v in items):
        return False
    if all(v is True for v in items):
        return True
    return None


@builtin("any", "list", "b...")
def _any(ctx: Any, first: Any) -> Any:
    items = _varargs(first, None)
    if any(v is True for v in items):
        return True
    if all(v is False for v in items):
        return False
    return None


@builtin("sublist", "list, start position, length?")
def _sublist(ctx: Any, items: Any, start: Any, length: Any) -> Any:
    values = arg_list(items)
    first = arg_position(start, len(values))
    check_size(ctx, len(values) - first)
    if length is None:
        return values[first:]
    count = arg_integer(length, "length")
    if count < 0 or first + count > len(values):
        raise InvalidArgument("length out of range")
    return values[first:first + count]


@builtin("append", "list, item...")
def _append(ctx: Any, items: Any, extra: Any) -> Any:
    values = arg_list(items)
    check_size(ctx, len(values) + len(extra))
    return [*values, *extra]


@builtin("concatenate", "list...")
def _concatenate(ctx: Any, lists: Any) -> Any:
    out: list[Any] = []
    for v in lists:
        out.extend(arg_list(v))
        check_size(ctx, len(out))
    return out


@builtin("insert before", "list, position, newItem")
def _insert_before(ctx: Any, items: Any, position: Any, new_item: Any) -> Any:
    values = arg_list(items)
    i = arg_position(position, len(values))
    check_size(ctx, len(values) + 1)
    return [*values[:i], new_item, *values[i:]]


@builtin("remove", "list, position")
def _remove(ctx: Any, items: Any, position: Any) -> Any:
    values = arg_list(items)
    i = arg_position(position, len(values))
    check_size(ctx, len(values))
    return [*values[:i], *values[i + 1:]]


@builtin("list replace", "list, position, newItem", "list, match, newItem")
def _list_replace(ctx: Any, items: Any, position: Any, new_item: Any) -> Any:
    """DMN 1.5: the item at a position, or every item for which match(item, newItem) is true, replaced."""
    values = arg_list(items)
    check_size(ctx, len(values))
    if type(position) in (FeelFunction, BuiltinFunction):
        if type(position) is FeelFunction and len(position.params) != 2:
            raise InvalidArgument("match must be a function of two parameters (item, newItem)")
        result = []
        for item in values:
            ctx.tick()
            matched = ctx.invoke(position, [item, new_item])
            if type(matched) is not bool:
                raise InvalidArgument("match must return a boolean")
            result.append(new_item if matched else item)
        return result
    i = arg_position(position, len(values), "position")
    return [*values[:i], new_item, *values[i + 1:]]


@builtin("reverse", "list")
def _reverse(ctx: Any, items: Any) -> Any:
    values = arg_list(items)
    check_size(ctx, len(values))
    return list(reversed(values))


@builtin("index of", "list, match")
def _index_of(ctx: Any, items: Any, match: Any) -> Any:
    return [Decimal(i + 1) for i, v in enumerate(arg_list(items)) if ops.equal(ctx, v, match) is True]


def _distinct(ctx: Any, values: list) -> list:
    out: list[Any] = []
    seen: set[tuple[type, Any]] = set()
    others: list[Any] = []
    ctx.tick(len(values))
    for v in values:
        t = type(v)
        if t in _HASHABLE:
            # FEEL equality of these types is Python equality within the same type.
            key = (t, v)
            if key in seen:
                continue
            seen.add(key)
        elif ops.list_contains(ctx, others, v):
            continue
        else:
            others.append(v)
        out.append(v)
    return out


_HASHABLE = frozenset({str, bool, Decimal, FeelDate, YearsMonthsDuration, DaysTimeDuration})


@builtin("union", "list...")
def _union(ctx: Any, lists: Any) -> Any:
    combined: list[Any] = []
    for v in lists:
        combined.extend(arg_list(v))
        check_size(ctx, len(combined))
    return _distinct(ctx, combined)


@builtin("distinct values", "list")
def _distinct_values(ctx: Any, items: Any) -> Any:
    return _distinct(ctx, arg_list(items))


@builtin("flatten", "list")
def _flatten(ctx: Any, items: Any) -> Any:
    out: list[Any] = []

    def walk(values: list, depth: int) -> None:
        if depth > ctx.limits.max_depth:
            ctx.limit("list nested too deeply")
        for v in values:
            if type(v) is list:
                walk(v, depth + 1)
            else:
                out.append(v)
                if len(out) > ctx.limits.max_collection:
                    check_size(ctx, len(out))
    walk(arg_list(items), 0)
    return out


@builtin("product", "list", "n...")
def _product(ctx: Any, first: Any) -> Any:
    items = _numbers(_varargs(first, None))
    if not items:
        return None
    total = Decimal(1)
    for v in items:
        total = DECIMAL_CONTEXT.multiply(total, v)
    return ops.check_number(ctx, total)


@builtin("median", "list", "n...")
def _median(ctx: Any, first: Any) -> Any:
    items = sorted(_numbers(_varargs(first, None)))
    if not items:
        return None
    mid = len(items) // 2
    if len(items) % 2:
        return items[mid]
    return DECIMAL_CONTEXT.divide(DECIMAL_CONTEXT.add(items[mid - 1], items[mid]), Decimal(2))


@builtin("stddev", "list", "n...")
def _stddev(ctx: Any, first: Any) -> Any:
    items = _numbers(_varargs(first, None))
    if len(items) < 2:
        return None
    c = DECIMAL_CONTEXT
    n = Decimal(len(items))
    mean = c.divide(sum(items, Decimal(0)), n)
    variance = c.divide(sum((c.power(c.subtract(v, mean), 2) for v in items), Decimal(0)), c.subtract(n, 1))
    return c.sqrt(variance)


@builtin("mode", "list", "n...")
def _mode(ctx: Any, first: Any) -> Any:
    items = _numbers(_varargs(first, None))
    counts: dict[Decimal, int] = {}
    for v in items:
        key = v.normalize(DECIMAL_CONTEXT)
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return []
    top = max(counts.values())
    return sorted(k for k, c in counts.items() if c == top)


@builtin("sort", "list, precedes?")
def _sort(ctx: Any, items: Any, precedes: Any) -> Any:
    values = arg_list(items)
    ctx.tick(len(values))
    if precedes is None:
        def cmp(a: Any, b: Any) -> int:
            ctx.tick()
            c = ops.compare(ctx, a, b)
            if c is None:
                raise InvalidArgument("items are not comparable")
            return c
    else:
        if type(precedes) not in (FeelFunction, BuiltinFunction):
            raise InvalidArgument("precedes must be a function")

        def cmp(a: Any, b: Any) -> int:
            ctx.tick()
            if ctx.invoke(precedes, [a, b]) is True:
                return -1
            if ctx.invoke(precedes, [b, a]) is True:
                return 1
            return 0
    return sorted(values, key=functools.cmp_to_key(cmp))
