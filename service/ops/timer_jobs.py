"""Schedules of timer start events: when the next instance is due.

A start timer has no process variables, so its text is a literal ISO 8601 date, duration, repeating
interval or Quartz cron (parsed by `service.engine.timers`), or a JUEL expression evaluated with none.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from .errors import BadRequest


def _literal(text: str, now: datetime) -> Any:
    stripped = text.strip()
    if stripped.startswith(("${", "#{")):
        from service.expr import juel
        return juel.compile(stripped).evaluate({}, now=now)
    return stripped


def _kind(value: str) -> str:
    from service.engine import timers

    if timers.is_cron(value) or value.upper().startswith("R"):
        return "cycle"
    if value.upper().startswith("P"):
        return "duration"
    return "date"


def first_due(text: str, now: datetime) -> tuple[datetime | None, int | None]:
    """(first due time, repetitions left after that one; None = unbounded or one-shot)."""
    from service.engine import timers

    try:
        value = _literal(text, now)
        if not isinstance(value, str):
            return timers.due_from_value("date", value, now), None
        kind = _kind(value)
        if kind == "cycle":
            cycle = timers.parse_cycle(value)
            reps = None if cycle.repetitions < 0 else cycle.repetitions - 1
            if cycle.repetitions == 0:
                return None, 0
            return cycle.first(now), reps
        return timers.due_from_value(kind, value, now), None
    except BadRequest:
        raise
    except Exception as exc:   # TimerSyntaxError, ExpressionError: a deploy-time problem of the model
        raise BadRequest(f"timer start event '{text}': {exc}") from exc


def following_due(text: str, previous_due: datetime, now: datetime,
                  repetitions_left: int | None) -> tuple[datetime | None, int | None]:
    """The due time after a firing; missed occurrences while the service was down are skipped."""
    from service.engine import timers

    value = _literal(text, now)
    if not isinstance(value, str) or _kind(value) != "cycle":
        return None, None
    if repetitions_left is not None and repetitions_left <= 0:
        return None, 0
    cycle = timers.parse_cycle(value)
    due = cycle.following(previous_due)
    while due <= now:
        due = cycle.following(due)
    return due, (None if repetitions_left is None else repetitions_left - 1)


__all__ = ["first_due", "following_due"]
