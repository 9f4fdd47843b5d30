"""Serialization of instance state without the spec, and of specs into ProcessModel.spec_json."""
from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnSubWorkflowConverter, BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.default.task_spec import (
    BpmnTaskSpecConverter,
    ConditionalGatewayConverter,
    ParallelGatewayConverter,
    MultiInstanceTaskConverter,
    ScriptTaskConverter,
    SubWorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskIterator

from . import specs as s
from . import workflow as w

STATE_FORMAT = "alur-1"
_MAX_DEPTH = 10**7


def apply_iterator_patch() -> None:
    """Lift SpiffWorkflow's 1000-level iterator cap, which silently stalls long loops.

    Pruning keeps trees shallow; this is the safety net. Idempotent; called when an Engine is built.
    """
    if TaskIterator.__init__.__defaults__ != (None, _MAX_DEPTH, True, None):
        TaskIterator.__init__.__defaults__ = (None, _MAX_DEPTH, True, None)
    if BpmnTaskIterator.__init__.__defaults__ != (None, _MAX_DEPTH, True, False, None):
        BpmnTaskIterator.__init__.__defaults__ = (None, _MAX_DEPTH, True, False, None)


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
        s.AlurCallActivity: SubWorkflowConverter,
        s.AlurParallelMultiInstance: MultiInstanceTaskConverter,
        s.AlurSequentialMultiInstance: MultiInstanceTaskConverter,
        s.AlurTimeDateEventDefinition: TimerConditionalEventDefinitionConverter,
        s.AlurDurationTimerEventDefinition: TimerConditionalEventDefinitionConverter,
        s.AlurCycleTimerEventDefinition: TimerConditionalEventDefinitionConverter,
        w.AlurParallelGateway: ParallelGatewayConverter,
        w.AlurInclusiveGateway: ConditionalGatewayConverter,
        w.AlurWorkflow: BpmnWorkflowConverter,
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
    registry.register(DaysTimeDuration, lambda v: {"micros": v.micros}, lambda v: DaysTimeDuration(v["micros"]),
                      typename="DaysTimeDuration")
    registry.register(YearsMonthsDuration, lambda v: {"months": v.months},
                      lambda v: YearsMonthsDuration(v["months"]), typename="YearsMonthsDuration")
    return BpmnWorkflowSerializer(registry)


def _encoder() -> type[json.JSONEncoder]:
    return serializer()._encoder_cls


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
    ser.registry._encoder_mode = True
    try:
        dct = ser.to_dict(workflow)
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        dct[ser.VERSION_KEY] = ser.VERSION
        dct["alur_format"] = STATE_FORMAT
        dct["alur_meta"] = meta or {}
        return json.dumps(dct, cls=ser._encoder_cls)
    finally:
        ser.registry._encoder_mode = False


def loads(state: str, spec_json: str, called_spec_jsons: dict[str, str] | None = None) -> Any:
    """Rebuild a workflow from a state and the spec_json of its model and its called models."""
    return loads_with_meta(state, spec_json, called_spec_jsons)[0]


def loads_with_meta(state: str, spec_json: str, called_spec_jsons: dict[str, str] | None = None) -> tuple[Any, dict]:
    ser = serializer()
    dct = json.loads(state)
    if not isinstance(dct, dict) or dct.pop("alur_format", None) != STATE_FORMAT:
        raise ValueError("not an Alur engine state")
    meta = dct.pop("alur_meta", {}) or {}
    ser.migrate(dct)
    main = spec_dict_for(spec_json)
    subprocess_specs = dict(main["subprocess_specs"])
    for key, text in (called_spec_jsons or {}).items():
        called = spec_dict_for(text)
        subprocess_specs[key] = called["spec"]
        for sub_key, sub in called["subprocess_specs"].items():
            subprocess_specs.setdefault(sub_key, sub)
    dct["spec"] = main["spec"]
    dct["subprocess_specs"] = subprocess_specs
    return ser.from_dict(dct), meta


def restore_specs(spec_json: str, called_spec_jsons: dict[str, str] | None = None) -> tuple[Any, dict]:
    """Fresh spec objects (never shared between instances) for starting a workflow."""
    ser = serializer()
    main = spec_dict_for(spec_json)
    spec = ser.registry.restore(main["spec"])
    subs = {k: ser.registry.restore(v) for k, v in main["subprocess_specs"].items()}
    for key, text in (called_spec_jsons or {}).items():
        called = spec_dict_for(text)
        subs[key] = ser.registry.restore(called["spec"])
        for sub_key, sub in called["subprocess_specs"].items():
            subs.setdefault(sub_key, ser.registry.restore(sub))
    return spec, subs


__all__ = ["apply_iterator_patch", "serializer", "spec_json_for", "spec_dict_for", "dumps", "loads", "loads_with_meta",
           "restore_specs", "STATE_FORMAT"]
