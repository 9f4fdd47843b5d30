"""Working-day arithmetic for the pages: counts and deadlines that never fail a page.

Outside the calendar's years (or without a calendar) a page is better served by calendar days than by an
error, so these fall back instead of raising.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

from service.engine.workdays import CalendarError


def working_days_between(calendar: Any, start: datetime, end: datetime) -> int:
    """Working days from `start` to `end`; calendar days where the calendar cannot count."""
    try:
        return int(calendar.working_days_between(start, end))
    except (CalendarError, AttributeError):
        return (end.date() - start.date()).days


def deadline(calendar: Any, start: datetime, waktu: str, *, calendar_days: bool) -> datetime | None:
    """`start` plus the ISO duration `waktu` in working (or calendar) days; None when it cannot be computed."""
    try:
        end = calendar.add(start, waktu, calendar_days=calendar_days)
    except (CalendarError, ValueError, AttributeError):
        return None
    return end if isinstance(end, datetime) else None


def due_today_until(calendar: Any, now: datetime) -> datetime:
    """The first moment a due date is no longer "due today" (`working_days_between(now, due) <= 0`): the start
    of the next working day in the calendar's zone; the next calendar day where the calendar cannot count.
    Lets a list filter "due today" in SQL."""
    try:
        local = now.astimezone(calendar.tz)
        day = calendar.next_working_day(local.date())
        return datetime.combine(day, time(), tzinfo=calendar.tz).astimezone(now.tzinfo or timezone.utc)
    except (CalendarError, AttributeError, OverflowError):
        return datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo or timezone.utc)


__all__ = ["working_days_between", "deadline", "due_today_until"]
