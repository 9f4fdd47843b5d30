"""Moving tokens: Camunda's process instance modification and migration, on the SpiffWorkflow task tree.

Both work on the top process's tokens (the live tasks of its own elements). A token inside an embedded
subprocess, a multi-instance body or a call activity is refused with the element named: placing a
token inside a scope would need its scope task, which this module does not build.

Modification (`modify`) applies Camunda's instructions in order on a copy of the instance and hands the
copy back only when every instruction succeeded and the engine steps after them ran: all or nothing.
Migration (`migrate`) builds a fresh workflow of the target model and places one token per mapped
token of the old one, with its data and its id, and the boundary timers of a task keep their due time.
SpiffWorkflow's task tree is touched through spiff.py only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from lxml import etree
from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin, BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from . import serializer as ser
from . import specs as s
from . import spiff
from .errors import EngineError
from .values import check_variables
from .workflow import AlurWorkflow

if TYPE_CHECKING:
    from .model import ProcessModel

ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
KINDS = ("startBeforeActivity", "startAfterActivity", "startTransition", "cancel")
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class Instruction:
    """One of Camunda's modification instructions (ProcessInstanceModificationInstructionDto)."""

    type: str
    activity_id: str | None = None
    transition_id: str | None = None
    activity_instance_id: str | None = None
    transition_instance_id: str | None = None
    cancel_current_active_activity_instances: bool = False
    variables: dict = field(default_factory=dict)

    def describe(self) -> str:
        target = self.activity_id or self.transition_id or self.activity_instance_id or self.transition_instance_id
        return f"{self.type} {target}"


@dataclass(frozen=True)
class Token:
    """A live token of the top process: the task id and its element."""

    task_id: str
    element_id: str
    state: str


# -- tokens -----------------------------------------------------------------------------------------


def _attached(task: Any) -> bool:
    """A boundary event waiting beside its activity, or one instance under a multi-instance body."""
    parent = task.parent
    return isinstance(task.task_spec, BoundaryEvent) or (
        parent is not None and isinstance(parent.task_spec, s.CamundaMultiInstanceMixin))


def _tokens(wf: Any) -> list[Any]:
    return [t for t in wf.get_tasks(state=ACTIVE)
            if getattr(t.task_spec, "bpmn_id", None) is not None and not _attached(t)]


def _check_movable(wf: Any, task: Any) -> None:
    spec = task.task_spec
    element = str(spec.bpmn_id)
    if task.workflow is not wf:
        raise EngineError(f"activity '{element}' runs inside a subprocess or called process; moving "
                          "tokens inside one is not supported", element_id=element)
    if isinstance(spec, (s.CamundaMultiInstanceMixin, s.AlurSubWorkflowTask, s.AlurCallActivity)):
        raise EngineError(f"activity '{element}' is a multi-instance activity, subprocess or call activity; "
                          "moving its token is not supported", element_id=element)


def tokens(wf: Any) -> list[Token]:
    return [Token(str(t.id), t.task_spec.bpmn_id, TaskState.get_name(t.state)) for t in _tokens(wf)]


def _scope_of(task: Any) -> Any:
    """The task to cancel for a token: its boundary-event split when it has boundary events."""
    parent = task.parent
    return parent if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit) else task


# -- target elements --------------------------------------------------------------------------------


def _placement_spec(wf: Any, element_id: str) -> Any:
    """The spec a token for `element_id` starts at (its boundary split when it has boundary events)."""
    spec = wf.spec.task_specs.get(element_id)
    if spec is None or getattr(spec, "bpmn_id", None) != element_id:
        for name, sub in wf.subprocess_specs.items():
            if element_id in sub.task_specs:
                raise EngineError(f"activity '{element_id}' lies inside subprocess or called process '{name}'; "
                                  "starting a token there is not supported", element_id=element_id)
        raise EngineError(f"the process has no activity '{element_id}'", element_id=element_id)
    if isinstance(spec, (s.CamundaMultiInstanceMixin, s.AlurSubWorkflowTask, s.AlurCallActivity)):
        raise EngineError(f"activity '{element_id}' is a multi-instance activity, subprocess or call activity; "
                          "starting a token there is not supported", element_id=element_id)
    for before in spec.inputs:
        if isinstance(before, BoundaryEventSplit):
            return before
    return spec


