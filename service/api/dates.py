"""Camunda's REST date format: `yyyy-MM-dd'T'HH:mm:ss.SSSZ`, e.g. 2026-01-05T08:00:00.000+0000."""
from __future__ import annotations

from datetime import date, datetime, timezone

from dateutil import parser as date_parser


class DateFormatError(ValueError):
    pass


def format_date(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def parse_date(text: str) -> datetime:
    """Camunda's format and ISO 8601 variants; a date without offset is read as UTC."""
    if not isinstance(text, str) or not text.strip():
        raise DateFormatError(f"Cannot parse date '{text}': expected yyyy-MM-dd'T'HH:mm:ss.SSSZ")
    try:
        value = date_parser.isoparse(text.strip())
    except (ValueError, OverflowError) as exc:
        raise DateFormatError(
            f"Cannot parse date '{text}': expected yyyy-MM-dd'T'HH:mm:ss.SSSZ (e.g. 2026-01-05T08:00:00.000+0000)"
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


__all__ = ["format_date", "parse_date", "DateFormatError"]
