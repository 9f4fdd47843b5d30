"""JSON bodies a process cannot hold, refused at the edge with a 400 naming the field.

- a lone UTF-16 surrogate (`"\\ud800"`): valid JSON, but no UTF-8 text; PostgreSQL would store it broken
  (or fail) and every page and history query reading it later would fail;
- `NaN`, `Infinity`, `-Infinity`: not JSON at all, but Python's parser accepts them; as a Double they would
  be answered as invalid JSON.
Business keys, message names, query filters and variables all arrive in JSON bodies, so one check covers them.
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask import request

from .errors import invalid

# Bodies without a \\uD800-\\uDFFF escape and without the constants' letters need no parsing here.
_SUSPECT = re.compile(rb"\\u[dD][89a-fA-F]|NaN|Infinity")


class _NonFinite(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NonFinite(name)


def reject_unstorable_json() -> None:
    if request.mimetype == "multipart/form-data":
        return
    raw = request.get_data(cache=True)
    if not raw or not _SUSPECT.search(raw):
        return
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except _NonFinite as exc:
        raise invalid(f"The request body contains {exc.args[0]}, which is not a JSON number: numbers must be "
                      f"finite") from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        return                # malformed or too deep: request_guard and the resource name the problem
    field = _surrogate_field(body)
    if field is not None:
        raise invalid(f"The request body has a lone UTF-16 surrogate in {field}: text must be valid Unicode")


def _surrogate_field(body: Any) -> str | None:
    """The path of the first string (or key) holding a lone surrogate; iterative, any depth."""
    stack: list[tuple[Any, str]] = [(body, "the body")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if not _encodable(item):
                return path
        elif isinstance(item, dict):
            for key, value in item.items():
                name = key.encode("utf-8", "backslashreplace").decode()
                if not _encodable(key):
                    return f"the name of a field of {path} ('{name}')"
                stack.append((value, f"'{name}'" if path == "the body" else f"{path}.{name}"))
        elif isinstance(item, list):
            stack.extend((value, f"{path}[{i}]") for i, value in enumerate(item))
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


__all__ = ["reject_unstorable_json"]
