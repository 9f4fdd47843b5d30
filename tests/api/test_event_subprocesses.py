"""Event subprocesses (interrupting and non-interrupting; message, signal, timer, error, escalation and
conditional starts; at process level and inside embedded subprocesses), driven over REST as Camunda's engine
tests drive them. The models are Camunda's test resources with their sequence flows given ids (Camunda
accepts flows without ids; that is another change) and their diagram interchange left out."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from support import deploy_rest

R = "/engine-rest"
HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<definitions id="definitions" '
        b'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="Examples">\n')

MESSAGE = HEAD + b"""  <message id="messageId" name="newMessage" />
  <process id="process" isExecutable="true">
    <startEvent id="theStart" />
    <sequenceFlow id="f1" sourceRef="theStart" targetRef="task" />
    <userTask id="task" name="Task" />
    <sequenceFlow id="f2" sourceRef="task" targetRef="theEnd" />
    <endEvent id="theEnd" />
    <subProcess id="sub1" triggeredByEvent="true">
      <startEvent id="eventProcessStart" isInterrupting="%s">
        <messageEventDefinition messageRef="messageId" />
      </startEvent>
      <sequenceFlow id="f3" sourceRef="eventProcessStart" targetRef="eventSubProcessTask" />
      <userTask id="eventSubProcessTask" name="Task" />
      <sequenceFlow id="f4" sourceRef="eventSubProcessTask" targetRef="eventSubProcessEnd" />
      <endEvent id="eventSubProcessEnd" />
    </subProcess>
  </process>
</definitions>
"""

ESCALATION = HEAD + b"""  <escalation id="escalation" name="escalation" escalationCode="escalationCode" />
  <process id="escalationProcess" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="escalationThrowingEvent1" />
    <intermediateThrowEvent id="escalationThrowingEvent1">
      <escalationEventDefinition escalationRef="escalation" />
    </intermediateThrowEvent>
    <sequenceFlow id="f2" sourceRef="escalationThrowingEvent1" targetRef="FirstTaskInMainprocess" />
    <userTask id="FirstTaskInMainprocess" />
    <sequenceFlow id="f3" sourceRef="FirstTaskInMainprocess" targetRef="escalationThrowingEvent2" />
    <intermediateThrowEvent id="escalationThrowingEvent2">
      <escalationEventDefinition escalationRef="escalation" />
    </intermediateThrowEvent>
    <sequenceFlow id="f4" sourceRef="escalationThrowingEvent2" targetRef="SecondTaskInMainprocess" />
    <userTask id="SecondTaskInMainprocess" />
    <sequenceFlow id="f5" sourceRef="SecondTaskInMainprocess" targetRef="end"></sequenceFlow>
    <endEvent id="end" />
    <subProcess id="escalationEventSubprocess" triggeredByEvent="true">
      <startEvent id="escalationStartEvent" isInterrupting="false">
        <escalationEventDefinition escalationRef="escalation"/>
      </startEvent>
      <sequenceFlow id="f6" sourceRef="escalationStartEvent" targetRef="TaskInSubprocess" />
      <userTask id="TaskInSubprocess" />
      <sequenceFlow id="f7" sourceRef="TaskInSubprocess" targetRef="endInEscalationSubprocess" />
      <endEvent id="endInEscalationSubprocess" />
    </subProcess>
  </process>
</definitions>
"""

ERROR_IN_EMBEDDED = HEAD + b"""  <error id="myError" errorCode="123" />
  <process id="CatchErrorInEmbeddedSubProcess" isExecutable="true">
    <startEvent id="theStart" />
    <sequenceFlow id="flow1" sourceRef="theStart" targetRef="subprocess" />
    <subProcess id="subprocess">
      <startEvent id="subprocessStart" />
      <sequenceFlow id="subFlow1" sourceRef="subprocessStart" targetRef="subprocessEnd" />
      <endEvent id="subprocessEnd">
        <errorEventDefinition errorRef="myError" />
      </endEvent>
      <subProcess id="eventSubProcess" triggeredByEvent="true">
        <startEvent id="catchError">
          <errorEventDefinition /> <!-- no errorCode: catch any error -->
        </startEvent>
        <sequenceFlow id="flow2" sourceRef="catchError" targetRef="taskAfterErrorCatch" />
        <userTask id="taskAfterErrorCatch" name="Escalated Task" />
      </subProcess>
    </subProcess>
    <sequenceFlow id="flow3" sourceRef="subprocess" targetRef="theEnd" />
    <endEvent id="theEnd" />
  </process>