def _successor(wf: Any, element_id: str) -> str:
    """startAfterActivity: the one element after `element_id`."""
    spec = wf.spec.task_specs.get(element_id)
    if spec is None:
        raise EngineError(f"the process has no activity '{element_id}'", element_id=element_id)
    outputs = list(spec.outputs)
    if len(outputs) == 1 and isinstance(outputs[0], BoundaryEventJoin):
        outputs = list(outputs[0].outputs)
    targets = [o.bpmn_id for o in outputs if getattr(o, "bpmn_id", None)]
    if len(targets) != 1:
        raise EngineError(f"activity '{element_id}' has {len(targets)} outgoing sequence flows; "
                          "startAfterActivity needs exactly one (use startTransition)", element_id=element_id)
    return str(targets[0])


def flow_target(model: ProcessModel, flow_id: str) -> str:
    """startTransition: the target of sequence flow `flow_id` in the (already validated) model XML."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(model.xml, parser)
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        if process.get("id") != model.key:
            continue
        for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            if flow.get("id") == flow_id:
                return str(flow.get("targetRef"))
    raise EngineError(f"the process has no sequence flow '{flow_id}'", element_id=flow_id)


# -- modification -----------------------------------------------------------------------------------


def _find_tokens(wf: Any, ins: Instruction, initial: set[UUID]) -> list[Any]:
    live = _tokens(wf)
    if ins.activity_instance_id or ins.transition_instance_id:
        wanted = str(ins.activity_instance_id or ins.transition_instance_id)
        found = [t for t in live if str(t.id) == wanted]
        if not found and ":" in wanted:
            # GET /process-instance/{id}/activity-instances names an activity instance "<activity>:<instance>"
            element = wanted.split(":", 1)[0]
            found = [t for t in live if t.task_spec.bpmn_id == element]
        if not found:
            raise EngineError(f"Cannot perform instruction: {ins.describe()}; activity instance '{wanted}' "
                              "does not exist")
        return found
    if not ins.activity_id:
        raise EngineError("a cancel instruction needs activityId, activityInstanceId or transitionInstanceId")
    found = [t for t in live if t.task_spec.bpmn_id == ins.activity_id
             and (not ins.cancel_current_active_activity_instances or t.id in initial)]
    if not found:
        raise EngineError(f"Cannot perform instruction: {ins.describe()}; no active instance of activity "
                          f"'{ins.activity_id}'", element_id=ins.activity_id)
    return found


def apply_instructions(wf: Any, model: ProcessModel, variables: dict, instructions: list[Instruction]) -> None:
    """Apply `instructions` to `wf` in order (the caller works on a copy and runs the steps after).
    `variables` are the process variables a started token carries (plus its instruction's own)."""
    if not instructions:
        raise EngineError("a modification needs at least one instruction")
    initial = {t.id for t in _tokens(wf)}
    for ins in instructions:
        if ins.type not in KINDS:
            raise EngineError(f"unknown modification instruction type '{ins.type}' (one of {', '.join(KINDS)})")
        check_variables(ins.variables or {})
        if ins.type == "cancel":
            for task in _find_tokens(wf, ins, initial):
                _check_movable(wf, task)
                _scope_of(task).cancel()
            continue
        if ins.type == "startBeforeActivity":
            target = ins.activity_id
        elif ins.type == "startAfterActivity":
            if not ins.activity_id:
                raise EngineError("startAfterActivity needs activityId")
            target = _successor(wf, ins.activity_id)
        else:
            if not ins.transition_id:
                raise EngineError("startTransition needs transitionId")
            target = flow_target(model, ins.transition_id)
        if not target:
            raise EngineError(f"{ins.type} needs activityId")
        spiff.place_token(wf.task_tree, _placement_spec(wf, target), {**variables, **(ins.variables or {})})


def live_token_count(wf: Any) -> int:
    return len(_tokens(wf))


def ended_normally(wf: Any) -> bool:
    """The process reached its end (rather than losing its last token to a cancel instruction)."""
    return any(t.task_spec.name == "End" for t in wf.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True))


