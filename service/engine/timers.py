"""Camunda timer texts: ISO 8601 dates, durations, repeating intervals and Quartz cron.

Camunda Modeler writes timer definitions unquoted (``PT1H``, ``R3/PT1H``, ``0 0 9 * * ?``); they are
literal texts, not expressions, unless they are JUEL (``${...}``), in which case the value of the
expression is the timer text (or directly a datetime). The functions here never evaluate anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import isodate
from croniter import croniter
from croniter.croniter import CroniterError

_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?/,#\-LW]+$")
_DOW_ITEM = re.compile(r"^(?P<first>\d+|[A-Za-z]{3}|\*)(?:-(?P<last>\d+|[A-Za-z]{3}))?"
                       r"(?:(?P<hash>#\d+)|(?P<step>/\d+)|(?P<last_of>L))?$")
MAX_DURATION_SECONDS = 1000 * 366 * 86400.0
# Missed occurrences are skipped arithmetically; this bounds the adjustment steps after the estimate.
_MAX_ADJUST = 64


class TimerSyntaxError(ValueError):
    """The timer text is not a valid date, duration, cycle or cron expression."""


def to_utc(value: datetime) -> datetime:
    # Naive timer dates are read as UTC: the server has no business timezone of its own.
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def parse_date(text: str) -> datetime:
    text = text.strip()
    try:
        if "T" not in text.upper():
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)
        return to_utc(isodate.parse_datetime(text))
    except (ValueError, OverflowError, isodate.ISO8601Error) as exc:
        raise TimerSyntaxError(f"'{text}' is not an ISO 8601 date/time") from exc


def parse_duration(text: str, *, positive: bool = True) -> timedelta | isodate.Duration:
    """An ISO 8601 duration. A cycle's period must be `positive`; a one-shot timer's may be zero or negative
    ("-PT1H"): Camunda makes such a timer due at once (it fires at the next timer run)."""
    text = text.strip()
    negative = not positive and text.startswith("-")
    if negative:
        text = text[1:]
    if not text.upper().startswith("P") or not any(c.isdigit() for c in text) or "-" in text:
        raise TimerSyntaxError(f"'{text}' is not an ISO 8601 duration (e.g. PT1H, P5D)")
    try:
        value = isodate.parse_duration(text)
        # A duration must fit the calendar from today's dates on (P99999999Y does not).
        seconds = _as_seconds(value, datetime(2026, 1, 1, tzinfo=timezone.utc))
        if seconds > MAX_DURATION_SECONDS:
            raise OverflowError(text)
    except (ValueError, OverflowError, isodate.ISO8601Error) as exc:
        raise TimerSyntaxError(f"'{text}' is not an ISO 8601 duration of at most 1000 years "
                               "(e.g. PT1H, P5D)") from exc
    if positive and seconds <= 0:
        raise TimerSyntaxError(f"duration '{text}' must be positive")
    return -value if negative else value


def _as_seconds(duration: timedelta | isodate.Duration, start: datetime) -> float:
    return ((start + duration) - start).total_seconds()


def is_cron(text: str) -> bool:
    parts = text.split()
    return len(parts) in (6, 7) and all(_CRON_FIELD.match(p) for p in parts)


def quartz_to_croniter(text: str) -> str:
    """Convert a Quartz cron (sec min hour dom month dow [year]) to croniter's seconds-first form."""
    parts = text.split()
    if len(parts) not in (6, 7):
        raise TimerSyntaxError(f"'{text}' is not a Quartz cron expression (6 or 7 fields)")
    if len(parts) == 7:
        if parts[6] not in ("*", "?"):
            raise TimerSyntaxError(f"cron '{text}': a year field other than '*' is not supported")
        parts = parts[:6]
    sec, minute, hour, dom, month, dow = parts
    dom = "*" if dom == "?" else dom
    if dow == "?":
        dow = "*"
    else:
        dow = _quartz_dow(dow, text)
    expr = " ".join([minute, hour, dom, month, dow, sec])
    try:
        croniter(expr, datetime(2026, 1, 1, tzinfo=timezone.utc)).get_next(datetime)
    except (ValueError, KeyError, CroniterError) as exc:
        # CroniterBadDateError: a schedule that never occurs (30 February)
        raise TimerSyntaxError(f"'{text}' is not a valid cron expression (or never occurs): {exc}") from exc
    return expr


