"""Business rule tasks: the DecisionResolver is asked at run time; tables never enter the state."""
from __future__ import annotations

import pytest

from engine_support import FIXTURES, Harness, load_models
from service.engine.dmn import parse_dmn

DECISIONS = {d.key: d for d in parse_dmn("risk.dmn", (FIXTURES / "risk.dmn").read_bytes())}


class Resolver:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, key: str, tenant, binding: str, version):
        self.calls.append((key, tenant, binding, version))
        return DECISIONS[key]


@pytest.mark.parametrize("amount,route", [(5_000_000, "Task_Low"), (500_000_000, "Task_High")])
def test_decision_routes_and_is_recorded(amount: int, route: str) -> None:
    resolver = Resolver()
    h = Harness(load_models("decision.bpmn"), decisions=resolver)
    inst = h.start("decision", {"amount": amount, "ruleKey": "risk_level"}, tenant="pagaralam")
    assert h.ready(inst) == [route]
    v = inst.variables()
    level = "low" if route == "Task_Low" else "high"
    assert v["risk"] == level
    assert v["rows"] == [{"level": level}]                          # default mapping: resultList
    assert resolver.calls == [("risk_level", "pagaralam", "latest", None), ("risk_level", "pagaralam", "version", 2)]
    events = h.kinds("decision_evaluated")
    assert [e.element_id for e in events] == ["Rule_Risk", "Rule_All"]
    rule = events[0].data["matched_rules"][0]
    assert rule["rule_id"] == ("rule_low" if level == "low" else "rule_high") and rule["index"] in (1, 2)
    assert events[0].data["decision_key"] == "risk_level"
    assert "risk_table" not in h.states[-1] and "200000000" not in h.states[-1]   # no table in the state


def test_decision_errors_become_task_incidents() -> None:
    from service.engine import IncidentError

    def missing(*args):
        raise LookupError("decision 'risk_level' is not deployed")
    h = Harness(load_models("decision.bpmn"), decisions=missing)
    with pytest.raises(IncidentError, match="Rule_Risk"):
        h.start("decision", {"amount": 1})