</definitions>
"""

CONDITIONAL = HEAD + b"""  <process id="conditionalEventProcess" isExecutable="true">
    <startEvent id="StartEvent_1" name="Start" />
    <sequenceFlow id="SequenceFlow_15yuq9b" sourceRef="StartEvent_1" targetRef="Task_0grf7zs" />
    <userTask id="Task_0grf7zs" name="Before Condition" />
    <endEvent id="EndEvent_1qc5y2u" name="End" />
    <sequenceFlow id="SequenceFlow_0vnre3p" sourceRef="Task_0grf7zs" targetRef="EndEvent_1qc5y2u" />
    <subProcess id="Task_1wqvr0e" triggeredByEvent="true">
      <startEvent id="StartEvent_1vtdwej">
        <conditionalEventDefinition>
          <condition xsi:type="tFormalExpression">${variable == 1}</condition>
        </conditionalEventDefinition>
      </startEvent>
      <sequenceFlow id="SequenceFlow_17z8r6r" sourceRef="StartEvent_1vtdwej" targetRef="Task_1k0ye5k" />
      <userTask id="Task_1k0ye5k" name="After Condition" />
      <endEvent id="EndEvent_1ephw6b" name="End2" />
      <sequenceFlow id="SequenceFlow_1ds1m9n" sourceRef="Task_1k0ye5k" targetRef="EndEvent_1ephw6b" />
    </subProcess>
  </process>
</definitions>
"""

# Signal and timer starts inside an embedded subprocess (Camunda: SignalEventTest's event subprocess
# scenarios and TimerStartEventSubprocessTest, written here with user tasks instead of Java delegates).
SIGNAL_AND_TIMER_IN_EMBEDDED = HEAD + b"""  <signal id="alertSignal" name="alert" />
  <process id="nested" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="scope" />
    <subProcess id="scope">
      <startEvent id="scopeStart" />
      <sequenceFlow id="s1" sourceRef="scopeStart" targetRef="work" />
      <userTask id="work" />
      <sequenceFlow id="s2" sourceRef="work" targetRef="scopeEnd" />
      <endEvent id="scopeEnd" />
      <subProcess id="onSignal" triggeredByEvent="true">
        <startEvent id="signalStart" isInterrupting="false">
          <signalEventDefinition signalRef="alertSignal" />
        </startEvent>
        <sequenceFlow id="s3" sourceRef="signalStart" targetRef="noteAlert" />
        <userTask id="noteAlert" />
        <sequenceFlow id="s4" sourceRef="noteAlert" targetRef="signalEnd" />
        <endEvent id="signalEnd" />
      </subProcess>
      <subProcess id="onTimeout" triggeredByEvent="true">
        <startEvent id="timerStart">
          <timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>
        </startEvent>
        <sequenceFlow id="s5" sourceRef="timerStart" targetRef="timedOut" />
        <userTask id="timedOut" />
        <sequenceFlow id="s6" sourceRef="timedOut" targetRef="timeoutEnd" />
        <endEvent id="timeoutEnd" />
      </subProcess>
    </subProcess>
    <sequenceFlow id="f2" sourceRef="scope" targetRef="after" />
    <userTask id="after" />
    <sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>