def _quartz_day(token: str, text: str) -> str:
    # Quartz numbers Sunday as 1 ... Saturday as 7; croniter uses 0 ... 6. Names are the same in both.
    if not token.isdigit():
        return token
    number = int(token)
    if not 1 <= number <= 7:
        raise TimerSyntaxError(f"cron '{text}': day of week {number} is out of range (1-7, 1 = Sunday)")
    return str(number - 1)


def _quartz_dow(field: str, text: str) -> str:
    """Convert a Quartz day-of-week field item by item: only day numbers change, never the `#n`
    occurrence or the `/n` step; Quartz `nL` (last weekday n of the month) is croniter's `Ln`."""
    if field.startswith("*"):
        return field
    items = []
    for item in field.split(","):
        if item.upper() == "L":
            items.append("6")   # a lone L in the day-of-week field is Saturday
            continue
        match = _DOW_ITEM.match(item)
        if match is None:
            raise TimerSyntaxError(f"cron '{text}': day of week '{item}' is not supported")
        first = _quartz_day(match["first"], text) if match["first"] != "*" else "*"
        if match["last_of"]:
            if match["last"]:
                raise TimerSyntaxError(f"cron '{text}': day of week '{item}' is not supported")
            items.append(f"L{first}")
            continue
        converted = first + (f"-{_quartz_day(match['last'], text)}" if match["last"] else "")
        items.append(converted + (match["hash"] or match["step"] or ""))
    return ",".join(items)


def cron_next(expr: str, after: datetime) -> datetime:
    try:
        return to_utc(croniter(expr, after).get_next(datetime))
    except (ValueError, KeyError, OverflowError, CroniterError) as exc:
        raise TimerSyntaxError(f"cron '{expr}' has no next occurrence: {exc}") from exc


