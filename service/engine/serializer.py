"""Serialization of instance state without the spec, and of specs into ProcessModel.spec_json."""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.default.task_spec import (
    BoundaryEventConverter,
    BpmnTaskSpecConverter,
    ConditionalGatewayConverter,
    EventConverter,
    ExclusiveGatewayConverter,
    ParallelGatewayConverter,
    MultiInstanceTaskConverter,
    ScriptTaskConverter,
    SubWorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask

from . import specs as s
from . import spiff
from . import workflow as w
from .errors import EngineError

STATE_FORMAT = "alur-1"
_SHARED_SPECS_MAX = 256


class AlurWorkflowConverter(BpmnWorkflowConverter):
    """BpmnWorkflowConverter that can rebuild a workflow around spec objects restored earlier.

    Restoring the spec from its dict is about 40% of loading a small instance; `loads_with_meta`
    passes cached, shareable specs through `specs=(spec, subprocess_specs)` instead.
    """

    def __init__(self, target_class: type, registry: Any, typename: str | None = None) -> None:
        super().__init__(target_class, registry, typename)
        registry.alur_workflow_converter = self     # for `dumps`, which calls state_to_dict directly

    def from_dict(self, dct: dict, specs: tuple[Any, dict] | None = None) -> Any:
        if specs is None:
            return super().from_dict(dct)
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        spec, subprocess_specs = specs
        # The same steps as BpmnWorkflowConverter.from_dict after its spec restore (SpiffWorkflow 3.2.0).
        workflow = self.target_class(spec, dict(subprocess_specs), deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow

    def state_to_dict(self, workflow: Any) -> dict:
        """`to_dict` without the specs: an Alur state stores none, and converting the spec on every save
        was a third of the cost of `dumps`."""
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        dct["typename"] = self.typename
        return dct


def _config() -> dict:
    config = dict(DEFAULT_CONFIG)
    config.update({
        s.AlurNoneTask: BpmnTaskSpecConverter,
        s.AlurManualTask: BpmnTaskSpecConverter,
        s.AlurUserTask: BpmnTaskSpecConverter,
        s.AlurServiceTask: BpmnTaskSpecConverter,
        s.AlurSendTask: BpmnTaskSpecConverter,
        s.AlurBusinessRuleTask: BpmnTaskSpecConverter,
        s.AlurScriptTask: ScriptTaskConverter,
        s.AlurSubWorkflowTask: SubWorkflowConverter,
        s.AlurCallActivity: BpmnTaskSpecConverter,
        s.AlurParallelMultiInstance: MultiInstanceTaskConverter,
        s.AlurSequentialMultiInstance: MultiInstanceTaskConverter,
        s.AlurTimeDateEventDefinition: TimerConditionalEventDefinitionConverter,
        s.AlurDurationTimerEventDefinition: TimerConditionalEventDefinitionConverter,
        s.AlurCycleTimerEventDefinition: TimerConditionalEventDefinitionConverter,
        s.AlurStartEvent: EventConverter,
        s.AlurEndEvent: EventConverter,
        s.AlurIntermediateCatchEvent: EventConverter,
        s.AlurIntermediateThrowEvent: EventConverter,
        s.AlurBoundaryEvent: BoundaryEventConverter,
        s.AlurReceiveTask: EventConverter,
        s.AlurEventBasedGateway: EventConverter,
        s.AlurExclusiveGateway: ExclusiveGatewayConverter,
        w.AlurParallelGateway: ParallelGatewayConverter,
        w.AlurInclusiveGateway: ConditionalGatewayConverter,
        w.AlurWorkflow: AlurWorkflowConverter,
        w.AlurSubWorkflow: BpmnSubWorkflowConverter,
    })
    return config


@lru_cache(maxsize=1)
def serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure(_config())
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]),
                      typename="date")
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]), typename="Decimal")
    registry.register(time, lambda v: {"value": v.isoformat()}, lambda v: time.fromisoformat(v["value"]),
                      typename="time")
    from service.expr.feel.values import DaysTimeDuration, YearsMonthsDuration
    registry.register(DaysTimeDuration, lambda v: {"nanos": v.nanos},
                      lambda v: DaysTimeDuration(v["nanos"] if "nanos" in v else v["micros"] * 1_000),
                      typename="DaysTimeDuration")
    registry.register(YearsMonthsDuration, lambda v: {"months": v.months},
                      lambda v: YearsMonthsDuration(v["months"]), typename="YearsMonthsDuration")
    return BpmnWorkflowSerializer(registry)


def _workflow_converter() -> AlurWorkflowConverter:
    return serializer().registry.alur_workflow_converter


def _encoder() -> type[json.JSONEncoder]:
    return spiff.encoder_class(serializer())


