"""One job per timer, and timer start events as jobs with retries and incidents, as Camunda lists them.

Mirrors Camunda's BoundaryTimerEventTest.testMultipleTimersOnUserTask (three boundary timers on one user task
are three jobs; the one due first fires and its path is taken), IncidentTest
.shouldCreateIncidentOnFailedStartTimerEvent and FoxJobRetryCmdTest.testFailedTimerStartEvent (a timer start
whose instance cannot start is one job; each failed execution takes a retry; at 0 a failedJob incident)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from support import deploy_rest

R = "/engine-rest"

MULTIPLE_TIMERS = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions id="definitions" xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="Examples">
  <process id="multipleTimersOnUserTask" isExecutable="true">
    <startEvent id="theStart" />
    <sequenceFlow id="flow1" sourceRef="theStart" targetRef="firstTask" />
    <userTask id="firstTask" name="First Task" />
    <sequenceFlow id="flow2" sourceRef="firstTask" targetRef="theEnd" />
    <endEvent id="theEnd" />
    <boundaryEvent id="escalationTimer1" cancelActivity="true" attachedToRef="firstTask">
      <timerEventDefinition><timeDuration>PT2H</timeDuration></timerEventDefinition>
    </boundaryEvent>
    <sequenceFlow id="flow3" sourceRef="escalationTimer1" targetRef="secondTask" />
    <userTask id="secondTask" name="Second Task" />
    <sequenceFlow id="flow4" sourceRef="secondTask" targetRef="escalatedEnd" />
    <boundaryEvent id="escalationTimer2" cancelActivity="true" attachedToRef="firstTask">
      <timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>
    </boundaryEvent>
    <sequenceFlow id="flow5" sourceRef="escalationTimer2" targetRef="thirdTask" />
    <userTask id="thirdTask" name="Third Task" />
    <sequenceFlow id="flow6" sourceRef="thirdTask" targetRef="escalatedEnd" />
    <boundaryEvent id="escalationTimer3" cancelActivity="true" attachedToRef="firstTask">
      <timerEventDefinition><timeDuration>PT3H</timeDuration></timerEventDefinition>
    </boundaryEvent>
    <sequenceFlow id="flow7" sourceRef="escalationTimer3" targetRef="fourthTask" />
    <userTask id="fourthTask" name="Fourth Task" />
    <sequenceFlow id="flow8" sourceRef="fourthTask" targetRef="escalatedEnd" />
    <endEvent id="escalatedEnd" />
  </process>
</definitions>
"""

FAILING_START = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions id="definitions" xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="Examples">
  <process id="failingTimerStart" isExecutable="true">
    <startEvent id="theStart">
      <timerEventDefinition><timeCycle>R/PT1H</timeCycle></timerEventDefinition>
    </startEvent>
    <sequenceFlow id="f1" sourceRef="theStart" targetRef="choose" />
    <exclusiveGateway id="choose" />
    <sequenceFlow id="f2" sourceRef="choose" targetRef="theEnd">
      <conditionExpression>${false}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="f3" sourceRef="choose" targetRef="otherEnd">
      <conditionExpression>${false}</conditionExpression>
    </sequenceFlow>
    <endEvent id="theEnd" />
    <endEvent id="otherEnd" />
  </process>
