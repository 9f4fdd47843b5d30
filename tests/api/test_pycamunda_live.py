"""pycamunda, a Camunda 7 client we did not write, against a live Alur server on 127.0.0.1: deploy,
start, fetch-and-lock and complete an external task, claim and complete a user task, correlate a
message, evaluate a decision, query history, fail an external task into an incident and resolve it.
pycamunda has no history resource, so history is queried with requests on the same session."""
from __future__ import annotations

import io
from typing import Any, Iterator

import pycamunda.decisiondef
import pycamunda.deployment
import pycamunda.externaltask
import pycamunda.incident
import pycamunda.message
import pycamunda.processdef
import pycamunda.task
import pycamunda.variable
import pytest
import requests

from support import ADMIN, fixture_bytes


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.auth = ADMIN
        yield s


def call(request: Any, session: requests.Session) -> Any:
    request.session = session
    request.auth = ADMIN
    return request()


def named(name: str) -> io.BytesIO:
    stream = io.BytesIO(fixture_bytes(name))
    stream.name = name
    return stream


def test_pycamunda_round_trip(server: str, session: requests.Session) -> None:
    url = server
    unauthenticated = pycamunda.processdef.GetList(url)
    with pytest.raises(pycamunda.PyCamundaException):
        unauthenticated()

    create = pycamunda.deployment.Create(url, name="layanan", source="pycamunda")
    create.add_resource(named("layanan.bpmn"))
    create.add_resource(named("risiko.dmn"))
    deployment = call(create, session)
    assert deployment.name == "layanan" and len(deployment.deployed_process_definitions) == 1
    assert [d.name for d in call(pycamunda.deployment.GetList(url), session)] == ["layanan"]

    start = pycamunda.processdef.StartInstance(url, key="layanan", business_key="PC-1")
    start.add_variable("nilai", 5, type_="Long")
    instance = call(start, session)
    assert instance.business_key == "PC-1" and instance.suspended is False

    fetch = pycamunda.externaltask.FetchAndLock(url, worker_id="pc-worker", max_tasks=2, async_response_timeout=2000)
    fetch.add_topic("periksa", lock_duration=10_000)
    [task] = call(fetch, session)
    assert task.topic_name == "periksa" and task.variables["nilai"].value == 5
    complete = pycamunda.externaltask.Complete(url, task.id_, worker_id="pc-worker")
    complete.add_variable("hasil", "lengkap")
    call(complete, session)

    [user_task] = call(pycamunda.task.GetList(url, process_instance_id=instance.id_, candidate_group="PPK"), session)
    assert user_task.task_definition_key == "Tinjau"
    call(pycamunda.task.Claim(url, user_task.id_, user_id="admin"), session)
    assert call(pycamunda.task.Get(url, user_task.id_), session).assignee == "admin"
    call(pycamunda.task.Complete(url, user_task.id_), session)

    correlate = pycamunda.message.CorrelateSingle(url, "persetujuan_diterima", business_key="PC-1",
                                                  result_enabled=True)
    result = call(correlate, session)
    assert result is not None

    evaluate = pycamunda.decisiondef.Evaluate(url, key="tingkat_risiko")
    evaluate.add_variable("nilai", 300_000_000, type_="Long")
    [row] = call(evaluate, session)
    assert row["risiko"].value == "tinggi"

    history = session.get(f"{url}/history/process-instance", params={"processInstanceId": instance.id_}).json()
    assert history[0]["state"] == "COMPLETED"
    acts = session.post(f"{url}/history/activity-instance", json={"processInstanceId": instance.id_}).json()
    assert {"Periksa", "Tinjau", "Tunggu", "Selesai"} <= {a["activityId"] for a in acts}

    # Failing an external task to 0 retries raises an incident; setting retries resolves it.
    second = call(pycamunda.processdef.StartInstance(url, key="layanan", business_key="PC-2"), session)
    [task2] = call(fetch, session)
    call(pycamunda.externaltask.HandleFailure(url, task2.id_, worker_id="pc-worker", error_message="mati",
                                              error_details="detail", retries=0, retry_timeout=0), session)
    [incident] = call(pycamunda.incident.GetList(url, process_instance_id=second.id_), session)
    assert incident.incident_type.value == "failedExternalTask" and incident.configuration == task2.id_
    call(pycamunda.externaltask.SetRetries(url, task2.id_, retries=1), session)
    assert list(call(pycamunda.incident.GetList(url, process_instance_id=second.id_), session)) == []
    [again] = call(fetch, session)
    assert again.id_ == task2.id_ and again.retries == 1
