"""Public data of the DMN layer: deployed decisions and their evaluation results."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DecisionModel:
    """One decision of a deployed DMN file, with its compiled logic.

    The first seven fields are the documented interface; the rest describe the decision for the
    REST layer (Camunda's decision definition) and carry the compiled logic used by `evaluate_decision`.
    """
    key: str
    name: str | None
    resource_name: str
    xml: bytes
    required: list[str]                      # keys of required decisions in the same file
    hit_policy: str | None                   # None for literal-expression decisions
    aggregation: str | None
    # decisionTable | literalExpression | context | invocation | list | relation | functionDefinition
    kind: str = "decisionTable"
    version_tag: str | None = None           # camunda:versionTag
    history_ttl: str | None = None           # camunda:historyTimeToLive
    drd_key: str | None = None               # id of <definitions> (Camunda's decision requirements key)
    drd_name: str | None = None
    category: str | None = None              # namespace attribute of <definitions>
    line: int | None = None
    logic: Any = field(default=None, compare=False, repr=False)
    required_models: tuple["DecisionModel", ...] = field(default=(), compare=False, repr=False)
    knowledge: tuple[Any, ...] = field(default=(), compare=False, repr=False)   # boxed.KnowledgeModel (BKMs)
    # Why the decision cannot be evaluated (it, or a decision or BKM it requires, does not compile): it
    # then answers null with this diagnostic, and deploying reports it as a warning. A DmnModelError.
    compile_error: Exception | None = field(default=None, compare=False)
    # (key of a required decision of an imported model, the import's name): its value is read as `name.decision`
    import_names: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)

    @property
    def input_names(self) -> list[str]:
        """Labels (or expression texts) of the table inputs, for forms and documentation."""
        inputs = getattr(self.logic, "inputs", ())
        return [i.label or i.expression.text for i in inputs]

    @property
    def output_names(self) -> list[str]:
        return [o.name for o in getattr(self.logic, "outputs", ())] or (
            [self.logic.variable_name] if self.kind != "decisionTable" and self.logic is not None else [])


@dataclass(frozen=True)
class MatchedRule:
    rule_id: str
    index: int                               # 1-based position in the table
    annotation: str | None
    decision_key: str
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class DecisionResult:
    key: str
    result_list: list[dict[str, Any]]        # Camunda's DmnDecisionResult: one dict per matched rule, or the aggregate
    matched_rules: list[MatchedRule]
    evaluations: list["DecisionResult"]      # required decisions, evaluated first, in order
    diagnostics: list[str]
    name: str | None = None
    inputs: list[dict[str, Any]] = field(default_factory=list)   # {"id", "label", "value"} per table input
    collect_result: Any = None               # the aggregate of COLLECT with SUM/MIN/MAX/COUNT
    value: Any = None                        # the decision's value by DMN semantics (a FEEL value, exact)
