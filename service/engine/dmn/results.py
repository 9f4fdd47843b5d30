"""`map_decision_result`: Camunda's `camunda:mapDecisionResult` for business rule tasks."""
from __future__ import annotations

from typing import Any

from .errors import DecisionError
from .model import DecisionResult

RESULT_MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")


def map_decision_result(result: DecisionResult, mapping: str) -> Any:
    """Shape a decision result as Camunda does for `camunda:resultVariable` (default `resultList`)."""
    rows = result.result_list
    key = result.key
    if mapping == "resultList":
        return [dict(row) for row in rows]
    if mapping == "singleResult":
        return dict(_single_row(result)) if rows else None
    if mapping == "singleEntry":
        if not rows:
            return None
        row = _single_row(result)
        if len(row) > 1:
            raise DecisionError(
                f"decision '{key}': mapDecisionResult singleEntry needs one output, the result has "
                f"{len(row)} ({', '.join(row)})", decision_key=key, rule_ids=_rule_ids(result))
        return next(iter(row.values()), None)
    if mapping == "collectEntries":
        names: list[str] = []
        for row in rows:
            names.extend(name for name in row if name not in names)
        if len(names) > 1:
            raise DecisionError(
                f"decision '{key}': mapDecisionResult collectEntries needs one output name, the result has "
                f"{len(names)} ({', '.join(names)})", decision_key=key, rule_ids=_rule_ids(result))
        return [row.get(names[0]) for row in rows] if names else []
    raise DecisionError(f"decision '{key}': unknown mapDecisionResult {mapping!r} "
                        f"(expected one of {', '.join(RESULT_MAPPINGS)})", decision_key=key)


def _single_row(result: DecisionResult) -> dict[str, Any]:
    if len(result.result_list) > 1:
        ids = _rule_ids(result)
        raise DecisionError(
            f"decision '{result.key}': expected a single result but {len(result.result_list)} rules matched"
            + (f": {', '.join(ids)}" if ids else ""), decision_key=result.key, rule_ids=ids)
    return result.result_list[0]


def _rule_ids(result: DecisionResult) -> list[str]:
    return [rule.rule_id for rule in result.matched_rules]
