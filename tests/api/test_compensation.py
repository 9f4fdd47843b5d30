"""Compensation driven over REST as Camunda's CompensateEventTest drives it: compensation boundary events with
`isForCompensation` handlers, intermediate and end compensation throw events (all activities of the scope or
`activityRef`), subprocess handlers, and the activities inside a completed subprocess. Camunda's models, with
ids on their sequence flows and user tasks where they wait in receive tasks (`runtimeService.signal`)."""
from __future__ import annotations

from typing import Any

from support import deploy_rest, fixture_bytes

R = "/engine-rest"
HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<definitions id="definitions" '
        b'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        b'targetNamespace="Examples">\n')

SUBPROCESS_HANDLER = HEAD + b"""  <process id="subProcessCompensationHandler" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="activity" />
    <userTask id="activity" />
    <sequenceFlow id="f2" sourceRef="activity" targetRef="throwCompensate" />
    <intermediateThrowEvent id="throwCompensate">
      <compensateEventDefinition activityRef="activity" />
    </intermediateThrowEvent>
    <sequenceFlow id="f3" sourceRef="throwCompensate" targetRef="beforeEnd" />
    <userTask id="beforeEnd" />
    <sequenceFlow id="f4" sourceRef="beforeEnd" targetRef="end" />
    <endEvent id="end" />
    <boundaryEvent id="compensateBoundaryEvent" attachedToRef="activity">
      <compensateEventDefinition />
    </boundaryEvent>
    <subProcess id="compensationHandler" isForCompensation="true">
      <startEvent id="subProcessStart" />
      <sequenceFlow id="s1" sourceRef="subProcessStart" targetRef="subProcessTask" />
      <userTask id="subProcessTask" />
      <sequenceFlow id="s2" sourceRef="subProcessTask" targetRef="subProcessEnd" />
      <endEvent id="subProcessEnd" />
    </subProcess>
    <association associationDirection="One" sourceRef="compensateBoundaryEvent" targetRef="compensationHandler" />
  </process>
</definitions>
"""

ACTIVITY_IN_SUBPROCESS = HEAD + b"""  <process id="compensateProcess" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="subprocess" />
    <subProcess id="subprocess">
      <startEvent id="startInScope" />
      <sequenceFlow id="s1" sourceRef="startInScope" targetRef="scopeTask" />
      <userTask id="scopeTask" />
      <sequenceFlow id="s2" sourceRef="scopeTask" targetRef="endInScope" />
      <endEvent id="endInScope" />
      <boundaryEvent id="compensateScopeTask" attachedToRef="scopeTask">
        <compensateEventDefinition />
      </boundaryEvent>
      <userTask id="undoScopeTask" isForCompensation="true"/>
      <association associationDirection="One" sourceRef="compensateScopeTask" targetRef="undoScopeTask" />
    </subProcess>
    <sequenceFlow id="f2" sourceRef="subprocess" targetRef="beforeCompensate" />
    <userTask id="beforeCompensate" />
    <sequenceFlow id="f3" sourceRef="beforeCompensate" targetRef="throwCompensate" />
    <intermediateThrowEvent id="throwCompensate">
      <compensateEventDefinition activityRef="subprocess" />
    </intermediateThrowEvent>
    <sequenceFlow id="f4" sourceRef="throwCompensate" targetRef="beforeEnd" />
    <userTask id="beforeEnd" />
    <sequenceFlow id="f5" sourceRef="beforeEnd" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>
"""

