"""JavaScript in the V8 sandbox: hostile scripts are bounded or refused, normal ones give Camunda's results.

The sandbox runs in child processes (service/engine/scripting/sandbox.py); these tests use a short time
limit so the hostile cases stay fast.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any, Iterator

import pytest

from engine_support import Harness, wrap
from service.engine import IncidentError, ModelError, parse_bpmn
from service.engine import scripting
from service.engine.scripting import ScriptError, check_script, run_script

TIMEOUT_MS = 400


@pytest.fixture(autouse=True)
def short_limits() -> Iterator[None]:
    before = scripting.limits()
    scripting.configure(timeout_ms=TIMEOUT_MS, memory_mb=32, max_bytes=1024 * 1024)
    yield
    scripting.configure(timeout_ms=before.timeout_ms, memory_mb=before.memory_mb, max_bytes=before.max_bytes)


def failure(source: str, **kw: Any) -> ScriptError:
    with pytest.raises(ScriptError) as err:
        run_script("javascript", source, **kw)
    return err.value


# -- bounds ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["while (true) {}", "for (;;) { Math.random(); }"])
def test_endless_scripts_stop_at_the_time_limit(source: str) -> None:
    started = time.monotonic()
    err = failure(source)
    assert err.kind == "timeout" and f"{TIMEOUT_MS} ms" in err.message and "ALUR_SCRIPT_TIMEOUT_MS" in err.message
    assert time.monotonic() - started < TIMEOUT_MS / 1000 + 2.0
    assert run_script("js", "6 * 7") == 42          # the next script runs (in a new child)


def test_a_builtin_that_ignores_termination_is_killed() -> None:
    """V8 cannot interrupt this fill; the child is killed at the time or the memory bound, whichever first."""
    started = time.monotonic()
    err = failure("new Array(1e8).fill(0)")
    assert err.kind in ("timeout", "memory")
    assert time.monotonic() - started < TIMEOUT_MS / 1000 + 2.0
    assert run_script("js", "6 * 7") == 42


def test_a_growing_heap_stops_at_the_memory_limit() -> None:
    scripting.configure(timeout_ms=5000)      # near the limit V8 collects garbage hard: slow on a busy machine
    err = failure("var a = []; while (true) a.push(new Array(1e5).fill(1));")
    assert err.kind == "memory" and "more than 32 MB (ALUR_SCRIPT_MEMORY_MB)" in err.message, err.message
    assert run_script("js", "'still here'") == "still here"


@pytest.mark.parametrize("source", [
    "'ab'.repeat(2 ** 27).split('')",                                   # V8 aborts its process on this one
    "var b = []; for (var i = 0; i < 64; i++) b.push(new Float64Array(2 ** 24).fill(1)); b.length",  # off-heap
])
def test_memory_bombs_outside_the_heap_kill_only_the_child(source: str) -> None:
    """Killed at the memory bound (the child's size, or V8 aborting it) or, on a slow machine, the time bound
    first; either way an error for this script and the next one runs."""
    err = failure(source)
    assert err.kind in ("memory", "timeout"), err.message
    assert run_script("js", "'still here'") == "still here"


def test_deep_recursion_is_a_stack_error() -> None:
    err = failure("function f(n) { return f(n + 1) + 1; } f(0)")
    assert err.kind == "error" and "Maximum call stack size exceeded" in err.message


def test_a_huge_result_is_refused_by_size() -> None:
    err = failure("'x'.repeat(2 * 1024 * 1024)")
    assert err.kind == "result" and "larger than" in err.message


@pytest.mark.parametrize("source, needle", [
    ("(function () { return 1; })", "is a function"),
    ("Symbol('s')", "is a Symbol"),
    ("var o = {}; o.self = o; o", "refers to itself"),
    ("({ m: new Map() })", "at .m is a Map"),
    ("10n", "BigInt"),
    ("0 / 0", "NaN"),
    ("Promise.resolve(1)", "Promise"),
    ("new Date(NaN)", "invalid Date"),
])
def test_values_that_cannot_cross_are_clear_errors(source: str, needle: str) -> None:
    err = failure(source)
    assert err.kind == "result" and needle in err.message, err.message


def test_source_size_is_bounded() -> None:
    err = failure("1;" + " " * (scripting.sandbox.MAX_SOURCE_CHARS + 1))
    assert "longer than" in err.message


# -- no way out ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("source, needle", [
    ("require('fs')", "require is not defined"),
    ("process.env", "process is not defined"),
    ("Java.type('java.lang.Runtime')", "Java is not defined"),
    ("load('/etc/passwd')", "load is not defined"),
    ("print('x')", "print is not defined"),
    ("readFile('/etc/passwd')", "readFile is not defined"),
    ("new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))", "WebAssembly is not defined"),
    ("setTimeout(function () {}, 1)", "not a function"),
    ("import('fs')", "Promise"),
])
def test_the_host_is_out_of_reach(source: str, needle: str) -> None:
    err = failure(source)
    assert needle in err.message, err.message


def test_import_declarations_do_not_parse() -> None:
    with pytest.raises(ScriptError) as err:
        check_script("javascript", "import fs from 'fs';")
    assert err.value.kind == "syntax"


def test_eval_and_function_constructor_see_only_the_sandbox_global() -> None:
    assert run_script("js", "eval('2 + 3')") == 5
    assert run_script("js", "var g = ({}).constructor.constructor('return this')(); "
                            "[g === globalThis, typeof g.process, typeof g.require, typeof g.Java]") == \
        [True, "undefined", "undefined", "undefined"]


def test_prototype_pollution_and_globals_do_not_leak_to_the_next_script() -> None:
    assert run_script("js", "Object.prototype.polluted = 'yes'; Array.prototype.push = null; "
                            "leaked = 1; var kept = 2; JSON.parse = null; ({}).polluted") == "yes"
    assert run_script("js", "[({}).polluted === undefined, typeof leaked, typeof kept, typeof JSON.parse, "
                            "typeof [].push]") == [True, "undefined", "undefined", "function", "function"]


# -- formats ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["groovy", "python", "Jython", "ruby", "kotlin"])
def test_other_languages_are_refused_naming_the_format(fmt: str) -> None:
    with pytest.raises(ScriptError) as err:
        run_script(fmt, "x = 1", variables={})
    assert err.value.kind == "unsupported" and f"script format '{fmt}' is not supported" in err.value.message


@pytest.mark.parametrize("fmt", ["javascript", "JavaScript", "js", "ECMAScript"])
def test_camundas_javascript_names(fmt: str) -> None:
    assert run_script(fmt, "a + 1", variables={"a": 1}) == 2


def test_feel_and_juel_go_through_alurs_evaluators() -> None:
    assert run_script("feel", "a + 1", variables={"a": 1}) == 2
    assert run_script("juel", "${a + 1}", variables={"a": 1}) == 2


# -- values -------------------------------------------------------------------------------------------

def test_values_cross_as_json_and_dates_as_dates() -> None:
    when = datetime(2026, 1, 5, 8, 30, tzinfo=timezone.utc)
    result = run_script("js", "({ year: when.getUTCFullYear(), later: new Date(when.getTime() + 60000), "
                              "items: items.map(function (i) { return i * 2; }), nested: obj.a.b, nil: null, "
                              "text: name + '!', not_a_date: '2026-01-05T08:30:00+00:00' })",
                        variables={"when": when, "items": [1, 2, 3], "obj": {"a": {"b": True}}, "name": "budi"})
    assert result == {"year": 2026, "later": datetime(2026, 1, 5, 8, 31, tzinfo=timezone.utc),
                      "items": [2, 4, 6], "nested": True, "nil": None, "text": "budi!",
                      "not_a_date": "2026-01-05T08:30:00+00:00"}
    assert run_script("js", "undefined") is None and run_script("js", "2.5") == 2.5


def test_a_thrown_error_names_its_message() -> None:
    err = failure("throw new Error('ditolak')")
    assert err.kind == "error" and "Error: ditolak" in err.message
    assert "uncaught \"plain text\"" in failure("throw 'plain text'").message


# -- wired into models ----------------------------------------------------------------------------------

LINEAR = '''<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
{body}
<bpmn:userTask id="wait"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
<bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="x" />
<bpmn:sequenceFlow id="f2" sourceRef="x" targetRef="wait" />
<bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="e" />'''


def script_task(script: str, fmt: str = "javascript", attrs: str = "") -> bytes:
    return wrap(LINEAR.format(body=f'<bpmn:scriptTask id="x" name="Hitung" scriptFormat="{fmt}" {attrs}>'
                                   f'<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
                                   f'<bpmn:script><![CDATA[{script}]]></bpmn:script></bpmn:scriptTask>'))


def run_model(content: bytes, variables: dict | None = None, **parse: Any) -> dict:
    [model] = parse_bpmn("m.bpmn", content, **parse)
    h = Harness({"p": model})
    return dict(h.start("p", variables or {}, business_key="BK-1").variables())


def test_script_task_result_variable_and_execution_writes() -> None:
    content = script_task("execution.setVariable('doubled', amount * 2); "
                          "execution.setVariable('who', execution.getBusinessKey() + '@' + "
                          "execution.getCurrentActivityId()); amount + 1",
                          attrs='camunda:resultVariable="next"')
    assert run_model(content, {"amount": 20}) | {} == {"amount": 20, "doubled": 40, "who": "BK-1@x", "next": 21}


def test_camunda_engine_test_scripts_give_camundas_results() -> None:
    """ScriptTaskTest.testJavascriptProcessVarVisibility, testJavascriptFunctionInvocation, testJsVariable."""
    visibility = ("execution.setVariable('foo', 'a');"
                  "if (typeof foo !== 'undefined') { throw 'Variable foo should be defined as script variable.'; }"
                  "var foo = 'b';"
                  "if (execution.getVariable('foo') != 'a') { throw 'Execution should contain variable foo'; }"
                  "if (foo != 'b') { throw 'Script variable must override the visibiltity of the execution "
                  "variable.'; }")
    assert run_model(script_task(visibility))["foo"] == "a"
    function = "function sum(a,b){  return a+b;};var result = sum(1,2);execution.setVariable('foo', result);"
    assert run_model(script_task(function))["foo"] == 3
    assert "foo" not in run_model(script_task("var foo = 1;"))


def test_script_variables_are_copies() -> None:
    variables = run_model(script_task("amount = 999; items.push(4); execution.setVariable('seen', amount)"),
                          {"amount": 1, "items": [1, 2, 3]})
    assert variables == {"amount": 1, "items": [1, 2, 3], "seen": 999}


def test_a_failing_script_task_is_an_incident_naming_the_element() -> None:
    [model] = parse_bpmn("m.bpmn", script_task("while (true) {}"))
    with pytest.raises(IncidentError) as err:
        Harness({"p": model}).start("p", {})
    assert err.value.element_id == "x" and "ALUR_SCRIPT_TIMEOUT_MS" in err.value.message


@pytest.mark.parametrize("fmt", ["groovy", "python"])
def test_other_languages_deploy_and_are_incidents_when_reached(fmt: str) -> None:
    [model] = parse_bpmn("m.bpmn", script_task("x = 1", fmt=fmt))
    with pytest.raises(IncidentError) as err:
        Harness({"p": model}).start("p", {})
    assert err.value.element_id == "x" and f"script format '{fmt}' is not supported" in err.value.message


def test_a_script_that_does_not_compile_is_a_deploy_error_naming_the_element() -> None:
    with pytest.raises(ModelError) as err:
        parse_bpmn("m.bpmn", script_task("var = ;"))
    assert err.value.element_id == "x" and "does not compile" in err.value.message
    assert "SyntaxError" in err.value.message


def test_script_from_a_deployment_resource() -> None:
    content = script_task("", attrs='camunda:resource="deployment://calc.js" camunda:resultVariable="total"')
    content = content.replace(b"<bpmn:script><![CDATA[]]></bpmn:script>", b"")
    calc = b"function sum(a, b) { return a + b; }\nsum(price, 5)"
    assert run_model(content, {"price": 10}, resources={"calc.js": calc})["total"] == 15
    # Missing from the deployment: deploys as in Camunda, the incident names the resource.
    [model] = parse_bpmn("m.bpmn", content, resources={})
    with pytest.raises(IncidentError) as err:
        Harness({"p": model}).start("p", {"price": 1})
    assert "deployment://calc.js" in err.value.message
    # A resource that does not compile is a deploy error.
    with pytest.raises(ModelError, match="does not compile"):
        parse_bpmn("m.bpmn", content, resources={"calc.js": b"function ("})


def test_a_bare_path_names_the_deployment_resource_of_that_name() -> None:
    content = script_task("", attrs='camunda:resource="org/x/calc.js" camunda:resultVariable="total"')
    content = content.replace(b"<bpmn:script><![CDATA[]]></bpmn:script>", b"")
    assert run_model(content, {"price": 10}, resources={"org/x/calc.js": b"price * 2"})["total"] == 20
    [model] = parse_bpmn("m.bpmn", content, resources={"org/x/calc.js": b"price * 2"})
    assert model.unresolved_scripts == ()


@pytest.mark.parametrize("reference", ["classpath://org/x/calc.js", "org/x/calc.js"])
def test_classpath_resources_deploy_unresolved_and_are_incidents_when_reached(reference: str) -> None:
    content = script_task("", attrs=f'camunda:resource="{reference}"')
    content = content.replace(b"<bpmn:script><![CDATA[]]></bpmn:script>", b"")
    [model] = parse_bpmn("m.bpmn", content, resources={"calc.js": b"1"})
    assert model.unresolved_scripts == (("x", reference),)
    with pytest.raises(IncidentError) as err:
        Harness({"p": model}).start("p", {})
    assert err.value.element_id == "x" and reference in err.value.message


@pytest.mark.parametrize("reference", ["${scriptPath}", "http://example.test/calc.js"])
def test_computed_or_remote_resources_are_refused(reference: str) -> None:
    content = script_task("", attrs=f'camunda:resource="{reference}"')
    with pytest.raises(ModelError) as err:
        parse_bpmn("m.bpmn", content)
    assert "only deployment://<name>" in err.value.message and err.value.element_id == "x"


def gateway(condition: str, language: str = "javascript") -> bytes:
    return wrap(f'''<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:exclusiveGateway id="g" default="f3"><bpmn:incoming>f1</bpmn:incoming></bpmn:exclusiveGateway>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g" />
<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="yes">
  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="{language}"><![CDATA[{condition}]]>
  </bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="no" />
<bpmn:userTask id="yes"><bpmn:incoming>f2</bpmn:incoming></bpmn:userTask>
<bpmn:userTask id="no"><bpmn:incoming>f3</bpmn:incoming></bpmn:userTask>''')


def waiting_at(content: bytes, variables: dict) -> list[str]:
    [model] = parse_bpmn("m.bpmn", content)
    inst = Harness({"p": model}).start("p", variables)
    return [t.element_id for t in inst.user_tasks()]


def test_javascript_conditions_choose_the_flow() -> None:
    content = gateway("execution.getVariable('amount') > 1000 && approved")
    assert waiting_at(content, {"amount": 5000, "approved": True}) == ["yes"]
    assert waiting_at(content, {"amount": 5, "approved": True}) == ["no"]


def test_a_javascript_condition_must_be_boolean_and_compile() -> None:
    [model] = parse_bpmn("m.bpmn", gateway("'yes'"))
    with pytest.raises(IncidentError, match="true or false"):
        Harness({"p": model}).start("p", {})
    with pytest.raises(ModelError, match="does not compile"):
        parse_bpmn("m.bpmn", gateway("amount >"))
    [model] = parse_bpmn("m.bpmn", gateway("amount > 1", language="groovy"))      # deploys, as in Camunda
    with pytest.raises(IncidentError, match="script format 'groovy' is not supported"):
        Harness({"p": model}).start("p", {"amount": 2})


NOOP_SCRIPT = '<bpmn:script>null</bpmn:script></bpmn:scriptTask>'


def test_input_output_parameters_with_javascript() -> None:
    body = ('<bpmn:scriptTask id="x" scriptFormat="javascript"><bpmn:extensionElements><camunda:inputOutput>'
            '<camunda:inputParameter name="net"><camunda:script scriptFormat="javascript">'
            'gross * 0.9</camunda:script></camunda:inputParameter>'
            '<camunda:outputParameter name="label"><camunda:script scriptFormat="JavaScript">'
            "'net ' + net</camunda:script></camunda:outputParameter>"
            '</camunda:inputOutput></bpmn:extensionElements>'
            '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>' + NOOP_SCRIPT)
    variables = run_model(wrap(LINEAR.format(body=body)), {"gross": 100})
    assert variables == {"gross": 100, "label": "net 90"}


def test_listeners_with_javascript_see_execution_and_task() -> None:
    body = ('<bpmn:scriptTask id="x" scriptFormat="javascript"><bpmn:extensionElements>'
            '<camunda:executionListener event="start"><camunda:script scriptFormat="javascript">'
            "execution.setVariable('heard', execution.getEventName() + ':' + execution.getCurrentActivityId())"
            '</camunda:script></camunda:executionListener></bpmn:extensionElements>'
            '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>' + NOOP_SCRIPT)
    content = wrap(LINEAR.format(body=body)).replace(
        b'<bpmn:userTask id="wait">',
        b'<bpmn:userTask id="wait"><bpmn:extensionElements><camunda:taskListener event="create">'
        b'<camunda:script scriptFormat="javascript">task.setAssignee(owner); task.addCandidateGroup("PPK");'
        b"execution.setVariable('taskName', task.getTaskDefinitionKey())</camunda:script>"
        b'</camunda:taskListener></bpmn:extensionElements>')
    [model] = parse_bpmn("m.bpmn", content)
    inst = Harness({"p": model}).start("p", {"owner": "budi"})
    assert inst.variables()["heard"] == "start:x" and inst.variables()["taskName"] == "wait"
    [task] = inst.user_tasks()
    assert task.assignee == "budi" and "PPK" in task.candidate_groups


def test_an_input_parameter_script_that_only_writes_variables() -> None:
    """The pattern of camunda-bpm-examples' loan-granting.bpmn: an input parameter whose JavaScript sets a
    process variable (the parameter itself is null and local)."""
    body = ('<bpmn:scriptTask id="x" scriptFormat="javascript"><bpmn:extensionElements><camunda:inputOutput>'
            '<camunda:inputParameter name="Input_2rvtuu9"><camunda:script scriptFormat="javascript">'
            'execution.setVariable("defaultScore", 5);</camunda:script></camunda:inputParameter>'
            '</camunda:inputOutput></bpmn:extensionElements>'
            '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>' + NOOP_SCRIPT)
    assert run_model(wrap(LINEAR.format(body=body))) == {"defaultScore": 5}


def test_listener_scripts_compile_at_deploy_and_other_languages_fail_when_reached() -> None:
    def listener(fmt: str, script: str) -> bytes:
        body = ('<bpmn:scriptTask id="x" scriptFormat="javascript"><bpmn:extensionElements>'
                f'<camunda:executionListener event="end"><camunda:script scriptFormat="{fmt}">{script}'
                '</camunda:script></camunda:executionListener></bpmn:extensionElements>'
                '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>' + NOOP_SCRIPT)
        return wrap(LINEAR.format(body=body))

    with pytest.raises(ModelError) as err:
        parse_bpmn("m.bpmn", listener("javascript", "execution.setVariable("))
    assert err.value.element_id == "x" and "does not compile" in err.value.message
    [model] = parse_bpmn("m.bpmn", listener("groovy", "execution.setVariable('a', 1)"))
    with pytest.raises(IncidentError, match="'groovy' is not supported"):
        Harness({"p": model}).start("p", {})


def test_a_listener_write_the_facade_refuses_is_an_incident() -> None:
    [model] = parse_bpmn("m.bpmn", script_task("execution.setVariable('__alur_state', 1)"))
    with pytest.raises(IncidentError, match="reserved"):
        Harness({"p": model}).start("p", {})


def test_a_conditional_event_with_a_javascript_condition() -> None:
    content = wrap('''<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:intermediateCatchEvent id="wait_ok"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
  <bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression" language="javascript">
    execution.getVariable('ok') === true</bpmn:condition></bpmn:conditionalEventDefinition>
</bpmn:intermediateCatchEvent>
<bpmn:userTask id="after"><bpmn:incoming>f2</bpmn:incoming></bpmn:userTask>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait_ok" />
<bpmn:sequenceFlow id="f2" sourceRef="wait_ok" targetRef="after" />''')
    [model] = parse_bpmn("m.bpmn", content)
    h = Harness({"p": model})
    inst = h.start("p", {"ok": False})
    assert [a.element_id for a in inst.active_elements()] == ["wait_ok"]
    inst.set_variables({"ok": True})
    inst = h.reload(inst)
    assert [t.element_id for t in inst.user_tasks()] == ["after"]


def test_typed_variables_as_camunda_gives_them() -> None:
    assert run_model(script_task(
        "var t = execution.getVariableTyped('amount'); var d = execution.getVariableTyped('due');"
        "execution.setVariable('types', [t.getType(), t.getValue(), d.getType(), "
        "execution.getVariableTyped('items').type, execution.getVariableTyped('nope')])"),
        {"amount": 5, "due": datetime(2026, 1, 5, tzinfo=timezone.utc), "items": [1]})["types"] == \
        ["Long", 5, "Date", "Json", None]
