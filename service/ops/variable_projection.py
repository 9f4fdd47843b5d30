"""The variable projection (store `VariableValue`): the typed process variables of each running instance,
written in the save's transaction so Camunda's variable filters run in SQL.

Only what changed is written: the engine's history already names every variable set or removed by an
action (`variable_set` / `variable_removed`), so a save deletes and re-inserts those names and nothing
else. The names projected are kept in the instance row's `projected["variables"]`; a row without that key
(a new instance, or one last saved before this projection existed) is projected in full once.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam
from sqlalchemy.orm import Session

from service.store import VariableValue, table_of
from service.store.variables import MAX_TEXT

if TYPE_CHECKING:
    from service.engine.info import HistoryEvent

_TABLE = table_of(VariableValue)
_INSERT = _TABLE.insert().inline()
_DELETE_NAME = _TABLE.delete().where(_TABLE.c.instance_id == bindparam("iid"), _TABLE.c.task_id.is_(None),
                                     _TABLE.c.name == bindparam("vname"))
_DELETE_ALL = _TABLE.delete().where(_TABLE.c.instance_id == bindparam("iid"))


def typed_columns(value: Any) -> dict[str, Any]:
    """kind, text_value, number_value and date_value of one plain value (see store.variables)."""
    out: dict[str, Any] = {"kind": "object", "text_value": None, "number_value": None, "date_value": None}
    if value is None:
        out["kind"] = "null"
    elif isinstance(value, bool):
        out.update(kind="boolean", number_value=1.0 if value else 0.0)
    elif isinstance(value, (int, float, Decimal)):
        number = _float(value)
        if number is not None:
            out.update(kind="number", number_value=number)
    elif isinstance(value, str):
        if len(value) <= MAX_TEXT:
            out.update(kind="string", text_value=value)
        else:
            out["kind"] = "text"
    elif isinstance(value, datetime):
        out.update(kind="date", date_value=value if value.tzinfo else value.replace(tzinfo=timezone.utc))
    elif isinstance(value, date):
        out.update(kind="date", date_value=datetime.combine(value, time(), tzinfo=timezone.utc))
    return out


def _float(value: int | float | Decimal) -> float | None:
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _changes(events: Iterable[HistoryEvent]) -> dict[str, tuple[bool, Any]]:
    """name -> (still set, value) for every variable the events set or remove; the last event wins."""
    changed: dict[str, tuple[bool, Any]] = {}
    for event in events:
        if event.kind == "variable_set":
            changed[event.data["name"]] = (True, event.data.get("value"))
        elif event.kind == "variable_removed":
            changed[event.data["name"]] = (False, None)
    return changed


def names_after(names_before: list[str] | None, events: Iterable[HistoryEvent], *, ended: bool,
                current: Mapping[str, Any] | None) -> list[str]:
    """The names projected once `project` has run with the same arguments (kept in `projected`)."""
    if ended:
        return []
    if names_before is None:
        return sorted(current or {})
    names = set(names_before)
    for name, (present, _) in _changes(events).items():
        if present:
            names.add(name)
        else:
            names.discard(name)
    return sorted(names)


def project(session: Session, instance_id: str, events: Iterable[HistoryEvent], *, ended: bool,
            names_before: list[str] | None, current: Mapping[str, Any] | None) -> None:
    """Write the instance's variable changes.

    `names_before` None means nothing is known to be projected: `current` (every variable) is written in
    full. An ended instance keeps no rows (Camunda's runtime variables end with their instance)."""
    connection = session.connection()
    if ended:
        if names_before is None or names_before:
            connection.execute(_DELETE_ALL, {"iid": instance_id})
        return
    if names_before is None:
        connection.execute(_DELETE_ALL, {"iid": instance_id})
        _insert(session, instance_id, dict(current or {}))
        return
    changed = _changes(events)
    if not changed:
        return
    known = set(names_before)
    stale = [{"iid": instance_id, "vname": name} for name in changed if name in known]
    if stale:
        connection.execute(_DELETE_NAME, stale)
    _insert(session, instance_id, {name: value for name, (present, value) in changed.items() if present})


def _insert(session: Session, instance_id: str, values: Mapping[str, Any]) -> None:
    rows = [{"instance_id": instance_id, "task_id": None, "name": name, **typed_columns(value)}
            for name, value in values.items()]
    if rows:
        session.connection().execute(_INSERT, rows)


def forget(session: Session, instance_id: str) -> None:
    """Drop an instance's rows (cancelled: its variables are no longer runtime variables)."""
    session.connection().execute(_DELETE_ALL, {"iid": instance_id})


__all__ = ["typed_columns", "names_after", "project", "forget"]
