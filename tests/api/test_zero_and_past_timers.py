"""Zero and past timers are accepted and due at once: they fire at the next timer run, as Camunda's job
executor fires them (the token waits at the timer until then).

Mirrors Camunda's EventBasedGatewayTest.testCatchTimerCancelsSignal (testCatchAlertAndTimer.bpmn20.xml: an
event-based gateway with a signal and a `PT0S` timer: after the start one job and one subscription exist;
the job executor fires the timer and the signal subscription is gone) and oneJobProcess.bpmn20.xml (an
intermediate `PT0S` timer is one job)."""
from __future__ import annotations

from typing import Any

from support import deploy_rest

R = "/engine-rest"

CATCH_ALERT_AND_TIMER = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions id="definitions" xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="Examples">
  <signal id="alertSignal" name="alert" />
  <process id="catchSignal" isExecutable="true">
    <sequenceFlow id="f1" sourceRef="timerEvent" targetRef="task1" />
    <sequenceFlow id="f2" sourceRef="signalEvent" targetRef="task2" />
    <startEvent id="start" />
    <sequenceFlow id="f3" sourceRef="start" targetRef="gw1" />
    <eventBasedGateway id="gw1" />
    <sequenceFlow id="f4" sourceRef="gw1" targetRef="signalEvent" />
    <sequenceFlow id="f5" sourceRef="gw1" targetRef="timerEvent" />
    <intermediateCatchEvent id="signalEvent" name="Alert">
      <signalEventDefinition signalRef="alertSignal" />
    </intermediateCatchEvent>
    <intermediateCatchEvent id="timerEvent" name="Alert">
      <timerEventDefinition><timeDuration>PT0S</timeDuration></timerEventDefinition>
    </intermediateCatchEvent>
    <userTask id="task1" name="afterTimer" camunda:assignee="kermit"/>
    <userTask id="task2" name="afterSignal" camunda:assignee="kermit"/>
    <sequenceFlow id="f6" sourceRef="task1" targetRef="end" />
    <sequenceFlow id="f7" sourceRef="task2" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>
"""

ONE_JOB = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="Examples">
  <process id="oneTaskProcess" name="oneTaskProcess" isExecutable="true">
    <startEvent id="theStart" name="Start"></startEvent>
    <endEvent id="theEnd" name="End"></endEvent>
    <intermediateCatchEvent id="timerintermediatecatchevent1" name="TimerCatchEvent">
      <timerEventDefinition><timeDuration>%s</timeDuration></timerEventDefinition>
    </intermediateCatchEvent>
    <sequenceFlow id="flow1" name="" sourceRef="theStart" targetRef="timerintermediatecatchevent1"></sequenceFlow>
    <sequenceFlow id="flow2" name="" sourceRef="timerintermediatecatchevent1" targetRef="theEnd"></sequenceFlow>
  </process>
</definitions>
"""


def _fire(app: Any) -> Any:
    from service.ops import fire_due_timers
    return fire_due_timers(app.extensions["alur"].ops)


def test_a_zero_timer_on_an_event_based_gateway_fires_at_the_next_timer_run(client: Any, app: Any,
                                                                             clock: Any) -> None:
    assert deploy_rest(client, ("alert.bpmn", CATCH_ALERT_AND_TIMER)).status_code == 200
    pi = client.post(f"{R}/process-definition/key/catchSignal/start", json={}).json
    assert pi["ended"] is False
    [job] = client.get(f"{R}/job", query_string={"processInstanceId": pi["id"]}).json
    assert job["dueDate"] == clock.now().strftime("%Y-%m-%dT%H:%M:%S.000+0000")    # due at once
    assert client.get(f"{R}/job/count", query_string={"executable": "true"}).json == {"count": 1}
    assert client.get(f"{R}/task", query_string={"processInstanceId": pi["id"]}).json == []
    assert _fire(app).instances_fired == 1
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": pi["id"]}).json
    assert task["name"] == "afterTimer"
    assert client.get(f"{R}/job/count").json == {"count": 0}
    # The signal subscription went with the gateway: the signal reaches nothing.
    assert client.post(f"{R}/signal", json={"name": "alert"}).status_code == 204
    [still] = client.get(f"{R}/task", query_string={"processInstanceId": pi["id"]}).json
    assert still["name"] == "afterTimer"


def test_zero_negative_and_past_timers_are_one_due_job_each(client: Any, app: Any, clock: Any) -> None:
    for text in (b"PT0S", b"-PT1H"):
        body = ONE_JOB.replace(b"%s", text)
        assert deploy_rest(client, ("one_job.bpmn", body)).status_code == 200, text
        pi = client.post(f"{R}/process-definition/key/oneTaskProcess/start", json={}).json
        assert pi["ended"] is False     # waits for the timer run
        [job] = client.get(f"{R}/job", query_string={"processInstanceId": pi["id"]}).json
        assert client.post(f"{R}/job/{job['id']}/execute").status_code == 204
        assert client.get(f"{R}/process-instance/{pi['id']}").status_code == 404
    past = ONE_JOB.replace(b"<timeDuration>%s</timeDuration>", b"<timeDate>2001-01-01T00:00:00Z</timeDate>")
    assert deploy_rest(client, ("one_job.bpmn", past)).status_code == 200
    pi = client.post(f"{R}/process-definition/key/oneTaskProcess/start", json={}).json
    [job] = client.get(f"{R}/job", query_string={"processInstanceId": pi["id"]}).json
    assert job["dueDate"] == "2001-01-01T00:00:00.000+0000"
    assert _fire(app).instances_fired == 1
    assert client.get(f"{R}/process-instance/{pi['id']}").status_code == 404


def test_a_zero_cycle_period_is_still_refused(client: Any) -> None:
    body = ONE_JOB.replace(b"<timeDuration>%s</timeDuration>", b"<timeCycle>R3/PT0S</timeCycle>")
    r = deploy_rest(client, ("one_job.bpmn", body))
    assert r.status_code == 400 and "PT0S" in r.json["message"]