@dataclass(frozen=True)
class Cycle:
    """A parsed timeCycle: a repeating ISO interval or a cron schedule."""

    repetitions: int          # -1 = unbounded
    start: datetime | None    # explicit start of an ISO interval (R/<start>/<period>)
    period: str | None        # ISO duration text
    cron: str | None          # croniter expression (seconds last)
    end: datetime | None = None   # R/<period>/<end>: no occurrence after this time

    def first(self, now: datetime) -> datetime:
        if self.cron is not None:
            return cron_next(self.cron, now)
        if self.start is not None:
            return self.start
        return now + parse_duration(self.period or "")

    def following(self, previous: datetime) -> datetime:
        if self.cron is not None:
            return cron_next(self.cron, previous)
        return previous + parse_duration(self.period or "")

    def shortest_period(self, now: datetime) -> float:
        """Seconds between occurrences: the period of an interval, the shortest gap of a cron's next ones."""
        if self.cron is None:
            return _as_seconds(parse_duration(self.period or ""), now)
        times = [cron_next(self.cron, now)]
        for _ in range(5):
            times.append(cron_next(self.cron, times[-1]))
        return min((b - a).total_seconds() for a, b in zip(times, times[1:], strict=False))

    def after_end(self, when: datetime) -> bool:
        return self.end is not None and when > self.end

    def next_after(self, previous: datetime, now: datetime) -> datetime:
        """The first occurrence after `now` in the series `previous`, `previous + period`, ...

        Computed, not walked: occurrences missed while nobody fired timers are skipped (fired once,
        as Camunda does), whatever their number."""
        if self.cron is not None:
            return cron_next(self.cron, max(previous, now))
        period = parse_duration(self.period or "")
        step = _as_seconds(period, previous)
        behind = (now - previous).total_seconds()
        k = max(1, int(behind // step)) if behind > 0 else 1
        candidate = _shifted(previous, period, k)
        for _ in range(_MAX_ADJUST):   # month/year periods vary in length: correct the estimate
            if candidate > now:
                break
            k += 1
            candidate = _shifted(previous, period, k)
        for _ in range(_MAX_ADJUST):
            if k <= 1:
                break
            earlier = _shifted(previous, period, k - 1)
            if earlier <= now:
                break
            k, candidate = k - 1, earlier
        if candidate <= now:
            raise TimerSyntaxError(f"cycle '{self.period}': cannot compute the next occurrence")
        return candidate


def _shifted(start: datetime, period: timedelta | isodate.Duration, times: int) -> datetime:
    try:
        return start + period * times
    except (OverflowError, ValueError) as exc:
        raise TimerSyntaxError(f"the next occurrence of the cycle is out of range: {exc}") from exc


def parse_cycle(text: str) -> Cycle:
    text = text.strip()
    if is_cron(text):
        return Cycle(-1, None, None, quartz_to_croniter(text))
    if not text.upper().startswith("R"):
        raise TimerSyntaxError(f"'{text}' is neither a repeating interval (R3/PT1H) nor a cron expression")
    parts = text.split("/")
    count = parts[0][1:]
    if count and not count.isdigit():
        raise TimerSyntaxError(f"'{text}': the repetition count must be a number")
    reps = int(count) if count else -1
    if len(parts) == 2:
        return Cycle(reps, None, _duration_text(parts[1], text), None)
    if len(parts) == 3:
        if parts[1].upper().startswith("P"):
            # R/<period>/<end>: Camunda repeats until the end; we start one period from now.
            return Cycle(reps, None, _duration_text(parts[1], text), None, parse_date(parts[2]))
        return Cycle(reps, parse_date(parts[1]), _duration_text(parts[2], text), None)
    raise TimerSyntaxError(f"'{text}' is not a repeating interval")


def _duration_text(value: str, whole: str) -> str:
    try:
        parse_duration(value)
    except TimerSyntaxError as exc:
        raise TimerSyntaxError(f"'{whole}': {exc}") from exc
    return value


def check_period(cycle: Cycle, text: str, min_seconds: float, now: datetime) -> None:
    """Refuse a cycle repeating faster than `min_seconds` (each firing is an engine action)."""
    if cycle.shortest_period(now) < min_seconds:
        raise TimerSyntaxError(f"cycle '{text.strip()}' repeats more often than every {min_seconds:g} seconds, "
                               f"the shortest period allowed (ALUR_TIMER_MIN_CYCLE_SECONDS)")


def validate(kind: str, text: str, *, min_cycle_seconds: float | None = None) -> None:
    """Check a literal timer text of the given kind ('date', 'duration', 'cycle')."""
    if kind == "date":
        parse_date(text)
    elif kind == "duration":
        parse_duration(text, positive=False)
    elif kind == "cycle":
        cycle = parse_cycle(text)
        if min_cycle_seconds is not None:
            check_period(cycle, text, min_cycle_seconds, datetime.now(timezone.utc))
    else:
        raise TimerSyntaxError(f"unknown timer kind {kind!r}")


def due_from_value(kind: str, value: object, now: datetime) -> datetime:
    """The first due time of a date or duration timer, from its (possibly evaluated) value."""
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, timedelta):
        try:
            return now + value
        except OverflowError as exc:
            raise TimerSyntaxError(f"duration {value} ends after the year 9999") from exc
    if not isinstance(value, str):
        raise TimerSyntaxError(f"a timer must be a date or a duration text, got {type(value).__name__}")
    if kind == "date":
        return parse_date(value)
    try:
        return now + parse_duration(value, positive=False)
    except OverflowError as exc:
        raise TimerSyntaxError(f"duration '{value}' ends after the year 9999") from exc


__all__ = ["TimerSyntaxError", "to_utc", "Cycle", "parse_date", "parse_duration", "parse_cycle", "is_cron",
           "quartz_to_croniter", "cron_next", "check_period", "validate", "due_from_value"]