"""


def _start(client: Any, key: str, **variables: Any) -> str:
    body = {"variables": {k: {"value": v} for k, v in variables.items()}}
    response = client.post(f"{R}/process-definition/key/{key}/start", json=body)
    assert response.status_code == 200, response.json
    return str(response.json["id"])


def _tasks(client: Any, pid: str) -> list[dict]:
    return list(client.get(f"{R}/task", query_string={"processInstanceId": pid}).json)


def _keys(client: Any, pid: str) -> list[str]:
    return sorted(t["taskDefinitionKey"] for t in _tasks(client, pid))


def _complete(client: Any, pid: str, key: str) -> None:
    task = next(t for t in _tasks(client, pid) if t["taskDefinitionKey"] == key)
    assert client.post(f"{R}/task/{task['id']}/complete", json={}).status_code == 204


def _ended(client: Any, pid: str) -> bool:
    return client.get(f"{R}/process-instance/{pid}").status_code == 404


def _correlate(client: Any, pid: str) -> int:
    return int(client.post(f"{R}/message", json={"messageName": "newMessage", "processInstanceId": pid}).status_code)


def _activities(client: Any, pid: str) -> list[tuple[str, bool]]:
    rows = client.get(f"{R}/history/activity-instance", query_string={
        "processInstanceId": pid, "sortBy": "startTime", "sortOrder": "asc"}).json
    return [(r["activityId"], bool(r["canceled"])) for r in rows]


def test_interrupting_message_event_subprocess_under_the_process(client: Any) -> None:
    """MessageEventSubprocessTest.testInterruptingUnderProcessDefinition."""
    assert deploy_rest(client, ("message.bpmn", MESSAGE.replace(b"%s", b"true"))).status_code == 200
    pid = _start(client, "process")
    assert _keys(client, pid) == ["task"]
    _complete(client, pid, "task")
    assert _ended(client, pid)

    pid = _start(client, "process")
    assert _correlate(client, pid) == 204
    assert _keys(client, pid) == ["eventSubProcessTask"]        # the main task was interrupted
    assert _correlate(client, pid) == 400                       # no subscription is left
    _complete(client, pid, "eventSubProcessTask")
    assert _ended(client, pid)
    assert ("task", True) in _activities(client, pid)            # cancelled
    ids = [a for a, _ in _activities(client, pid)]
    assert ids[:2] == ["theStart", "task"] and {"eventProcessStart", "sub1", "eventSubProcessTask",
                                                "eventSubProcessEnd"} <= set(ids)
    assert not any("__alur" in a for a in ids)                   # the engine's rewrite is not history


def test_non_interrupting_message_event_subprocess_runs_beside_the_main_flow(client: Any) -> None:
    """MessageEventSubprocessTest.testNonInterruptingUnderProcessDefinition, and a second message (the
    subscription stays while the scope is active, as Camunda's subscription count shows)."""
    assert deploy_rest(client, ("message.bpmn", MESSAGE.replace(b"%s", b"false"))).status_code == 200
    pid = _start(client, "process")
    _complete(client, pid, "task")
    assert _ended(client, pid)

    # main task first, then the event subprocess
    pid = _start(client, "process")
    assert _correlate(client, pid) == 204
    assert _keys(client, pid) == ["eventSubProcessTask", "task"]
    _complete(client, pid, "task")
    assert not _ended(client, pid)
    _complete(client, pid, "eventSubProcessTask")
    assert _ended(client, pid)

    # the other way around, with the message twice
    pid = _start(client, "process")
    assert _correlate(client, pid) == 204 and _correlate(client, pid) == 204
    assert _keys(client, pid) == ["eventSubProcessTask", "eventSubProcessTask", "task"]
    _complete(client, pid, "eventSubProcessTask")
    _complete(client, pid, "eventSubProcessTask")
    assert not _ended(client, pid)
    _complete(client, pid, "task")
    assert _ended(client, pid)


def test_message_event_subprocess_correlates_by_business_key(client: Any) -> None:
    """POST /message with a business key only (Camunda's correlateMessage) reaches the event subprocess."""
    assert deploy_rest(client, ("message.bpmn", MESSAGE.replace(b"%s", b"true"))).status_code == 200
    response = client.post(f"{R}/process-definition/key/process/start", json={"businessKey": "BK-1"})
    pid = response.json["id"]
    result = client.post(f"{R}/message", json={"messageName": "newMessage", "businessKey": "BK-1",
                                               "resultEnabled": True}).json
    assert [r["execution"]["processInstanceId"] for r in result] == [pid]
    assert _keys(client, pid) == ["eventSubProcessTask"]


def test_non_interrupting_escalation_event_subprocess_triggered_twice(client: Any) -> None:
    """EscalationEventSubprocessTest.testNonInterruptingEscalationTriggeredTwiceByIntermediateEvent, both
    orders (...WithMainTaskCompletedFirst, ...WithSubprocessTaskCompletedFirst)."""
    assert deploy_rest(client, ("escalation.bpmn", ESCALATION)).status_code == 200
    pid = _start(client, "escalationProcess")
    assert _keys(client, pid) == ["FirstTaskInMainprocess", "TaskInSubprocess"]
    _complete(client, pid, "FirstTaskInMainprocess")
    assert _keys(client, pid) == ["SecondTaskInMainprocess", "TaskInSubprocess", "TaskInSubprocess"]

    pid = _start(client, "escalationProcess")
    _complete(client, pid, "TaskInSubprocess")
    _complete(client, pid, "FirstTaskInMainprocess")
    assert _keys(client, pid) == ["SecondTaskInMainprocess", "TaskInSubprocess"]


def test_error_event_subprocess_inside_an_embedded_subprocess(client: Any) -> None:
    """ErrorEventSubProcessTest.testCatchErrorInEmbeddedSubProcess: the error end event of the subprocess is
    caught by its error event subprocess; completing its task leaves the subprocess and ends the instance."""
    assert deploy_rest(client, ("error.bpmn", ERROR_IN_EMBEDDED)).status_code == 200
    pid = _start(client, "CatchErrorInEmbeddedSubProcess")
    [task] = _tasks(client, pid)
    assert task["name"] == "Escalated Task"
    _complete(client, pid, "taskAfterErrorCatch")
    assert _ended(client, pid)
    ids = [a for a, _ in _activities(client, pid)]
    assert ids[-1] == "theEnd" and "catchError" in ids


def test_conditional_event_subprocess_starts_when_the_variable_is_set(client: Any) -> None:
    """EventSubProcessStartConditionalEventTest.testVariableCondition (interrupting) and
    ...testVariableConditionAndStartingWithVar."""
    assert deploy_rest(client, ("conditional.bpmn", CONDITIONAL)).status_code == 200
    pid = _start(client, "conditionalEventProcess", variable=0)
    [task] = _tasks(client, pid)
    assert task["name"] == "Before Condition"
    assert client.put(f"{R}/task/{task['id']}/variables/variable", json={"value": 1}).status_code == 204
    assert [t["name"] for t in _tasks(client, pid)] == ["After Condition"]

    pid = _start(client, "conditionalEventProcess", variable=1)
    assert [t["name"] for t in _tasks(client, pid)] == ["After Condition"]


def test_signal_and_timer_event_subprocesses_inside_an_embedded_subprocess(client: Any, app: Any,
                                                                           clock: Any) -> None:
    """A non-interrupting signal start and an interrupting timer start in an embedded subprocess: the signal
    adds a task beside the work (twice for two signals); the timer is a job, and firing it cancels the
    subprocess's tasks, runs its handler inside the subprocess, which then continues after it."""
    from service.ops import fire_due_timers

    assert deploy_rest(client, ("nested.bpmn", SIGNAL_AND_TIMER_IN_EMBEDDED)).status_code == 200
    pid = _start(client, "nested")
    assert _keys(client, pid) == ["work"]
    [job] = client.get(f"{R}/job", query_string={"processInstanceId": pid}).json
    assert job["dueDate"] == (clock.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    assert client.post(f"{R}/signal", json={"name": "alert"}).status_code == 204
    assert client.post(f"{R}/signal", json={"name": "alert"}).status_code == 204
    assert _keys(client, pid) == ["noteAlert", "noteAlert", "work"]
    _complete(client, pid, "noteAlert")
    clock.advance(timedelta(hours=2))
    assert fire_due_timers(app.extensions["alur"].ops).instances_fired == 1
    assert _keys(client, pid) == ["timedOut"]          # work and the other alert task were interrupted
    _complete(client, pid, "timedOut")
    assert _keys(client, pid) == ["after"]             # the subprocess completed and the flow went on
    _complete(client, pid, "after")
    assert _ended(client, pid)


def test_a_process_with_several_start_events_and_an_event_subprocess(client: Any) -> None:
    """Each start event leads to its own first element; the event subprocess is armed whichever began."""
    body = MESSAGE.replace(b"%s", b"true").replace(
        b'<startEvent id="theStart" />',
        b'<startEvent id="theStart" /><startEvent id="byMessage"><messageEventDefinition messageRef="m2"/>'
        b'</startEvent><sequenceFlow id="f9" sourceRef="byMessage" targetRef="viaMessage" />'
        b'<userTask id="viaMessage" /><sequenceFlow id="f10" sourceRef="viaMessage" targetRef="theEnd" />').replace(
        b'<message id="messageId" name="newMessage" />',
        b'<message id="messageId" name="newMessage" /><message id="m2" name="startMessage" />')
    assert deploy_rest(client, ("two_starts.bpmn", body)).status_code == 200
    pid = _start(client, "process")
    assert _keys(client, pid) == ["task"]
    result = client.post(f"{R}/message", json={"messageName": "startMessage", "resultEnabled": True}).json
    [started] = [r["processInstance"]["id"] for r in result]
    assert _keys(client, started) == ["viaMessage"]
    assert client.get(f"{R}/process-instance/{started}/variables").json == {}      # the route is hidden
    assert _correlate(client, started) == 204
    assert _keys(client, started) == ["eventSubProcessTask"]


def test_a_start_event_with_two_outgoing_flows_beside_an_event_subprocess_is_refused(client: Any) -> None:
    body = MESSAGE.replace(b"%s", b"true").replace(
        b'<startEvent id="theStart" />',
        b'<startEvent id="theStart" /><startEvent id="other"><messageEventDefinition messageRef="messageId"/>'
        b'</startEvent><sequenceFlow id="f9" sourceRef="other" targetRef="task" />'
        b'<sequenceFlow id="f10" sourceRef="other" targetRef="theEnd" />')
    response = deploy_rest(client, ("two_starts.bpmn", body))
    assert response.status_code == 400 and "exactly one outgoing sequence flow" in response.json["message"]


def test_an_event_subprocess_sees_the_variables_the_scope_has_when_it_triggers(client: Any) -> None:
    """Camunda's variables live in the scope: a variable written by a task completed before the message arrives
    is there for the interrupting event subprocess (and stays a process variable)."""
    body = MESSAGE.replace(b"%s", b"true").replace(
        b'<sequenceFlow id="f1" sourceRef="theStart" targetRef="task" />',
        b'<sequenceFlow id="f1" sourceRef="theStart" targetRef="first" /><userTask id="first" />'
        b'<sequenceFlow id="f0" sourceRef="first" targetRef="task" />')
    assert deploy_rest(client, ("message.bpmn", body)).status_code == 200
    pid = _start(client, "process", given=1)
    [task] = _tasks(client, pid)
    assert client.post(f"{R}/task/{task['id']}/complete", json={"variables": {"x": {"value": 7}}}).status_code == 204
    assert _correlate(client, pid) == 204
    assert _keys(client, pid) == ["eventSubProcessTask"]
    variables = client.get(f"{R}/process-instance/{pid}/variables").json
    assert variables["x"]["value"] == 7 and variables["given"]["value"] == 1