# -- migration --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MigrationProblem:
    element_id: str
    message: str


def migration_problems(wf: Any, target: ProcessModel, mapping: dict[str, str]) -> list[MigrationProblem]:
    """What stops the instance `wf` from moving to `target` under `mapping` (old activity id -> new one)."""
    problems = []
    spec, subs = ser.restore_specs(target.spec_json)
    probe = AlurWorkflow(spec, subs)
    for task in _tokens(wf):
        element = task.task_spec.bpmn_id
        try:
            _check_movable(wf, task)
        except EngineError as exc:
            problems.append(MigrationProblem(element, str(exc)))
            continue
        new = mapping.get(element)
        if new is None:
            problems.append(MigrationProblem(element, f"active activity '{element}' is not mapped by a migration "
                                                      "instruction"))
            continue
        try:
            _placement_spec(probe, new)
        except EngineError as exc:
            problems.append(MigrationProblem(element, str(exc)))
    return problems


def build_migrated(old_wf: Any, wf: Any, mapping: dict[str, str], variables: dict | None = None,
                   update_triggers: frozenset[str] = frozenset()) -> None:
    """Place the tokens of `old_wf` in `wf` (a workflow of the target model that has not run).

    A token mapped to the same activity id is recreated as it was (id, state, data, internal data:
    a claimed task stays claimed, a waiting timer keeps its due time); one mapped to another activity
    starts there afresh with the token's data. Events in `update_triggers` (Camunda's
    updateEventTrigger) wait for the target's trigger afresh: a timer's due time is computed anew."""
    for task in list(wf.task_tree.children):
        task.cancel()       # the predicted start of the new model: the tokens come from the old instance
    spiff.set_state(wf.task_tree, TaskState.COMPLETED)
    extra = dict(variables or {})
    wf.data.update(old_wf.data)
    for task in _tokens(old_wf):
        element = task.task_spec.bpmn_id
        new_element = mapping[element]
        spec = _placement_spec(wf, new_element)
        data = {**task.data, **extra}
        if new_element != element:
            spiff.place_token(wf.task_tree, spec, data)
        elif isinstance(spec, BoundaryEventSplit):
            _recreate_with_boundary(wf, task, spec, data, update_triggers)
        elif new_element in update_triggers and task.state == TaskState.WAITING:
            spiff.place_token(wf.task_tree, spec, data)
        else:
            spiff.recreate_task(wf.task_tree, spec, task_id=task.id, state=task.state, data=data,
                                internal=dict(task.internal_data))


def _recreate_with_boundary(wf: Any, task: Any, split_spec: Any, data: dict, update_triggers: frozenset[str]) -> None:
    """The activity and the boundary events the target gives it: those the old one had keep their state."""
    old_split = task.parent if isinstance(task.parent.task_spec, BoundaryEventSplit) else None
    old_children = {c.task_spec.bpmn_id: c for c in (old_split.children if old_split else [task])}
    split = spiff.recreate_task(wf.task_tree, split_spec, task_id=old_split.id if old_split else uuid4(),
                                state=TaskState.COMPLETED, data=data, internal={})
    for spec in split_spec.outputs:
        old = old_children.get(getattr(spec, "bpmn_id", None))
        if old is not None and (old is task or (old.state == TaskState.WAITING
                                                and spec.bpmn_id not in update_triggers)):
            spiff.recreate_task(split, spec, task_id=old.id, state=old.state,
                                data=data if old is task else {**old.data, **data}, internal=dict(old.internal_data))
        else:
            spiff.place_token(split, spec, data)


__all__ = ["Instruction", "Token", "KINDS", "tokens", "apply_instructions", "live_token_count", "ended_normally",
           "flow_target", "MigrationProblem", "migration_problems", "build_migrated"]
