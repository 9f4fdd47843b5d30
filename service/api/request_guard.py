"""Requests no database can store: NUL characters in the path, the query or a JSON body; and JSON
nested beyond what the parser can read (which would otherwise surface as a server error).

PostgreSQL refuses NUL in text, which would surface as a server error deep inside a query; Camunda
answers such input with a 400, and so does this check, before any resource runs.
"""
from __future__ import annotations

import json
from typing import Any

from flask import request

from .errors import invalid


def _has_nul(value: Any) -> bool:
    """Walks iteratively: a body nested as deep as the JSON parser allows must not exhaust the stack."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


# Far below the nesting at which the JSON parser recurses too deeply (about the recursion limit).
_SAFE_OPENINGS = 200


def _plainly_clean(raw: bytes) -> bool:
    """True when the body cannot hold a NUL or nest too deeply, judged on the bytes without parsing
    (the resource parses it anyway). In JSON a NUL inside a string is the escape \\u0000 (a raw control
    character is malformed JSON); a body with a NUL byte may be UTF-16/32 JSON and is parsed to be sure.
    Fewer opening brackets than _SAFE_OPENINGS cannot nest deeper than that."""
    return (b"\x00" not in raw and b"\\u0000" not in raw
            and raw.count(b"[") + raw.count(b"{") < _SAFE_OPENINGS)


def reject_nul() -> None:
    if "\x00" in request.path or any(_has_nul(k) or _has_nul(v) for k, v in request.args.items(multi=True)):
        raise invalid("The request URL contains a NUL character")
    if request.mimetype == "multipart/form-data":
        names = list(request.form.keys()) + list(request.files.keys())
        if any(not isinstance(n, str) or not n or "\r" in n or "\n" in n for n in names):
            raise invalid("A part of the multipart form has no usable name (Content-Disposition name)")
        if any(_has_nul(k) or _has_nul(v) for k, v in request.form.items(multi=True)) or any(
                _has_nul(f.filename or "") for f in request.files.values()):
            raise invalid("A form field of the request contains a NUL character")
        return
    raw = request.get_data(cache=True)
    if not raw or not raw.strip() or _plainly_clean(raw):
        return
    try:
        # Resources read the body as JSON whatever its content type, so it is checked the same way.
        body = json.loads(raw)
    except RecursionError:
        raise invalid("The JSON request body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        return                # malformed JSON: the resource names the problem
    if _has_nul(body):
        raise invalid("The request body contains a NUL character (\\u0000)")


__all__ = ["reject_nul"]
