"""Errors of the DMN layer: model errors at deploy time, decision errors at evaluation time."""
from __future__ import annotations

from collections.abc import Sequence

from ..errors import ModelError


class DmnModelError(ModelError):
    """A DMN file cannot be deployed; names the file, element id and line of the problem."""

    def __init__(self, file: str, element_id: str | None, line: int | None, message: str) -> None:
        # A ModelError, so deploy code catches BPMN and DMN model errors alike.
        super().__init__(message, file=file, element_id=element_id, line=line)

    # str() comes from ModelError: "<file>: <element_id> (line N): <message>", or "<file> (line N): ..."
    # when the problem has no element.


class DecisionError(Exception):
    """Evaluating a decision failed (hit policy violated, result mapping impossible, limit reached)."""

    def __init__(self, message: str, *, decision_key: str | None = None,
                 rule_ids: Sequence[str] = ()) -> None:
        self.message = message
        self.decision_key = decision_key
        self.rule_ids = list(rule_ids)
        super().__init__(message)
