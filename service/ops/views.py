"""Read-only snapshots returned by operations (no lazy loading after the transaction ended)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DefinitionView:
    kind: str                      # "process" | "decision" | "form"
    id: str
    key: str
    name: str | None
    version: int
    deployment_id: str
    resource_name: str
    tenant_id: str | None
    version_tag: str | None = None
    suspended: bool = False
    startable: bool = True
    history_time_to_live: int | None = None


@dataclass(frozen=True)
class DeploymentView:
    id: str
    name: str | None
    source: str | None
    deployment_time: datetime
    tenant_id: str | None
    resources: list[str]
    processes: list[DefinitionView] = field(default_factory=list)
    decisions: list[DefinitionView] = field(default_factory=list)
    forms: list[DefinitionView] = field(default_factory=list)
    duplicate: bool = False        # duplicate filtering found nothing new: this is the earlier deployment
    warnings: list[str] = field(default_factory=list)   # decisions that do not compile (they answer null)


@dataclass(frozen=True)
class ActiveElementView:
    element_id: str
    name: str | None
    element_type: str | None
    lane: str | None


@dataclass(frozen=True)
class InstanceView:
    id: str
    definition_id: str
    definition_key: str
    business_key: str | None
    tenant_id: str | None
    state: str
    start_time: datetime
    end_time: datetime | None
    start_user_id: str | None
    incident: bool
    next_timer_due: datetime | None = None
    variables: dict[str, Any] | None = None
    active_elements: list[ActiveElementView] | None = None
    super_instance_id: str | None = None     # the instance whose call activity started this one

    @property
    def ended(self) -> bool:
        return self.state in ("COMPLETED", "CANCELLED")

    @property
    def suspended(self) -> bool:
        return self.state == "SUSPENDED"


@dataclass(frozen=True)
class TaskView:
    id: str
    name: str | None
    element_id: str
    instance_id: str
    definition_id: str
    definition_key: str
    business_key: str | None
    lane: str | None
    assignee: str | None
    owner: str | None
    created: datetime
    due: datetime | None
    follow_up: datetime | None
    priority: int
    form_key: str | None
    form_ref: str | None
    form_ref_binding: str | None
    form_ref_version: int | None
    tenant_id: str | None
    candidate_groups: list[str]
    candidate_users: list[str]
    properties: dict[str, Any]
    form_fields: list[Any]
    documentation: str | None


@dataclass(frozen=True)
class HistoryView:
    id: int
    kind: str
    time: datetime
    instance_id: str | None
    definition_id: str | None
    element_id: str | None
    element_name: str | None
    element_type: str | None
    lane: str | None
    task_id: str | None
    user_id: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class DecisionEvaluationView:
    definition_id: str
    key: str
    result_list: list[dict[str, Any]]
    matched_rules: list[dict[str, Any]]


@dataclass(frozen=True)
class CorrelationView:
    result_type: str               # "Execution" | "ProcessDefinition" (Camunda's MessageCorrelationResultType)
    instance: InstanceView
    variables: dict[str, Any] | None = None


__all__ = ["DefinitionView", "DeploymentView", "ActiveElementView", "InstanceView", "TaskView", "HistoryView",
           "DecisionEvaluationView", "CorrelationView"]