# Book hotel and flight (each with an undo handler), then a choice: cancel (compensation end event: every
# completed booking undone, latest first) or keep. The hotel is only booked when wanted, so an unbooked hotel
# is not undone.
BOOKING = HEAD + b"""  <process id="booking" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="wantHotel" />
    <exclusiveGateway id="wantHotel" default="noHotel" />
    <sequenceFlow id="yesHotel" sourceRef="wantHotel" targetRef="bookHotel">
      <conditionExpression>${hotel}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="noHotel" sourceRef="wantHotel" targetRef="hotelDone" />
    <userTask id="bookHotel" />
    <boundaryEvent id="compensateHotel" attachedToRef="bookHotel"><compensateEventDefinition /></boundaryEvent>
    <userTask id="undoBookHotel" isForCompensation="true" />
    <sequenceFlow id="f2" sourceRef="bookHotel" targetRef="hotelDone" />
    <exclusiveGateway id="hotelDone" />
    <sequenceFlow id="f3" sourceRef="hotelDone" targetRef="bookFlight" />
    <userTask id="bookFlight" />
    <boundaryEvent id="compensateFlight" attachedToRef="bookFlight"><compensateEventDefinition /></boundaryEvent>
    <userTask id="undoBookFlight" isForCompensation="true" />
    <sequenceFlow id="f4" sourceRef="bookFlight" targetRef="decide" />
    <exclusiveGateway id="decide" default="keep" />
    <sequenceFlow id="cancel" sourceRef="decide" targetRef="cancelled">
      <conditionExpression>${cancel}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="keep" sourceRef="decide" targetRef="kept" />
    <endEvent id="cancelled"><compensateEventDefinition /></endEvent>
    <endEvent id="kept" />
    <association associationDirection="One" sourceRef="compensateHotel" targetRef="undoBookHotel" />
    <association associationDirection="One" sourceRef="compensateFlight" targetRef="undoBookFlight" />
  </process>
</definitions>
"""


def _start(client: Any, key: str, **variables: Any) -> str:
    body = {"variables": {k: {"value": v} for k, v in variables.items()}}
    response = client.post(f"{R}/process-definition/key/{key}/start", json=body)
    assert response.status_code == 200, response.json
    return str(response.json["id"])


def _single(client: Any, pid: str) -> dict:
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": pid}).json
    return dict(task)


def _complete_single(client: Any, pid: str, key: str, **variables: Any) -> None:
    task = _single(client, pid)
    assert task["taskDefinitionKey"] == key
    body = {"variables": {k: {"value": v} for k, v in variables.items()}}
    assert client.post(f"{R}/task/{task['id']}/complete", json=body).status_code == 204


def _ended(client: Any, pid: str) -> bool:
    return client.get(f"{R}/process-instance/{pid}").status_code == 404


def test_subprocess_compensation_handler(client: Any) -> None:
    """CompensateEventTest.testSubprocessCompensationHandler."""
    assert deploy_rest(client, ("handler.bpmn", SUBPROCESS_HANDLER)).status_code == 200
    pid = _start(client, "subProcessCompensationHandler")
    _complete_single(client, pid, "activity")
    _complete_single(client, pid, "subProcessTask")       # the handler subprocess ran
    _complete_single(client, pid, "beforeEnd")
    assert _ended(client, pid)
    rows = client.get(f"{R}/history/activity-instance", query_string={
        "processInstanceId": pid, "sortBy": "startTime", "sortOrder": "asc"}).json
    ids = [r["activityId"] for r in rows]
    assert ids.index("throwCompensate") < ids.index("compensationHandler") < ids.index("beforeEnd")
    assert not any("__alur" in i for i in ids)
    assert client.get(f"{R}/history/variable-instance", query_string={"processInstanceId": pid}).json == []


def test_compensate_activity_in_subprocess(client: Any) -> None:
    """CompensateEventTest.testCompensateActivityInSubprocess: compensating a completed subprocess without a
    handler of its own compensates the activities inside it."""
    assert deploy_rest(client, ("in_subprocess.bpmn", ACTIVITY_IN_SUBPROCESS)).status_code == 200
    pid = _start(client, "compensateProcess")
    _complete_single(client, pid, "scopeTask")
    _complete_single(client, pid, "beforeCompensate")
    _complete_single(client, pid, "undoScopeTask")
    _complete_single(client, pid, "beforeEnd")
    assert _ended(client, pid)