def spec_json_for(spec: Any, subprocess_specs: dict[str, Any]) -> str:
    ser = serializer()
    return json.dumps({
        "spec": ser.registry.convert(spec),
        "subprocess_specs": {k: ser.registry.convert(v) for k, v in subprocess_specs.items()},
    }, cls=_encoder(), sort_keys=True)


def spec_dict_for(spec_json: str) -> dict:
    return json.loads(spec_json)


def dumps(workflow: Any, meta: dict | None = None, *, prune_first: bool = True) -> str:
    """Pruned state without the specs: they are re-inserted from the ProcessModel(s) by `loads`."""
    if prune_first:
        from .prune import prune
        prune(workflow, drop_ended_branches=True)
    ser = serializer()
    converter = _workflow_converter()
    with spiff.encoding(ser):
        dct = converter.state_to_dict(workflow) if isinstance(workflow, converter.target_class) \
            else ser.to_dict(workflow)
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        dct[ser.VERSION_KEY] = ser.VERSION
        dct["alur_format"] = STATE_FORMAT
        dct["alur_meta"] = meta or {}
        return json.dumps(dct, cls=spiff.encoder_class(ser))


def loads_with_meta(state: str, spec_json: str) -> tuple[Any, dict]:
    """Rebuild a workflow from a state and the spec_json of its model; with the state's meta data (tenant,
    business key)."""
    ser = serializer()
    dct = json.loads(state)
    if not isinstance(dct, dict) or dct.pop("alur_format", None) != STATE_FORMAT:
        raise ValueError("not an Alur engine state")
    meta = dct.pop("alur_meta", {}) or {}
    _check_stored_state(dct, ser)
    shared = _shared_specs(spec_json)
    if shared is not None:
        return ser.from_dict(dct, specs=shared), meta
    main = spec_dict_for(spec_json)
    dct["spec"] = main["spec"]
    dct["subprocess_specs"] = dict(main["subprocess_specs"])
    return ser.from_dict(dct), meta


def _check_stored_state(dct: dict, ser: BpmnWorkflowSerializer) -> None:
    # SpiffWorkflow's `migrate` must never run on stored text: its 1.1->1.2 step eval()s timer expressions.
    # Alur only ever wrote the current version, and specs come from the ProcessModel, never from the state.
    version = dct.get(ser.VERSION_KEY)
    if version != ser.VERSION:
        raise EngineError(f"the stored state has serializer version {version!r}; only {ser.VERSION!r} "
                          "can be loaded (old states are not migrated)")
    carried = sorted(k for k in ("spec", "subprocess_specs") if k in dct)
    if carried:
        raise EngineError(f"the stored state carries {', '.join(carried)}; an Alur state must not contain "
                          "process definitions")


def restore_specs(spec_json: str) -> tuple[Any, dict]:
    """Spec objects for starting a workflow: shared ones when that is safe, fresh ones otherwise."""
    shared = _shared_specs(spec_json)
    if shared is not None:
        return shared[0], dict(shared[1])
    return _restore_fresh(spec_json)


def _restore_fresh(spec_json: str) -> tuple[Any, dict]:
    ser = serializer()
    main = spec_dict_for(spec_json)
    spec = ser.registry.restore(main["spec"])
    subs = {k: ser.registry.restore(v) for k, v in main["subprocess_specs"].items()}
    return spec, subs


# Restored specs per spec_json (embedded subprocesses included), shared by every instance of a model. Sharing
# is safe because SpiffWorkflow 3.2 keeps run-time state on tasks and workflows, never on task specs, with one
# exception: loop and multi-instance specs connect `merge_child` to their child spec's completed_event at
# run time (service/engine/specs.py does the same). Models containing those get None: fresh specs always.
_shared: OrderedDict[str, tuple[Any, dict] | None] = OrderedDict()
_shared_lock = threading.Lock()


def _shared_specs(spec_json: str) -> tuple[Any, dict] | None:
    key = spec_json
    with _shared_lock:
        if key in _shared:
            _shared.move_to_end(key)
            return _shared[key]
    spec, subs = _restore_fresh(spec_json)   # outside the lock: slow and idempotent
    value = (spec, subs) if shareable(spec, subs) else None
    with _shared_lock:
        value = _shared.setdefault(key, value)   # a concurrent builder's result wins: one object per key
        while len(_shared) > _SHARED_SPECS_MAX:
            _shared.popitem(last=False)
    return value


def shareable(spec: Any, subprocess_specs: dict) -> bool:
    """True when no task spec of the process or its subprocesses is changed while instances run."""
    return not any(isinstance(task_spec, LoopTask)
                   for process in [spec, *subprocess_specs.values()] for task_spec in process.task_specs.values())


__all__ = ["serializer", "spec_json_for", "spec_dict_for", "dumps", "loads_with_meta",
           "restore_specs", "shareable", "AlurWorkflowConverter", "STATE_FORMAT"]
