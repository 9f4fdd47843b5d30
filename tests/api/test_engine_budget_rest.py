"""Issue 11 over REST: hostile models are a 400 at deploy naming file and element (and nothing is stored),
or a rolled-back action reported as Camunda's engine exception naming the element and the limit."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from hostile_models import (boundary_cycle, caller, external_task_priority, nested_multi_instance, parallel_loop,
                            script_self_loop, timer_event, user_task_priority)
from support import deploy_rest, make_app

R = "/engine-rest"


@pytest.mark.parametrize(("xml", "expected"), [
    (timer_event("timeDuration", "P99999999Y"), "T (line 7): timeDuration"),
    (timer_event("timeCycle", "0 0 0 30 2 ?"), "T (line 7): timeCycle"),
    (timer_event("timeDate", "9999-12-31T23:59:59.999999-14:00"), "T (line 7): timeDate"),
    (boundary_cycle(), "B (line 10): timeCycle: cycle 'R/PT0.00001S' repeats more often than every 60 seconds"),
    (boundary_cycle(cycle="R/2000-01-01T00:00:00Z/PT0.001S"), "ALUR_TIMER_MIN_CYCLE_SECONDS"),
    (user_task_priority("1" + "0" * 30), "U (line 6): camunda:priority"),
    (external_task_priority("1" + "0" * 30), "X (line 6): camunda:taskPriority"),
    (script_self_loop(), "T (line 6): the sequence flows T -> T form a loop"),
    (parallel_loop(), "G (line 6): the sequence flows G -> T -> G form a loop"),
])
def test_hostile_models_are_refused_at_deploy(client: Any, xml: bytes, expected: str) -> None:
    began = time.monotonic()
    r = deploy_rest(client, ("jahat.bpmn", xml))
    assert time.monotonic() - began < 5
    assert r.status_code == 400 and r.json["type"] == "ParseException", r.json
    assert "jahat.bpmn" in r.json["message"] and expected in r.json["message"]
    assert client.get(f"{R}/deployment/count").json["count"] == 0


def test_a_call_cycle_deploys_and_is_stopped_by_the_call_depth(client: Any) -> None:
    """Camunda deploys recursive calls (a cycle may end on a condition); each call starts an instance, and the
    chain of super instances is bounded by the call depth, rolled back naming the element and the limit."""
    assert deploy_rest(client, ("a.bpmn", caller("h_a", "h_b")), ("b.bpmn", caller("h_b", "h_a"))).status_code == 200
    assert deploy_rest(client, ("self.bpmn", caller("h_self", "h_self"))).status_code == 200
    for key in ("h_a", "h_self"):
        began = time.monotonic()
        r = client.post(f"{R}/process-definition/key/{key}/start", json={})
        assert time.monotonic() - began < 15
        assert r.status_code == 500 and r.json["type"] == "ProcessEngineException", r.json
        assert "Element 'C' failed: called processes are nested 11 deep" in r.json["message"]
        assert "ALUR_ENGINE_MAX_CALL_DEPTH=10" in r.json["message"]
    assert client.get(f"{R}/process-instance/count").json["count"] == 0


def test_nested_multi_instance_is_rolled_back_naming_the_element_and_limit(client: Any) -> None:
    assert deploy_rest(client, ("mi.bpmn", nested_multi_instance())).status_code == 200
    began = time.monotonic()
    r = client.post(f"{R}/process-definition/key/h_mi/start", json={})
    assert time.monotonic() - began < 15
    assert r.status_code == 500 and r.json["type"] == "ProcessEngineException", r.json
    assert "Element 'U' failed: this action would create 2000 multi-instance children" in r.json["message"]
    assert "ALUR_ENGINE_MAX_MULTI_INSTANCE=1000" in r.json["message"]
    assert client.get(f"{R}/process-instance/count").json["count"] == 0


def test_executing_a_job_of_a_fast_old_cycle_is_quick(tmp_path: Path) -> None:
    # Only a server configured for it accepts such a cycle; the engine still fires it once per execution.
    app = make_app(tmp_path, ALUR_TIMER_MIN_CYCLE_SECONDS="0.0001", ALUR_REST_AUTH="off")
    client = app.test_client()
    assert deploy_rest(client, ("c.bpmn", boundary_cycle("h_cycle", "R/2000-01-01T00:00:00Z/PT0.001S"))
                       ).status_code == 200
    pid = client.post(f"{R}/process-definition/key/h_cycle/start", json={}).json["id"]
    for _ in range(3):
        [job] = client.get(f"{R}/job", query_string={"processInstanceId": pid}).json
        began = time.monotonic()
        assert client.post(f"{R}/job/{job['id']}/execute").status_code == 204
        assert time.monotonic() - began < 5
    assert len(client.get(f"{R}/task", query_string={"processInstanceId": pid}).json) == 1


def test_budget_settings_reach_the_engine(tmp_path: Path) -> None:
    app = make_app(tmp_path, ALUR_ENGINE_MAX_MULTI_INSTANCE="10", ALUR_ENGINE_MAX_CALL_DEPTH="2",
                   ALUR_REST_AUTH="off")
    client = app.test_client()
    budget = app.extensions["alur"].ops.budget
    assert (budget.max_multi_instance, budget.max_call_depth, budget.min_cycle_seconds) == (10, 2, 60.0)
    assert deploy_rest(client, ("mi.bpmn", nested_multi_instance(outer=2, inner=5))).status_code == 200
    r = client.post(f"{R}/process-definition/key/h_mi/start", json={})
    assert r.status_code == 500 and "at most 10 are allowed per action (ALUR_ENGINE_MAX_MULTI_INSTANCE=10)" \
        in r.json["message"], r.json
