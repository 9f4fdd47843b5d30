"""Historic decision instances: which decision definition an evaluation used, and its input values.

A decision evaluated by a business rule task is reported by the engine with its key only. The
definition is the version of that key that was the latest (in the instance's tenant, else shared)
when the evaluation happened, which is what Camunda's default `decisionRefBinding="latest"` bound.
Input values are Camunda's: one per table input (clause), as the decision saw them. When the event
does not carry them they are recomputed by evaluating the decision again on the variables the
instance had when the evaluation's step ended (from the variable history).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store import DecisionDefinition, Deployment, HistoryEvent
from service.store.repository import tenant_scope

from . import definitions
from .context import OpsContext
from .history_values import VALUE_TYPE_KEY, restore_value

log = logging.getLogger(__name__)

_VARIABLE_KINDS = ("variable_set", "variable_removed")


def definition_at(session: Session, key: str, tenant: str | None, at: datetime) -> DecisionDefinition | None:
    """The latest version of `key` deployed at `at` (the tenant's own first, then the shared one)."""
    for scope in ([tenant_scope(tenant), ""] if tenant is not None else [""]):
        row = session.scalars(
            select(DecisionDefinition).join(Deployment, Deployment.id == DecisionDefinition.deployment_id)
            .where(DecisionDefinition.key == key, DecisionDefinition.tenant_scope == scope,
                   Deployment.deployment_time <= at)
            .order_by(DecisionDefinition.version.desc()).limit(1)).first()
        if row is not None:
            return row
    # Deployed "after" the evaluation only when clocks disagree: the newest version is the best guess.
    return definitions.latest(session, DecisionDefinition, key, tenant)


class DefinitionResolver:
    """Resolves the definitions of many events, each (key, tenant, time) once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[Any, DecisionDefinition | None] = {}

    def of_event(self, event: HistoryEvent, key: str) -> DecisionDefinition | None:
        data = event.data or {}
        known = data.get("decision_definition_id") or (event.definition_id if event.instance_id is None else None)
        if known:
            cache_key: Any = ("id", known)
            if cache_key not in self._rows:
                self._rows[cache_key] = self.session.get(DecisionDefinition, known)
            return self._rows[cache_key]
        cache_key = (key, event.tenant_id, event.time)
        if cache_key not in self._rows:
            self._rows[cache_key] = definition_at(self.session, key, event.tenant_id, event.time)
        return self._rows[cache_key]


def variables_after_step(session: Session, event: HistoryEvent) -> dict[str, Any]:
    """The instance's variables when the step that evaluated `event`'s decision ended.

    The engine records a step's decisions first, then its activity changes, then its variable changes,
    so the variable block that follows the decision belongs to the same step.
    """
    values: dict[str, Any] = {}
    seen_block = False
    rows = session.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == event.instance_id)
                           .order_by(HistoryEvent.id))
    for row in rows:
        is_variable = row.kind in _VARIABLE_KINDS
        if row.id > event.id:
            if seen_block and not is_variable:
                break
            seen_block = seen_block or is_variable
        if not is_variable:
            continue
        data = row.data or {}
        name = str(data.get("name", ""))
        if row.kind == "variable_set":
            values[name] = restore_value(data.get("value"), data.get(VALUE_TYPE_KEY))
        else:
            values.pop(name, None)
    return values


def clause_inputs(ctx: OpsContext, session: Session, event: HistoryEvent,
                  row: DecisionDefinition | None) -> list[dict[str, Any]]:
    """Camunda's historic inputs, `[{"id", "label", "value"}]` (one per table input)."""
    data = event.data or {}
    recorded = data.get("inputs")
    if isinstance(recorded, list):
        return [dict(i) for i in recorded if isinstance(i, dict)]
    if row is None:
        return []
    if isinstance(recorded, dict):
        variables = {k: restore_value(v) for k, v in recorded.items()}
    elif event.instance_id is not None:
        variables = variables_after_step(session, event)
    else:
        return []
    from service.engine.dmn import evaluate_decision
    try:
        model = definitions.model_of(ctx, session, row)
        return [dict(i) for i in evaluate_decision(model, variables).inputs]
    except Exception as exc:  # noqa: BLE001 - history stays readable when a re-evaluation fails
        log.info("inputs of decision %s (event %s) cannot be recomputed: %s", row.id, event.id, exc)
        return []


__all__ = ["definition_at", "DefinitionResolver", "variables_after_step", "clause_inputs"]