def test_compensation_end_event_undoes_completed_activities_latest_first(client: Any) -> None:
    assert deploy_rest(client, ("booking.bpmn", BOOKING)).status_code == 200
    pid = _start(client, "booking", hotel=True)
    _complete_single(client, pid, "bookHotel")
    _complete_single(client, pid, "bookFlight", cancel=True)
    _complete_single(client, pid, "undoBookFlight")
    _complete_single(client, pid, "undoBookHotel")
    assert _ended(client, pid)

    pid = _start(client, "booking", hotel=False)           # no hotel booked: only the flight is undone
    _complete_single(client, pid, "bookFlight", cancel=True)
    _complete_single(client, pid, "undoBookFlight")
    assert _ended(client, pid)

    pid = _start(client, "booking", hotel=True)             # no compensation thrown: nothing is undone
    _complete_single(client, pid, "bookHotel")
    _complete_single(client, pid, "bookFlight", cancel=False)
    assert _ended(client, pid)


def test_compensation_models_camunda_refuses_are_refused(client: Any) -> None:
    """CompensationEventParseInvalidProcessTest: waitForCompletion="false" is refused; so is an activityRef
    naming no activity of the throw event's scope."""
    no_wait = BOOKING.replace(b'<endEvent id="cancelled"><compensateEventDefinition />',
                              b'<endEvent id="cancelled"><compensateEventDefinition waitForCompletion="false" />')
    response = deploy_rest(client, ("no_wait.bpmn", no_wait))
    assert response.status_code == 400 and "waitForCompletion" in response.json["message"]
    unknown = BOOKING.replace(b'<endEvent id="cancelled"><compensateEventDefinition />',
                              b'<endEvent id="cancelled"><compensateEventDefinition activityRef="nowhere" />')
    response = deploy_rest(client, ("unknown.bpmn", unknown))
    assert response.status_code == 400 and "nowhere" in response.json["message"]


def _complete_named(client: Any, pid: str, name: str, **variables: Any) -> None:
    tasks = client.get(f"{R}/task", query_string={"processInstanceId": pid, "name": name}).json
    assert len(tasks) == 1, (name, tasks)
    body = {"variables": {k: {"value": v} for k, v in variables.items()}}
    assert client.post(f"{R}/task/{tasks[0]['id']}/complete", json=body).status_code == 204


def test_compensation_event_subprocess_with_scope(client: Any) -> None:
    """CompensateEventTest.testCompensationEventSubProcessWithScope, on Camunda's model deployed byte for byte:
    a compensation end event compensates the booking subprocess, whose compensation event subprocess
    compensates the flight, then the hotel, then updates the customer record."""
    name = "CompensateEventTest.testCompensationEventSubProcess.bpmn20.xml"
    assert deploy_rest(client, ("x.bpmn", fixture_bytes(f"camunda-engine-tests/{name}"))).status_code == 200
    pid = _start(client, "bookingProcess")
    _complete_named(client, pid, "Book Flight")
    _complete_named(client, pid, "Book Hotel")
    _complete_named(client, pid, "Validate Booking", valid=False)
    assert len(client.get(f"{R}/task", query_string={"processInstanceId": pid}).json) == 1
    _complete_named(client, pid, "Cancel Flight")
    assert len(client.get(f"{R}/task", query_string={"processInstanceId": pid}).json) == 1
    _complete_named(client, pid, "Cancel Hotel")
    _complete_named(client, pid, "Update Customer Record")
    assert _ended(client, pid)


def test_compensation_event_subprocess_refusals(client: Any) -> None:
    """CompensationEventParseInvalidProcessTest.compensationEventSubprocessAndBoundaryEvent: a subprocess has
    one compensation handler, a boundary event's or an event subprocess."""
    name = "CompensateEventTest.testCompensationEventSubProcess.bpmn20.xml"
    model = fixture_bytes(f"camunda-engine-tests/{name}")
    both = model.replace(b'<bpmn2:startEvent id="start">', b'<bpmn2:boundaryEvent id="cb" attachedToRef="booking-'
                         b'subprocess"><bpmn2:compensateEventDefinition/></bpmn2:boundaryEvent><bpmn2:userTask '
                         b'id="undoAll" isForCompensation="true"/><bpmn2:startEvent id="start">')
    # The association is an artifact: the schema wants it after the process's flow elements.
    both = both.replace(b'</bpmn2:process>', b'<bpmn2:association id="a9" sourceRef="cb" targetRef="undoAll"/>'
                        b'</bpmn2:process>')
    response = deploy_rest(client, ("both.bpmn", both))
    assert response.status_code == 400 and "only one compensation handler" in response.json["message"]
