"""Deploy-time checks: refused constructs, expression errors with file/element/line, hostile texts."""
from __future__ import annotations

import pytest

from engine_support import Harness, load_models, wrap
from service.engine import IncidentError, ModelError, parse_bpmn
from tests.hostile import HOSTILE, Sandbox, hostile_id

LINEAR = '''<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
{body}
<bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="x" />
<bpmn:sequenceFlow id="f2" sourceRef="x" targetRef="e" />'''


def linear(body: str) -> bytes:
    return wrap(LINEAR.format(body=body))


def gateway_model(condition: str) -> bytes:
    return wrap(f'''<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:exclusiveGateway id="g" default="f3"><bpmn:incoming>f1</bpmn:incoming></bpmn:exclusiveGateway>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g" />
<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="yes">
  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"><![CDATA[{condition}]]></bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="no" />
<bpmn:endEvent id="yes"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
<bpmn:endEvent id="no"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>''')


def script_model(script: str) -> bytes:
    return linear(f'<bpmn:scriptTask id="x" scriptFormat="feel" camunda:resultVariable="r">'
                  f'<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
                  f'<bpmn:script><![CDATA[{script}]]></bpmn:script></bpmn:scriptTask>')


def line_of(content: bytes, needle: str) -> int:
    return next(i for i, line in enumerate(content.decode().splitlines(), 1) if needle in line)


def refused(content: bytes) -> ModelError:
    with pytest.raises(ModelError) as err:
        parse_bpmn("m.bpmn", content)
    return err.value


def script_task(fmt: str, script: str = "x = 1") -> bytes:
    return linear(f'<bpmn:scriptTask id="x" scriptFormat="{fmt}"><bpmn:incoming>f1</bpmn:incoming>'
                  f'<bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>')


def test_a_script_task_needs_a_script_format() -> None:
    content = script_task("")
    err = refused(content)
    line = line_of(content, 'id="x"')
    assert "needs a scriptFormat" in err.message
    assert err.element_id == "x" and err.file == "m.bpmn" and err.line == line
    assert str(err).startswith(f"m.bpmn: x (line {line}): a script task needs a scriptFormat")


@pytest.mark.parametrize("fmt", ["python", "groovy", "Python", "ruby", "javascript", "JavaScript", "js"])
def test_script_formats_deploy_as_in_camunda(fmt: str) -> None:
    """Camunda deploys any script language; JavaScript runs in the sandbox, the others are incidents when
    reached (tests/engine/test_js_sandbox.py)."""
    [model] = parse_bpmn("m.bpmn", script_task(fmt))
    assert model.executable


@pytest.mark.parametrize("attr", ['camunda:class="org.x.Delegate"', 'camunda:delegateExpression="${bean}"',
                                  'camunda:expression="${svc.run()}"'])
def test_delegates_deploy_and_name_their_handlers(attr: str) -> None:
    (model,) = parse_bpmn("m.bpmn", linear(f'<bpmn:serviceTask id="x" {attr}><bpmn:incoming>f1</bpmn:incoming>'
                                          f'<bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>'))
    expected = {"class": (("x", "org.x.Delegate"),), "delegateExpression": (("x", "bean"),), "expression": ()}
    assert model.handlers == expected[attr[len("camunda:"):attr.index("=")]]


@pytest.mark.parametrize("attr, refusal", [
    ('camunda:delegateExpression="${a.b}"', "only a bean name"),
    ('camunda:expression="${svc.run(}"', "is not a valid expression"),
    ('camunda:class="not a class"', "is not a class name"),
    ('camunda:class="a.B" camunda:expression="${b.c()}"', "exactly one of"),
])
def test_malformed_delegates_are_refused(attr: str, refusal: str) -> None:
    err = refused(linear(f'<bpmn:serviceTask id="x" {attr}><bpmn:incoming>f1</bpmn:incoming>'
                         f'<bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>'))
    assert refusal in err.message and err.element_id == "x"


@pytest.mark.parametrize("listener, refusal", [
    ('<camunda:executionListener class="a.B" event="take" />', "event 'take' is not supported"),
    ('<camunda:taskListener class="a.B" event="create" />', "task listeners belong to user tasks"),
    ('<camunda:executionListener event="start" />', "exactly one of"),
])
def test_listeners_outside_what_runs_are_refused(listener: str, refusal: str) -> None:
    err = refused(linear(f'<bpmn:task id="x"><bpmn:extensionElements>{listener}</bpmn:extensionElements>'
                         '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:task>'))
    assert refusal in err.message and err.element_id == "x"


def test_connectors_and_untyped_service_tasks_are_refused() -> None:
    err = refused(linear('<bpmn:serviceTask id="x"><bpmn:incoming>f1</bpmn:incoming>'
                         '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>'))
    assert "external" in err.message
    err = refused(linear('<bpmn:serviceTask id="x" camunda:type="external"><bpmn:incoming>f1</bpmn:incoming>'
                         '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>'))
    assert "camunda:topic" in err.message


