"""Evaluating a decision outside a process (Camunda's decision-definition evaluate); recorded in history."""
from __future__ import annotations

from typing import Any

from service.store import DecisionDefinition, HistoryEvent

from . import definitions
from .context import OpsContext
from .engine_errors import engine_errors
from .errors import BadRequest
from .values import json_safe
from .views import DecisionEvaluationView


def evaluate_decision(ctx: OpsContext, *, key: str | None = None, definition_id: str | None = None,
                      tenant: str | None = None, variables: dict[str, Any] | None = None,
                      user: str | None = None) -> DecisionEvaluationView:
    if key is None and definition_id is None:
        raise BadRequest("either a decision definition key or id is required")
    from service.engine.dmn import evaluate_decision as run

    with ctx.transaction() as session, engine_errors():
        row = definitions.require(session, DecisionDefinition, definition_id=definition_id, key=key, tenant=tenant)
        model = definitions.model_of(ctx, session, row)
        result = run(model, dict(variables or {}))
        matched = [_rule(r) for r in result.matched_rules]
        session.add(HistoryEvent(
            kind="decision_evaluated", time=ctx.clock.now(), definition_id=row.id, definition_key=row.key,
            tenant_id=row.tenant_id, element_id=row.key, element_name=row.name, element_type="decision",
            user_id=user, data=json_safe({"decision": row.key, "inputs": dict(variables or {}),
                                          "result": result.result_list, "matched_rules": matched,
                                          "diagnostics": list(result.diagnostics or [])})))
        return DecisionEvaluationView(definition_id=row.id, key=row.key, result_list=list(result.result_list),
                                      matched_rules=matched)


def _rule(rule: Any) -> dict[str, Any]:
    if isinstance(rule, dict):
        return rule
    return {name: getattr(rule, name) for name in ("rule_id", "index", "annotation", "decision_key")
            if hasattr(rule, name)}


__all__ = ["evaluate_decision"]
