"""Hit policies and COLLECT aggregations (DMN 1.3 section 8.2.11), over FEEL values."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import Any

from service.expr.feel.values import FeelDate, FeelDateTime

from .errors import DecisionError
from .model import DecisionModel
from .tables import DecisionTable, TableRule

Row = dict[str, Any]


def same_value(a: Any, b: Any) -> bool:
    """FEEL equality for comparing rule outputs (keeps true and 1 apart, unlike Python's ==)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=False))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    try:
        return type(a) is type(b) and bool(a == b)
    except TypeError:
        return False


def _rows_equal(a: Row, b: Row) -> bool:
    return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)


def apply_hit_policy(model: DecisionModel, table: DecisionTable, matched: list[TableRule],
                     outputs_of: Callable[[TableRule], Row],
                     diagnostics: list[str]) -> tuple[list[TableRule], list[Row], Any]:
    """Return (the rules that make the result, their output rows, the aggregate or None)."""
    policy = table.hit_policy
    if not matched:
        # Camunda (and the spec) count zero hits as 0; SUM/MIN/MAX of nothing is no result.
        return [], [], (Decimal(0) if table.aggregation == "COUNT" else None)
    if policy == "UNIQUE":
        if len(matched) > 1:
            ids = [r.id for r in matched]
            raise DecisionError(
                f"decision '{model.key}': hit policy UNIQUE but {len(matched)} rules matched: {', '.join(ids)}",
                decision_key=model.key, rule_ids=ids)
        return matched, [outputs_of(matched[0])], None
    if policy == "FIRST":
        return matched[:1], [outputs_of(matched[0])], None
    rows = [outputs_of(rule) for rule in matched]
    if policy == "ANY":
        if any(not _rows_equal(row, rows[0]) for row in rows[1:]):
            ids = [r.id for r in matched]
            raise DecisionError(
                f"decision '{model.key}': hit policy ANY but the matched rules {', '.join(ids)} "
                f"give different outputs", decision_key=model.key, rule_ids=ids)
        return matched[:1], rows[:1], None
    if policy in ("PRIORITY", "OUTPUT ORDER"):
        ranked = sorted(zip(matched, rows, strict=True),
                        key=lambda pair: _priority(table, pair[0], pair[1], diagnostics))
        if policy == "PRIORITY":
            ranked = ranked[:1]
        return [rule for rule, _ in ranked], [row for _, row in ranked], None
    if table.aggregation:
        return matched, rows, _aggregate(model, table, rows, matched)
    return matched, rows, None   # COLLECT and RULE ORDER: every match, in rule order


def _priority(table: DecisionTable, rule: TableRule, row: Row, diagnostics: list[str]) -> tuple[int, ...]:
    """Sort key: per output (in output order) the position of the value in its outputValues list."""
    key: list[int] = []
    for output in table.outputs:
        if not output.priorities:
            continue
        value = row.get(output.name)
        for position, candidate in enumerate(output.priorities):
            if same_value(value, candidate):
                key.append(position)
                break
        else:
            diagnostics.append(f"rule {rule.id}: output {output.name} value {value!r} is not in its outputValues; "
                               f"ranked last")
            key.append(len(output.priorities))
    return tuple(key)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, FeelDateTime):
        return "date and time" + ("" if value.zone is None else " (zoned)")
    if isinstance(value, FeelDate):
        return "date"
    return type(value).__name__


def aggregate_rows(model: DecisionModel, table: DecisionTable, rows: list[Row], matched: list[TableRule]) -> Any:
    """SUM/MIN/MAX/COUNT of the first output over `rows` (also used for the default-output row)."""
    return _aggregate(model, table, rows, matched)


def _aggregate(model: DecisionModel, table: DecisionTable, rows: list[Row], matched: list[TableRule]) -> Any:
    name = table.outputs[0].name
    values = [row[name] for row in rows if row.get(name) is not None]   # empty / null entries do not count
    aggregation = table.aggregation
    if aggregation == "COUNT":
        return Decimal(len(values))
    if not values:
        return None
    kinds = {_kind(v) for v in values}
    ids = [r.id for r in matched]
    if aggregation == "SUM":
        if kinds != {"number"}:
            raise DecisionError(f"decision '{model.key}': COLLECT SUM needs numbers, output {name} has "
                                f"{', '.join(sorted(kinds))}", decision_key=model.key, rule_ids=ids)
        with localcontext() as ctx:
            ctx.prec = 34
            return sum(values, Decimal(0))
    if len(kinds) != 1 or kinds & {"boolean"} or not kinds <= {"number", "string", "date", "date and time",
                                                                 "date and time (zoned)"}:
        raise DecisionError(f"decision '{model.key}': COLLECT {aggregation} needs comparable values of one type, "
                            f"output {name} has {', '.join(sorted(kinds))}", decision_key=model.key, rule_ids=ids)
    return min(values) if aggregation == "MIN" else max(values)
