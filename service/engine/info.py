"""Plain records the engine hands to the host: tasks, history events, active elements."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class UserTaskInfo:
    id: str
    element_id: str
    name: str | None
    lane: str | None
    candidate_groups: list[str]
    candidate_users: list[str]
    assignee: str | None
    created: datetime
    due: datetime | None
    follow_up: datetime | None
    priority: int
    form_key: str | None
    form_ref: str | None
    form_ref_binding: str | None
    form_ref_version: int | None
    form_fields: list[dict]
    properties: dict[str, str]
    documentation: str | None
    process_key: str | None = None


@dataclass
class ExternalTaskInfo:
    id: str
    element_id: str
    name: str | None
    topic: str
    priority: int
    properties: dict[str, str]
    created: datetime | None = None
    process_key: str | None = None          # as UserTaskInfo.process_key


@dataclass
class HistoryEvent:
    kind: str   # instance_started | instance_ended | activity_started | activity_ended | variable_set |
                # variable_removed | decision_evaluated | activity_cancelled
    time: datetime
    element_id: str | None = None
    element_name: str | None = None
    element_type: str | None = None
    lane: str | None = None
    task_id: str | None = None
    user: str | None = None
    data: dict = field(default_factory=dict)
    process_key: str | None = None          # the process owning the element (None: instance-level events)


@dataclass
class ActiveElement:
    element_id: str
    element_type: str
    name: str | None
    task_id: str
    state: str                      # READY | WAITING | STARTED | ERROR
    parent_element_id: str | None = None   # enclosing subprocess / call activity element, if any
    lane: str | None = None
    process_key: str | None = None         # the process owning the element (a called process's key inside one)


@dataclass(frozen=True)
class CallRequest:
    """A call activity waiting for its child instance: what to start (binding resolved by the host)."""
    task_id: str
    element_id: str
    name: str | None
    key: str                        # calledElement, evaluated
    binding: str                    # latest | deployment | version | versionTag
    version: int | None
    version_tag: str | None
    tenant_id: str | None           # camunda:calledElementTenantId (None: the caller's tenant)
    variables: dict                 # camunda:in
    business_key: str | None        # camunda:in businessKey
    failure: str | None = None      # why the child could not be started (an incident), if it failed


@dataclass(frozen=True)
class ThrownEvent:
    """A BPMN error or escalation thrown and not caught inside its instance."""
    kind: str                       # error | escalation
    code: str | None
    name: str | None
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TimerInfo:
    """A pending timer of an instance: the engine task waiting for it, its element and its next due time."""
    task_id: str
    element_id: str | None
    due: datetime


__all__ = ["UserTaskInfo", "ExternalTaskInfo", "HistoryEvent", "ActiveElement", "CallRequest", "ThrownEvent",
           "TimerInfo"]
