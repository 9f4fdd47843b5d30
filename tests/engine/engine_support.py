"""Shared helpers for the engine adapter tests (not a test module)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from service.engine import Engine, FrozenClock, ProcessModel, parse_bpmn

FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)   # a Monday

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
          'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'id="Defs" targetNamespace="http://bpmn.io/schema/bpmn" '
          'exporter="Camunda Modeler" exporterVersion="5.20.0">\n')


def wrap(process_body: str, key: str = "p", extra: str = "") -> bytes:
    """A one-process definitions document, for inline models in tests."""
    return (HEADER + extra + f'<bpmn:process id="{key}" isExecutable="true">\n{process_body}\n</bpmn:process>\n'
            '</bpmn:definitions>\n').encode()


def load_models(*names: str) -> dict[str, ProcessModel]:
    models: dict[str, ProcessModel] = {}
    for name in names:
        for model in parse_bpmn(name, (FIXTURES / name).read_bytes()):
            models[model.key] = model
    return models


def _normal(state: str) -> dict:
    """A state as a dict, with the (order-insensitive) deleted-key lists sorted."""
    import json
    dct = json.loads(state)
    workflows = [dct, *dct.get("subprocesses", {}).values()]
    for wf in workflows:
        for task in wf["tasks"].values():
            if task.get("delta"):
                task["delta"]["deletions"] = sorted(task["delta"].get("deletions", []))
    return dct


class Harness:
    """An Engine over a dict of models, with a FrozenClock, that round-trips the state on every step."""

    def __init__(self, models: dict[str, ProcessModel], *, decisions: Any = None, calendar: Any = None) -> None:
        self.models = models
        self.clock = FrozenClock(T0)
        self.engine = Engine(clock=self.clock, processes=self._resolve,
                             decisions=decisions or self._no_decisions, calendar=calendar)
        self.history: list = []
        self.states: list[str] = []

    def _resolve(self, key: str, tenant: str | None) -> ProcessModel:
        return self.models[key]

    @staticmethod
    def _no_decisions(*args: Any) -> Any:
        raise LookupError("no decisions in this test")

    def start(self, key: str, variables: dict | None = None, **kw: Any) -> Any:
        inst = self.engine.start(self.models[key], variables=variables or {}, **kw)
        return self.reload(inst)

    def reload(self, inst: Any) -> Any:
        """Drain history, dump, load again: every test step goes through the store format."""
        self.history.extend(inst.drain_history())
        state = inst.dumps()
        self.states.append(state)
        again = self.engine.load(inst.model, state)
        assert _normal(again.dumps()) == _normal(state), "dump(load(dump(x))) must be stable"
        assert again.variables() == inst.variables()
        assert sorted(t.id for t in again.user_tasks()) == sorted(t.id for t in inst.user_tasks())
        return again

    def task(self, inst: Any, element_id: str) -> Any:
        matches = [t for t in inst.user_tasks() if t.element_id == element_id]
        assert matches, f"no ready user task {element_id}; ready: {[t.element_id for t in inst.user_tasks()]}"
        return matches[0]

    def complete(self, inst: Any, element_id: str, variables: dict | None = None, user: str | None = "tester") -> Any:
        inst.complete_user_task(self.task(inst, element_id).id, variables or {}, user=user)
        return self.reload(inst)

    def ready(self, inst: Any) -> list[str]:
        return sorted(t.element_id for t in inst.user_tasks())

    def kinds(self, kind: str) -> list:
        return [e for e in self.history if e.kind == kind]
