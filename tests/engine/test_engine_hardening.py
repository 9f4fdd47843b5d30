"""Regression tests for problems a reviewer proved: stored-state migration, cross-tenant decisions,
DOCTYPE in BPMN, reserved variable names, parallel-branch data, and the per-action time budget."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine_support import FIXTURES, Harness, load_models, wrap
from service.engine import EngineError, IncidentError, ModelError, parse_bpmn
from service.engine import serializer as ser
from service.engine.dmn import parse_dmn

DECISIONS = {d.key: d for d in parse_dmn("risk.dmn", (FIXTURES / "risk.dmn").read_bytes())}


# -- stored state: never migrated, never carrying specs -------------------------------------------

def _stored_state() -> tuple[Harness, object, str]:
    h = Harness(load_models("decision.bpmn"), decisions=lambda key, *a: DECISIONS[key])
    inst = h.start("decision", {"amount": 5, "ruleKey": "risk_level"})
    return h, inst, inst.dumps()


def test_an_old_serializer_version_is_refused_without_running_the_migration(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    state = json.dumps({
        "alur_format": ser.STATE_FORMAT, "serializer_version": "1.1", "tasks": {},
        "spec": {"task_specs": {"T": {"name": "T", "typename": "IntermediateCatchEvent", "event_definition": {
            "typename": "TimerEventDefinition", "label": "x",
            "dateTime": f"open({str(marker)!r}, 'w').write('x')"}}}}})
    with pytest.raises(EngineError, match="serializer version '1.1'"):
        ser.loads_with_meta(state, '{"spec": {}, "subprocess_specs": {}}')
    assert not marker.exists()


@pytest.mark.parametrize("key", ["spec", "subprocess_specs"])
def test_a_state_carrying_specs_is_refused(key: str) -> None:
    h, inst, state = _stored_state()
    dct = json.loads(state)
    dct[key] = {}
    with pytest.raises(EngineError, match=key):
        h.engine.load(inst.model, json.dumps(dct))


def test_a_current_state_still_loads() -> None:
    h, inst, state = _stored_state()
    again = h.engine.load(inst.model, state)
    assert again.variables() == inst.variables()


# -- decisions of another tenant ------------------------------------------------------------------

def _with_decision_tenant(value: str) -> bytes:
    return (FIXTURES / "decision.bpmn").read_bytes().replace(
        b'camunda:decisionRef="', f'camunda:decisionRefTenantId="{value}" camunda:decisionRef="'.encode(), 1)


def test_a_decision_of_another_tenant_is_never_resolved() -> None:
    calls: list[tuple] = []

    def resolver(key, tenant, binding, version):
        calls.append((key, tenant))
        return DECISIONS[key]
    models = {m.key: m for m in parse_bpmn("d.bpmn", _with_decision_tenant("tenant-b"))}
    h = Harness(models, decisions=resolver)
    with pytest.raises(IncidentError, match="another tenant"):
        h.start("decision", {"amount": 5, "ruleKey": "risk_level"}, tenant="tenant-a")
    assert calls == []


def test_the_instance_own_tenant_is_accepted() -> None:
    calls: list[tuple] = []

    def resolver(key, tenant, binding, version):
        calls.append((key, tenant))
        return DECISIONS[key]
    models = {m.key: m for m in parse_bpmn("d.bpmn", _with_decision_tenant("tenant-a"), tenant="tenant-a")}
    Harness(models, decisions=resolver).start("decision", {"amount": 5, "ruleKey": "risk_level"}, tenant="tenant-a")
    assert calls[0] == ("risk_level", "tenant-a")


def test_deploy_refuses_another_tenant_or_an_expression() -> None:
    with pytest.raises(ModelError, match=r"Rule_Risk.*decisionRefTenantId 'tenant-b'"):
        parse_bpmn("d.bpmn", _with_decision_tenant("tenant-b"), tenant="tenant-a")
    with pytest.raises(ModelError, match=r"Rule_Risk.*decisionRefTenantId"):
        parse_bpmn("d.bpmn", _with_decision_tenant("${otherTenant}"))


# -- DOCTYPE --------------------------------------------------------------------------------------

def test_a_doctype_is_refused() -> None:
    body = ('<bpmn:startEvent id="S" name="&e;"/>')
    xml = wrap(body).replace(b'<bpmn:definitions', b'<!DOCTYPE d [<!ENTITY e "expanded">]>\n<bpmn:definitions', 1)
    with pytest.raises(ModelError, match="DOCTYPE"):
        parse_bpmn("e.bpmn", xml)


# -- variables of a finished parallel branch ------------------------------------------------------

FORK_JOIN = '''<bpmn:startEvent id="S"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="P"/>
<bpmn:parallelGateway id="P"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>fa</bpmn:outgoing>
<bpmn:outgoing>fb</bpmn:outgoing></bpmn:parallelGateway>
<bpmn:sequenceFlow id="fa" sourceRef="P" targetRef="A"/><bpmn:sequenceFlow id="fb" sourceRef="P" targetRef="B"/>
<bpmn:userTask id="A"><bpmn:incoming>fa</bpmn:incoming><bpmn:outgoing>fa2</bpmn:outgoing></bpmn:userTask>
<bpmn:userTask id="B"><bpmn:incoming>fb</bpmn:incoming><bpmn:outgoing>fb2</bpmn:outgoing></bpmn:userTask>
<bpmn:sequenceFlow id="fa2" sourceRef="A" targetRef="J"/><bpmn:sequenceFlow id="fb2" sourceRef="B" targetRef="J"/>
<bpmn:parallelGateway id="J"><bpmn:incoming>fa2</bpmn:incoming><bpmn:incoming>fb2</bpmn:incoming>
<bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
<bpmn:sequenceFlow id="f3" sourceRef="J" targetRef="C"/>
<bpmn:userTask id="C"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
<bpmn:sequenceFlow id="f4" sourceRef="C" targetRef="E"/>
<bpmn:endEvent id="E"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>'''


def test_variables_written_on_a_finished_branch_are_visible_before_the_join() -> None:
    h = Harness({m.key: m for m in parse_bpmn("j.bpmn", wrap(FORK_JOIN))})
    inst = h.start("p", {"x": 0})
    inst.complete_user_task(h.task(inst, "A").id, {"x": 1, "y": "a"}, user="u")
    assert inst.variables() == {"x": 1, "y": "a"}
    inst = h.reload(inst)
    assert inst.variables() == {"x": 1, "y": "a"}
    inst.complete_user_task(h.task(inst, "B").id, {"z": 2}, user="u")
    inst = h.reload(inst)
    assert inst.variables() == {"x": 1, "y": "a", "z": 2}


# -- reserved variable names ----------------------------------------------------------------------

def test_data_objects_is_a_reserved_variable_name() -> None:
    h = Harness({m.key: m for m in parse_bpmn("j.bpmn", wrap(FORK_JOIN))})
    with pytest.raises(EngineError, match="'data_objects' is reserved"):
        h.start("p", {"data_objects": {"a": 1}})
    body = FORK_JOIN.replace('<bpmn:userTask id="C">', '<bpmn:userTask id="C"><bpmn:extensionElements>'
                             '<camunda:inputOutput><camunda:outputParameter name="data_objects">1'
                             '</camunda:outputParameter></camunda:inputOutput></bpmn:extensionElements>')
    with pytest.raises(ModelError, match=r"C.*'data_objects'.*reserved"):
        parse_bpmn("j.bpmn", wrap(body))


# -- one time budget per action -------------------------------------------------------------------

SCRIPT_LOOP = '''<bpmn:startEvent id="S"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="G"/>
<bpmn:exclusiveGateway id="G" default="f_out"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f3</bpmn:incoming>
<bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f_out</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:sequenceFlow id="f2" sourceRef="G" targetRef="T">
<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">n &lt; limit</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:scriptTask id="T" scriptFormat="feel" camunda:resultVariable="n"><bpmn:incoming>f2</bpmn:incoming>
<bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>n + 1</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f3" sourceRef="T" targetRef="G"/>
<bpmn:sequenceFlow id="f_out" sourceRef="G" targetRef="E"/>
<bpmn:endEvent id="E"><bpmn:incoming>f_out</bpmn:incoming></bpmn:endEvent>'''


def test_an_action_past_its_time_budget_becomes_an_incident(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.engine.budget import Budget
    models = {m.key: m for m in parse_bpmn("l.bpmn", wrap(SCRIPT_LOOP))}
    h = Harness(models)
    inst = h.start("p", {"n": 0, "limit": 5})
    assert inst.completed and inst.variables()["n"] == 5
    monkeypatch.setattr(h.engine, "budget", Budget(max_steps=10**6, max_action_seconds=0.2))
    with pytest.raises(IncidentError, match=r"T: .*longer than 0.2 seconds"):
        h.engine.start(models["p"], variables={"n": 0, "limit": 10**6})
