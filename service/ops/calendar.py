"""Working-day arithmetic for the pages: counts and deadlines that never fail a page.

Outside the calendar's years (or without a calendar) a page is better served by calendar days than by an
error, so these fall back instead of raising.
"""
from __future__ import annotations

from datetime import datetime
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


__all__ = ["working_days_between", "deadline"]
