"""Delegates and listeners as registered Python handlers, run by the engine (docs/DELEGATES.md)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from service.engine import IncidentError, parse_bpmn
from service.engine.delegation import BpmnError
from service.engine.delegation.registry import DelegateRegistry

from engine_support import Harness, wrap


def _harness(body: str, registry: DelegateRegistry, key: str = "p") -> Harness:
    models = {m.key: m for m in parse_bpmn("d.bpmn", wrap(body, key))}
    h = Harness(models)
    h.engine.delegates = registry
    return h


def _service(attrs: str, extra: str = "", after: str = "end") -> str:
    return (f'<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            f'<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="svc" />'
            f'<bpmn:serviceTask id="svc" name="Arsipkan" {attrs}>{extra}<bpmn:incoming>f1</bpmn:incoming>'
            f'<bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>'
            f'<bpmn:sequenceFlow id="f2" sourceRef="svc" targetRef="{after}" />'
            + ('<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>' if after == "end" else ""))


class Archive:
    """A camunda:class delegate, written as the Java one would be."""

    def execute(self, execution: Any) -> None:
        execution.setVariable("archived", f"{execution.getVariable('invoiceNumber')}@"
                                          f"{execution.getCurrentActivityId()}/{execution.getBusinessKey()}")


def test_a_class_delegate_runs_with_the_execution_facade() -> None:
    registry = DelegateRegistry()
    registry.register("org.example.Archive", Archive)
    h = _harness(_service('camunda:class="org.example.Archive"'), registry)
    inst = h.start("p", {"invoiceNumber": "INV-1"}, business_key="BK", instance_id="pi-9")
    assert inst.completed and inst.variables()["archived"] == "INV-1@svc/BK"
    assert inst.external_tasks() == []


def test_a_bean_gets_its_fields_injected() -> None:
    class Notifier:
        recipient: Any = None
        subject: Any = None

        def execute(self, execution: Any) -> None:
            execution.set_variable("sent", f"{self.recipient}: {self.subject.getValue(execution)}")

    registry = DelegateRegistry()
    registry.register("notifier", Notifier())
    fields = ('<bpmn:extensionElements><camunda:field name="recipient" stringValue="pokja" />'
              '<camunda:field name="subject"><camunda:expression>Paket ${paket}</camunda:expression>'
              '</camunda:field></bpmn:extensionElements>')
    h = _harness(_service('camunda:delegateExpression="${notifier}"', fields), registry)
    inst = h.start("p", {"paket": "ATK"})
    assert inst.variables()["sent"] == "pokja: Paket ATK"


def test_a_function_handler_gets_fields_as_keywords() -> None:
    seen: list = []
    registry = DelegateRegistry()
    registry.register("fn", lambda execution, level: seen.append((execution.getCurrentActivityName(), level)))
    fields = '<bpmn:extensionElements><camunda:field name="level" stringValue="3" /></bpmn:extensionElements>'
    h = _harness(_service('camunda:delegateExpression="${fn}"', fields), registry)
    assert h.start("p").completed and seen == [("Arsipkan", "3")]


def test_an_expression_calls_a_bean_and_stores_the_result() -> None:
    class Pricing:
        def total(self, execution: Any, rate: Any) -> Any:
            return execution.getVariable("amount") * rate

    registry = DelegateRegistry()
    registry.register("pricing", Pricing())
    h = _harness(_service('camunda:expression="${pricing.total(execution, 2)}" camunda:resultVariable="total"'),
                 registry)
    assert h.start("p", {"amount": 21}).variables()["total"] == 42


def test_an_expression_may_set_variables_through_the_execution() -> None:
    h = _harness(_service("camunda:expression=\"${execution.setVariable('flag', amount > 10)}\""),
                 DelegateRegistry())
    assert h.start("p", {"amount": 11}).variables()["flag"] is True


def test_a_missing_handler_is_an_incident_naming_it() -> None:
    h = _harness(_service('camunda:class="org.example.Missing"'), DelegateRegistry())
    with pytest.raises(IncidentError) as err:
        h.start("p")
    assert err.value.element_id == "svc"
    assert "handler 'org.example.Missing'" in err.value.message and "not registered" in err.value.message


def test_a_failing_handler_is_an_incident_naming_element_and_handler() -> None:
    def broken(execution: Any) -> None:
        raise RuntimeError("arsip penuh")

    registry = DelegateRegistry()
    registry.register("broken", broken)
    h = _harness(_service('camunda:delegateExpression="${broken}"'), registry)
    with pytest.raises(IncidentError) as err:
        h.start("p")
    assert err.value.message == "svc: delegate handler 'broken' failed: RuntimeError: arsip penuh"


@pytest.mark.parametrize("value", [object(), float("inf"), {3: "x"}])
def test_a_handler_cannot_store_a_value_that_is_not_plain(value: Any) -> None:
    registry = DelegateRegistry()
    registry.register("bad", lambda execution: execution.setVariable("v", value))
    h = _harness(_service('camunda:delegateExpression="${bad}"'), registry)
    with pytest.raises(IncidentError, match="svc: delegate handler 'bad': variable 'v'"):
        h.start("p")


def test_a_bpmn_error_from_a_handler_is_caught_by_the_boundary_event() -> None:
    def reject(execution: Any) -> None:
        raise BpmnError("REJECTED", "nilai melebihi pagu")

    registry = DelegateRegistry()
    registry.register("reject", reject)
    body = _service('camunda:delegateExpression="${reject}"') + (
        '<bpmn:boundaryEvent id="err" attachedToRef="svc"><bpmn:outgoing>f3</bpmn:outgoing>'
        '<bpmn:errorEventDefinition errorRef="E" camunda:errorCodeVariable="code" '
        'camunda:errorMessageVariable="why" /></bpmn:boundaryEvent>'
        '<bpmn:sequenceFlow id="f3" sourceRef="err" targetRef="fix" />'
        '<bpmn:userTask id="fix"><bpmn:incoming>f3</bpmn:incoming></bpmn:userTask>')
    models = {m.key: m for m in parse_bpmn("d.bpmn", wrap(body, extra='<bpmn:error id="E" errorCode="REJECTED" />'))}
    h = Harness(models)
    h.engine.delegates = registry
    inst = h.start("p")
    assert h.ready(inst) == ["fix"]
    assert inst.variables()["code"] == "REJECTED" and inst.variables()["why"] == "nilai melebihi pagu"


def test_an_uncaught_bpmn_error_from_a_handler_is_an_incident() -> None:
    registry = DelegateRegistry()
    registry.register("reject", lambda execution: (_ for _ in ()).throw(BpmnError("NOPE")))
    h = _harness(_service('camunda:delegateExpression="${reject}"'), registry)
    with pytest.raises(IncidentError, match="BPMN error 'NOPE' and no error boundary event catches it"):
        h.start("p")


def test_execution_listeners_run_at_start_and_end_of_an_activity() -> None:
    calls: list = []
    registry = DelegateRegistry()
    registry.register("log", lambda execution: calls.append((execution.getEventName(), execution.getVariable("x"))))
    listeners = ('<bpmn:extensionElements>'
                 '<camunda:executionListener event="start" delegateExpression="${log}" />'
                 '<camunda:executionListener event="end" delegateExpression="${log}" />'
                 "<camunda:executionListener event=\"end\" expression=\"${execution.setVariable('ended', true)}\" />"
                 '</bpmn:extensionElements>')
    body = ('<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="u" />'
            f'<bpmn:userTask id="u">{listeners}<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
            '</bpmn:userTask><bpmn:sequenceFlow id="f2" sourceRef="u" targetRef="e" />'
            '<bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>')
    h = _harness(body, registry)
    inst = h.start("p", {"x": 1})
    assert calls == [("start", 1)]
    inst = h.complete(inst, "u", {"x": 2})
    assert calls == [("start", 1), ("end", 2)] and inst.completed and inst.variables()["ended"] is True


def _user_task_with_listeners(listeners: str) -> str:
    return ('<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="approve" />'
            f'<bpmn:userTask id="approve" name="Setujui" camunda:candidateGroups="pokja"><bpmn:extensionElements>'
            f'{listeners}</bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
            '</bpmn:userTask><bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="e" />'
            '<bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>')


def test_task_listeners_assign_and_record_like_the_invoice_example() -> None:
    class AssignApprover:
        def notify(self, task: Any) -> None:
            if task.getVariable("approver"):
                task.setAssignee(task.getVariable("approver"))
            task.addCandidateGroup("ppk")

    registry = DelegateRegistry()
    registry.register("org.example.AssignApprover", AssignApprover)
    registry.register("remember", lambda task: task.setVariable("approver", task.getAssignee()))
    registry.register("done", lambda task: task.setVariable("closedBy", task.getAssignee()))
    h = _harness(_user_task_with_listeners(
        '<camunda:taskListener event="create" class="org.example.AssignApprover" />'
        '<camunda:taskListener event="assignment" delegateExpression="${remember}" />'
        '<camunda:taskListener event="complete" delegateExpression="${done}" />'), registry)
    inst = h.start("p", {"approver": "ani"})
    task = h.task(inst, "approve")
    assert task.assignee == "ani" and task.candidate_groups == ["pokja", "ppk"]
    # Assigned elsewhere (a claim): the host runs the assignment listeners with the new assignee.
    assert inst.notify_assignment(task.id, "budi") == "budi"
    inst = h.reload(inst)
    assert inst.variables()["approver"] == "budi"
    inst.complete_user_task(task.id, {}, user="budi", assignee="budi")
    inst = h.reload(inst)
    assert inst.completed and inst.variables()["closedBy"] == "budi"


def test_a_juel_script_listener_runs() -> None:
    h = _harness(_user_task_with_listeners(
        '<camunda:taskListener event="create"><camunda:script scriptFormat="juel">'
        "${task.setPriority(80)}</camunda:script></camunda:taskListener>"), DelegateRegistry())
    assert h.task(h.start("p"), "approve").priority == 80


def test_a_groovy_listener_deploys_and_is_an_incident_when_reached() -> None:
    h = _harness(_user_task_with_listeners(
        '<camunda:taskListener event="create"><camunda:script scriptFormat="groovy">'
        "task.assignee = 'x'</camunda:script></camunda:taskListener>"), DelegateRegistry())
    with pytest.raises(IncidentError, match="scriptFormat 'groovy' is not supported"):
        h.start("p")


def test_an_async_delegate_failure_waits_as_a_failed_job_and_a_retry_continues() -> None:
    registry = DelegateRegistry()
    h = _harness(_service('camunda:async="true" camunda:class="org.example.Archive"'), registry)
    inst = h.start("p", {"invoiceNumber": "INV-2"})
    assert not inst.completed
    ((task_id, element, message),) = inst.failed_jobs()
    assert element == "svc" and "handler 'org.example.Archive'" in message and "not registered" in message
    assert inst.retry_failed_jobs() == 1 and inst.failed_jobs()     # still missing: fails again
    registry.register("org.example.Archive", Archive)
    inst = h.reload(inst)
    assert inst.retry_failed_jobs() == 1
    inst = h.reload(inst)
    assert inst.completed and inst.variables()["archived"] == "INV-2@svc/None"


def test_listeners_on_events_gateways_flows_and_the_process_run_in_camunda_order() -> None:
    calls: list = []
    registry = DelegateRegistry()
    registry.register("log", lambda execution: calls.append((execution.getCurrentActivityId(),
                                                             execution.getEventName())))

    def on(event: str) -> str:
        return f'<camunda:executionListener event="{event}" delegateExpression="${{log}}" />'

    body = (f'<bpmn:extensionElements>{on("start")}{on("end")}</bpmn:extensionElements>'
            f'<bpmn:startEvent id="s"><bpmn:extensionElements>{on("start")}{on("end")}</bpmn:extensionElements>'
            '<bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            f'<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="gw"><bpmn:extensionElements>{on("take")}'
            '</bpmn:extensionElements></bpmn:sequenceFlow>'
            f'<bpmn:exclusiveGateway id="gw" default="f3"><bpmn:extensionElements>{on("start")}{on("end")}'
            '</bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
            '<bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>'
            f'<bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="big"><bpmn:extensionElements>{on("take")}'
            '</bpmn:extensionElements><bpmn:conditionExpression>${amount > 10}</bpmn:conditionExpression>'
            '</bpmn:sequenceFlow>'
            f'<bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="small"><bpmn:extensionElements>{on("take")}'
            '</bpmn:extensionElements></bpmn:sequenceFlow>'
            f'<bpmn:endEvent id="big"><bpmn:extensionElements>{on("start")}{on("end")}</bpmn:extensionElements>'
            '<bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
            '<bpmn:endEvent id="small"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>')
    h = _harness(body, registry)     # the first extensionElements in the body are the process's
    assert h.start("p", {"amount": 11}).completed
    assert calls == [("p", "start"), ("s", "start"), ("s", "end"), ("f1", "take"), ("gw", "start"), ("gw", "end"),
                     ("f2", "take"), ("big", "start"), ("big", "end"), ("p", "end")]
    calls.clear()
    h.start("p", {"amount": 1})
    assert ("f3", "take") in calls and ("big", "start") not in calls and calls[-1] == ("p", "end")


def test_a_take_listener_only_runs_on_its_flow() -> None:
    with pytest.raises(Exception, match="event 'start' is not supported on a sequenceFlow"):
        parse_bpmn("d.bpmn", wrap('<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
                                  '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e"><bpmn:extensionElements>'
                                  '<camunda:executionListener event="start" class="a.B" /></bpmn:extensionElements>'
                                  '</bpmn:sequenceFlow><bpmn:endEvent id="e"><bpmn:incoming>f1</bpmn:incoming>'
                                  '</bpmn:endEvent>'))


def test_a_bean_method_named_like_java_reflection_is_the_beans_own() -> None:
    """camunda-bpm-examples call `${exampleBean.invoke()}`: on a registered bean that is its own method;
    getClass/forName stay refused, and private names never parse."""
    class ExampleBean:
        def invoke(self) -> str:
            return "invoked"

    registry = DelegateRegistry()
    registry.register("exampleBean", ExampleBean())
    h = _harness(_service('camunda:expression="${exampleBean.invoke()}" camunda:resultVariable="r"'), registry)
    assert h.start("p").variables()["r"] == "invoked"
    for text in ("${exampleBean.getClass()}", "${exampleBean._secret()}"):
        with pytest.raises(Exception, match="not allowed|reflection"):
            parse_bpmn("d.bpmn", wrap(_service(f'camunda:expression="{text}"')))


def test_a_delete_listener_runs_when_a_boundary_event_cancels_the_task() -> None:
    deleted: list = []
    registry = DelegateRegistry()
    registry.register("gone", lambda task: deleted.append((task.getTaskDefinitionKey(), task.getEventName())))
    body = _user_task_with_listeners('<camunda:taskListener event="delete" delegateExpression="${gone}" />') + (
        '<bpmn:boundaryEvent id="late" attachedToRef="approve"><bpmn:outgoing>f3</bpmn:outgoing>'
        '<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>'
        '</bpmn:boundaryEvent><bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="e2" />'
        '<bpmn:endEvent id="e2"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>')
    h = _harness(body, registry)
    inst = h.start("p")
    assert deleted == []            # the predicted tasks of the other path are not "deleted"
    h.clock.advance(timedelta(hours=2))
    inst.fire_due_timers()
    assert inst.completed and deleted == [("approve", "delete")]