</definitions>
"""

DATE = "%Y-%m-%dT%H:%M:%S.000+0000"


def test_three_boundary_timers_are_three_jobs(client: Any, app: Any, clock: Any) -> None:
    assert deploy_rest(client, ("timers.bpmn", MULTIPLE_TIMERS)).status_code == 200
    pid = client.post(f"{R}/process-definition/key/multipleTimersOnUserTask/start", json={}).json["id"]
    jobs = client.get(f"{R}/job", query_string={"processInstanceId": pid}).json
    assert len(jobs) == 3 and len({j["id"] for j in jobs}) == 3
    assert [j["dueDate"] for j in jobs] == [(clock.now() + timedelta(hours=h)).strftime(DATE) for h in (1, 2, 3)]
    assert all(j["processInstanceId"] == pid and j["retries"] == 3 for j in jobs)
    assert client.get(f"{R}/job/count", query_string={"processInstanceId": pid}).json == {"count": 3}
    assert [j["dueDate"] for j in client.get(f"{R}/job", query_string={
        "processInstanceId": pid, "sortBy": "jobDueDate", "sortOrder": "desc"}).json] == \
        [(clock.now() + timedelta(hours=h)).strftime(DATE) for h in (3, 2, 1)]
    for job in jobs:
        assert client.get(f"{R}/job/{job['id']}").json["dueDate"] == job["dueDate"]
    # After 1 hour and 5 seconds the second timer (PT1H) fires: the third task is reached, no job is left.
    from service.ops import fire_due_timers
    clock.advance(timedelta(hours=1, seconds=5))
    assert fire_due_timers(app.extensions["alur"].ops).instances_fired == 1
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": pid}).json
    assert task["name"] == "Third Task"
    assert client.get(f"{R}/job/count", query_string={"processInstanceId": pid}).json == {"count": 0}


def test_each_timer_job_executes_its_own_timer(client: Any) -> None:
    assert deploy_rest(client, ("timers.bpmn", MULTIPLE_TIMERS)).status_code == 200
    pid = client.post(f"{R}/process-definition/key/multipleTimersOnUserTask/start", json={}).json["id"]
    jobs = client.get(f"{R}/job", query_string={"processInstanceId": pid}).json
    latest = jobs[2]            # PT3H: executing it takes escalationTimer3's path, not the earliest timer's
    assert client.post(f"{R}/job/{latest['id']}/execute").status_code == 204
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": pid}).json
    assert task["name"] == "Fourth Task"
    assert client.get(f"{R}/job/{jobs[0]['id']}").status_code == 404          # the others went with the task
    assert client.post(f"{R}/job/{latest['id']}/execute").status_code == 404


def test_a_failing_timer_start_is_a_job_with_retries_then_an_incident(client: Any, app: Any, clock: Any) -> None:
    assert deploy_rest(client, ("failing.bpmn", FAILING_START)).status_code == 200
    [job] = client.get(f"{R}/job").json
    assert job["processInstanceId"] is None and job["processDefinitionKey"] == "failingTimerStart"
    assert job["retries"] == 3 and job["dueDate"] == (clock.now() + timedelta(hours=1)).strftime(DATE)
    assert client.get(f"{R}/job/count", query_string={"timers": "true"}).json == {"count": 1}
    # The scheduler's run fails: one retry less, the error on the job, no incident yet.
    from service.ops import fire_due_timers
    clock.advance(timedelta(hours=1))
    assert fire_due_timers(app.extensions["alur"].ops).failures == 1
    job = client.get(f"{R}/job/{job['id']}").json
    assert job["retries"] == 2 and "choose" in job["exceptionMessage"]
    assert client.get(f"{R}/incident/count").json == {"count": 0}
    assert client.get(f"{R}/process-instance/count").json == {"count": 0}
    # Executing it until no retry is left (IncidentTest.shouldCreateIncidentOnFailedStartTimerEvent).
    while job["retries"] > 0:
        assert client.post(f"{R}/job/{job['id']}/execute").status_code == 500
        job = client.get(f"{R}/job/{job['id']}").json
    assert client.get(f"{R}/job/count", query_string={"noRetriesLeft": "true"}).json == {"count": 1}
    assert client.get(f"{R}/job/count", query_string={"withException": "true"}).json == {"count": 1}
    assert client.get(f"{R}/job/count", query_string={"jobId": job["id"], "withRetriesLeft": "true"}).json == \
        {"count": 0}
    [incident] = client.get(f"{R}/incident").json
    assert incident["incidentType"] == "failedJob" and incident["configuration"] == job["id"]
    assert incident["processInstanceId"] is None and incident["activityId"] == "theStart"
    # Held: the scheduler leaves it alone, even long after it is due.
    clock.advance(timedelta(days=1))
    assert fire_due_timers(app.extensions["alur"].ops).failures == 0
    # Retries again: the incident is resolved and the job runs (and fails) again.
    assert client.put(f"{R}/job/{job['id']}/retries", json={"retries": 1}).status_code == 204
    assert client.get(f"{R}/incident/count").json == {"count": 0}
    assert client.get(f"{R}/job/{job['id']}").json["retries"] == 1
    assert fire_due_timers(app.extensions["alur"].ops).failures == 1
    assert client.get(f"{R}/incident/count").json == {"count": 1}
