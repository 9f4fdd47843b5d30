"""Context functions (DMN 1.3, 10.3.4.8)."""
from __future__ import annotations

from typing import Any

from .. import ops
from .args import arg_list, arg_string
from .registry import InvalidArgument, builtin


def _context(v: Any, what: str = "context") -> dict:
    if type(v) is not dict:
        raise InvalidArgument(f"{what} must be a context, got {ops.kind(v)}")
    return v


@builtin("get value", "m, key")
def _get_value(ctx: Any, m: Any, key: Any) -> Any:
    return _context(m, "m").get(arg_string(key, "key"))


@builtin("get entries", "m")
def _get_entries(ctx: Any, m: Any) -> Any:
    return [{"key": k, "value": v} for k, v in _context(m, "m").items()]


@builtin("context put", "context, key, value", "context, keys, value")
def _context_put(ctx: Any, context: Any, key: Any, value: Any, named_as: tuple[str, ...] | None = None) -> Any:
    result = dict(_context(context))
    if type(key) is list and named_as is not None and "key" in named_as:
        raise InvalidArgument("key must be a string (a list of keys is passed as keys)")
    if type(key) is list:
        # DMN 1.5 nested form: context put(context, keys, value); positionally a list is keys.
        if not key:
            raise InvalidArgument("keys must not be empty")
        head, rest = arg_string(key[0], "key"), key[1:]
        if not rest:
            result[head] = value
        else:
            result[head] = _context_put(ctx, result.get(head, {}), rest, value)
        return result
    result[arg_string(key, "key")] = value
    return result


_context_put.by_name = True  # type: ignore[attr-defined]


@builtin("context", "entries")
def _context_of(ctx: Any, entries: Any) -> Any:
    """DMN 1.5: the context of a list of {key, value} entries (one entry alone is a singleton list);
    a missing or non-string key, a missing value or a duplicate key is null."""
    result: dict[str, Any] = {}
    for entry in arg_list(entries, "entries"):
        entry = _context(entry, "each entry")
        if "key" not in entry or "value" not in entry:
            raise InvalidArgument("each entry needs a key and a value")
        key = entry["key"]
        if type(key) is not str:
            raise InvalidArgument(f"an entry key must be a string, got {ops.kind(key)}")
        if key in result:
            raise InvalidArgument(f"duplicate key {key!r}")
        result[key] = entry["value"]
    return result


@builtin("context merge", "contexts")
def _context_merge(ctx: Any, contexts: Any) -> Any:
    result: dict[str, Any] = {}
    for c in arg_list(contexts, "contexts"):
        result.update(_context(c, "each item of contexts"))
    return result
