"""What crosses between the engine and a JavaScript script: JSON values, and the facade's allow-listed calls.

Values (docs/SCRIPTS.md): null, booleans, numbers, texts, arrays and plain objects cross as themselves;
a timezone-aware `datetime` becomes a JS `Date` and a `Date` comes back as a UTC `datetime`; a `date`
becomes the text `YYYY-MM-DD`, a `time` `HH:MM:SS`, a `Decimal` a Number, a FEEL duration its ISO 8601
text (JavaScript has none of these). Dates travel as ISO texts plus the list of their paths, so no text a
user wrote is ever mistaken for a date.

The facade: before the script runs, the host asks the `execution` (and `task`) object for the answers of
its read methods in READS; the script's write calls are recorded in order and replayed afterwards on the
host object, only for the method names in WRITES. No Python object reaches the script.
"""
from __future__ import annotations

import json
import math
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

READS = {
    "execution": ("getBusinessKey", "getProcessInstanceId", "getProcessDefinitionId", "getTenantId", "getId",
                  "getCurrentActivityId", "getCurrentActivityName", "getActivityInstanceId", "getEventName"),
    "task": ("getId", "getName", "getDescription", "getTaskDefinitionKey", "getEventName", "getCreateTime",
             "getAssignee", "getOwner", "getPriority", "getDueDate", "getFollowUpDate", "getCandidates",
             "getProcessInstanceId", "getProcessDefinitionId", "getExecutionId", "getTenantId"),
}
WRITES = {
    "execution": frozenset({"setVariable", "setVariableLocal", "removeVariable", "removeVariableLocal"}),
    "task": frozenset({"setName", "setDescription", "setAssignee", "setOwner", "setPriority", "setDueDate",
                       "setFollowUpDate", "addCandidateUser", "addCandidateUsers", "addCandidateGroup",
                       "addCandidateGroups", "deleteCandidateUser", "deleteCandidateGroup"}),
}


class BoundaryError(ValueError):
    """A value that cannot cross, or a write the facade does not allow; the message names it."""


def to_json(value: Any, dates: list[list[Any]], path: list[Any]) -> Any:
    """A plain engine value as JSON, recording the paths of date-times in `dates`."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, datetime):
        dates.append(list(path))
        aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
        return aware.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, list):
        out = []
        for i, item in enumerate(value):
            path.append(i)
            out.append(to_json(item, dates, path))
            path.pop()
        return out
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            path.append(str(key))
            result[str(key)] = to_json(item, dates, path)
            path.pop()
        return result
    return str(value)       # FEEL durations: their ISO 8601 text


def from_json(value: Any, dates: Any) -> Any:
    """The harness's JSON back to plain values: the texts at the paths in `dates` become UTC datetimes."""
    if not isinstance(dates, list):
        raise BoundaryError("the script's answer is malformed")
    for path in dates:
        if not isinstance(path, list):
            raise BoundaryError("the script's answer is malformed")
        if not path:
            value = _date(value)
            continue
        holder = value
        try:
            for key in path[:-1]:
                holder = holder[key]
            holder[path[-1]] = _date(holder[path[-1]])
        except (KeyError, IndexError, TypeError):
            raise BoundaryError("the script's answer is malformed") from None
    return value


def _date(text: Any) -> datetime:
    if not isinstance(text, str):
        raise BoundaryError("the script's answer is malformed")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BoundaryError(f"the script returned a Date outside the years 1-9999 ({text})") from None
    return parsed.astimezone(timezone.utc)


def _is_task(facade: Any) -> bool:
    return callable(getattr(facade, "getTaskDefinitionKey", None))


def _reads(target: Any, names: tuple[str, ...], dates: list[list[Any]]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for name in names:
        method = getattr(target, name, None)
        if callable(method):
            answers[name] = to_json(method(), dates, [name])
    return answers


def harness_input(facade: Any, variables: dict[str, Any] | None, max_bytes: int) -> str:
    """The JSON text the harness reads: variables, local names, the facade's read answers."""
    if variables is None:
        variables = facade.getVariables() if facade is not None else {}
    variable_dates: list[list[Any]] = []
    payload: dict[str, Any] = {"variables": to_json(dict(variables), variable_dates, []),
                               "variableDates": variable_dates, "maxBytes": max_bytes}
    if facade is not None:
        execution = facade.getExecution() if _is_task(facade) else facade
        read_dates: list[list[Any]] = []
        execution_dates: list[list[Any]] = []
        reads = {"execution": _reads(execution, READS["execution"], execution_dates)}
        read_dates.extend(["execution", *p] for p in execution_dates)
        task_dates: list[list[Any]] = []
        if _is_task(facade):
            reads["task"] = _reads(facade, READS["task"], task_dates)
            read_dates.extend(["task", *p] for p in task_dates)
            payload["task"] = True
        locals_of = getattr(execution, "getVariableNamesLocal", None) or getattr(execution, "getVariablesLocal", None)
        payload["locals"] = list(locals_of()) if callable(locals_of) else []
        payload["reads"] = reads
        payload["readDates"] = read_dates
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def replay(facade: Any, ops: Any) -> None:
    """Apply the script's recorded writes to the host facade, allow-listed, in the order the script made them."""
    if not ops:
        return
    if facade is None:
        raise BoundaryError("this script has no execution: it can only compute a value")
    if not isinstance(ops, list):
        raise BoundaryError("the script's answer is malformed")
    targets = {"execution": facade.getExecution() if _is_task(facade) else facade}
    if _is_task(facade):
        targets["task"] = facade
    for op in ops:
        if not (isinstance(op, list) and len(op) == 4 and isinstance(op[2], list)):
            raise BoundaryError("the script's answer is malformed")
        target, method, args, dates = op
        if target not in targets or method not in WRITES.get(target, ()):
            raise BoundaryError(f"{target}.{method} is not available to scripts")
        getattr(targets[target], method)(*from_json(args, dates))


__all__ = ["to_json", "from_json", "harness_input", "replay", "READS", "WRITES", "BoundaryError"]
