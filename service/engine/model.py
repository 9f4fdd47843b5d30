"""What parse_bpmn returns: an immutable description of one deployable process."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ElementInfo:
    id: str
    type: str                      # BPMN tag without namespace: userTask, exclusiveGateway, ...
    name: str | None
    lane: str | None
    properties: dict[str, str] = field(default_factory=dict)
    documentation: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)   # camunda:* attributes as written


@dataclass(frozen=True)
class ProcessModel:
    key: str
    name: str | None
    resource_name: str
    xml: bytes
    executable: bool
    lanes: list[str]
    start_lanes: list[str]
    start_form_ref: str | None
    elements: dict[str, ElementInfo]
    decision_refs: list[str]
    timer_start: list[tuple[str, str]]
    message_start: list[tuple[str, str]]
    spec_json: str
    start_form_key: str | None = None
    version_tag: str | None = None
    # (element id, handler name) of every camunda:class / ${bean} delegate and listener: deploy warns about
    # names nobody registered
    handlers: tuple[tuple[str, str], ...] = ()
    # (element id, reference) of script resources neither in the deployment nor resolvable (classpath://):
    # deploy warns, running one is an incident naming it
    unresolved_scripts: tuple[tuple[str, str], ...] = ()
    # user task id -> its task listener events (claim and assign run `assignment` listeners only where declared)
    task_listener_events: dict[str, tuple[str, ...]] = field(default_factory=dict)
    history_time_to_live: int | None = None      # days (camunda:historyTimeToLive), None when not given
    startable: bool = True                       # camunda:isStartableInTasklist


__all__ = ["ElementInfo", "ProcessModel"]