def test_a_connector_outside_a_service_or_send_task_is_refused() -> None:
    err = refused(linear('<bpmn:userTask id="x"><bpmn:extensionElements><camunda:connector><camunda:connectorId>'
                         'c</camunda:connectorId></camunda:connector></bpmn:extensionElements>'
                         '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>'))
    assert "camunda:connector belongs in" in err.message and err.element_id == "x"


def test_expression_errors_name_element_line_and_text() -> None:
    content = gateway_model("${amount >}")
    err = refused(content)
    assert err.element_id == "f2" and err.line == line_of(content, "conditionExpression")
    assert "${amount >}" in err.message
    err = refused(gateway_model("amount >"))
    assert err.element_id == "f2" and "'amount >'" in err.message


@pytest.mark.parametrize("body,needle", [
    ('<bpmn:intermediateCatchEvent id="x"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
     '<bpmn:timerEventDefinition><bpmn:timeDuration>1 hour</bpmn:timeDuration></bpmn:timerEventDefinition>'
     '</bpmn:intermediateCatchEvent>', "timeDuration"),
    ('<bpmn:userTask id="x" camunda:dueDate="next week"><bpmn:incoming>f1</bpmn:incoming>'
     '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>', "camunda:dueDate"),
    ('<bpmn:userTask id="x" camunda:assignee="${user.}"><bpmn:incoming>f1</bpmn:incoming>'
     '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>', "camunda:assignee"),
    ('<bpmn:userTask id="x"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
     '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${items" /></bpmn:userTask>', "collection"),
    ('<bpmn:callActivity id="x" calledElement="${sub +}"><bpmn:incoming>f1</bpmn:incoming>'
     '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>', "calledElement"),
    ('<bpmn:callActivity id="x" calledElement="sub"><bpmn:extensionElements><camunda:in businessKey="${a +}"/>'
     '</bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
     '</bpmn:callActivity>', "businessKey"),
    ('<bpmn:businessRuleTask id="x"><bpmn:incoming>f1</bpmn:incoming>'
     '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>', "decisionRef"),
    ('<bpmn:task id="x"><bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="a">'
     '<camunda:script scriptFormat="javascript">1 +</camunda:script></camunda:inputParameter></camunda:inputOutput>'
     '</bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:task>',
     "does not compile"),
])
def test_bad_attributes_are_refused_at_deploy(body: str, needle: str) -> None:
    content = linear(body)
    err = refused(content)
    assert needle in err.message and err.element_id == "x"
    assert line_of(content, 'id="x"') <= err.line <= line_of(content, 'id="x"') + 1


def test_reserved_ids_malformed_xml_and_non_executable() -> None:
    err = refused(linear('<bpmn:task id="Start"><bpmn:incoming>f1</bpmn:incoming></bpmn:task>'))
    assert "reserved" in err.message
    err = refused(b"<bpmn:definitions")
    assert "XML" in err.message
    content = wrap(LINEAR.format(body='<bpmn:task id="x" />')).replace(b'isExecutable="true"',
                                                                       b'isExecutable="false"')
    [model] = parse_bpmn("m.bpmn", content)
    assert not model.executable and model.spec_json == ""
    h = Harness({"p": model})
    from service.engine import EngineError
    with pytest.raises(EngineError, match="not executable"):
        h.engine.start(model, variables={})


@pytest.mark.parametrize("text", HOSTILE, ids=hostile_id)
def test_hostile_corpus_in_conditions_and_feel_scripts(text: str) -> None:
    """Each hostile text is refused at deploy or bounded at run (an incident); nothing reaches Python."""
    for content in (gateway_model(text), script_model(text)):
        with Sandbox() as box:
            try:
                [model] = parse_bpmn("m.bpmn", content)
            except ModelError as err:
                assert err.element_id in ("f2", "x") and err.file == "m.bpmn"
                continue
            h = Harness({"p": model})
            try:
                inst = h.engine.start(model, variables={"x": 1, "a": 1, "b": 2})
            except IncidentError as exc:
                assert exc.element_id in ("g", "x")
            else:
                assert inst.completed
            assert box.elapsed < 3


def test_xsd_validation_is_optional() -> None:
    content = (linear('<bpmn:task id="x"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
                      '<bpmn:bogus /></bpmn:task>'))
    parse_bpmn("m.bpmn", content)
    with pytest.raises(ModelError):
        parse_bpmn("m.bpmn", content, validate_xsd=True)


def test_fixtures_all_parse() -> None:
    models = load_models("approval_loop.bpmn", "attributes.bpmn", "timers.bpmn", "decision.bpmn")
    assert set(models) >= {"approval_loop", "attributes", "timer_boundary", "timer_catch", "timer_cron",
                           "timer_start", "decision"}
    assert models["decision"].decision_refs == ["risk_level"]
