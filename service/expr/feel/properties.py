"""Path expressions ``a.b`` (DMN 1.3, 10.3.2.7): context entries and the documented properties of
dates, times, durations and ranges. Python attributes are never read."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import ops, temporal
from .values import DaysTimeDuration, FeelDate, FeelDateTime, FeelTime, Range, YearsMonthsDuration

if TYPE_CHECKING:
    from .evaluator import Context


def get_property(ctx: "Context", value: Any, name: str) -> Any:
    """``value.name``: a context entry or a documented property; never a Python attribute."""
    t = type(value)
    if t is dict:
        if name in value:
            return value[name]
        ctx.diag(f"no entry {name!r} in context")
        return None
    if t is list:
        return [get_property(ctx, v, name) for v in value]
    if value is None:
        return None
    if t is FeelDate or t is FeelDateTime:
        if name == "year":
            return Decimal(value.year)
        if name == "month":
            return Decimal(value.month)
        if name == "day":
            return Decimal(value.day)
        if name == "weekday":
            return Decimal(temporal.weekday(value))
    if t is FeelDateTime or t is FeelTime:
        if name == "hour":
            return Decimal(value.hour)
        if name == "minute":
            return Decimal(value.minute)
        if name == "second":
            return temporal.seconds_value(value)
        if name == "time offset":
            return temporal.time_offset(value)
        if name == "timezone":
            return temporal.timezone_name(value)
    if t is YearsMonthsDuration:
        if name == "years":
            return Decimal(value.years_part)
        if name == "months":
            return Decimal(value.months_part)
    if t is DaysTimeDuration:
        if name in ("days", "hours", "minutes", "seconds"):
            return Decimal(value.part(name))
    if t is Range:
        if name == "start":
            return value.start
        if name == "end":
            return value.end
        if name == "start included":
            return value.start_included
        if name == "end included":
            return value.end_included
    ctx.diag(f"{ops.kind(value)} has no property {name!r}")
    return None
