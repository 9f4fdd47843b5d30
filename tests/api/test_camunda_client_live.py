"""camunda-client (PyPI `camunda-client`, a Camunda 7 REST client we did not write) against a live Alur
server: every call of its engine and external-task clients, each answering right or, for the one resource
Alur does not serve (`/variable-instance`), a clear 404 rather than wrong data."""
from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID, uuid4

import httpx
import pytest
import requests

from support import ADMIN, fixture_bytes

camunda_client = pytest.importorskip("camunda_client")

from camunda_client import CamundaEngineClient, ExternalTaskClient, ExternalTaskConfig, VariableValueSchema  # noqa: E402
from camunda_client.clients.dto import AuthData  # noqa: E402
from camunda_client.clients.engine.dto import GetTaskVariableDTO, UpdateTaskVariableDTO  # noqa: E402
from camunda_client.clients.engine.schemas.body import (  # noqa: E402
    GetHistoryTasksFilterSchema, GetTasksFilterSchema, HistoricProcessInstanceFilterSchema,
    HistoryVariableInstanceFilterSchema, SendCorrelationMessageSchema, UpdateProcessVariablesSchema)
from camunda_client.clients.engine.schemas.query import (  # noqa: E402
    HistoryVariableInstanceFilterParamsSchema, ProcessInstanceQuerySchema)


def _deploy(server: str) -> None:
    files = {"layanan.bpmn": ("layanan.bpmn", fixture_bytes("layanan.bpmn"))}
    r = requests.post(f"{server}/deployment/create", auth=ADMIN, files=files,
                      data={"deployment-name": "cc", "deployment-source": "camunda-client"}, timeout=10)
    assert r.status_code == 200, r.text


async def _walk(server: str) -> None:
    auth = AuthData(username=ADMIN[0], password=ADMIN[1])
    engine = CamundaEngineClient(base_url=server, auth_data=auth, transport=httpx.AsyncHTTPTransport())
    config = ExternalTaskConfig(retry_timeout=timedelta(0), async_response_timeout=timedelta(seconds=2))
    worker = ExternalTaskClient(worker_id="cc-worker", base_url=server, auth_data=auth,
                                transport=httpx.AsyncHTTPTransport(), config=config)
    # camunda-client reads user ids as UUIDs (a quirk of the client, not of Camunda): use one.
    user = str(uuid4())
    started = await engine.start_process("layanan", business_key="CC-1",
                                         variables={"nilai": VariableValueSchema(value=5, type="Long")})
    other = await engine.start_process("layanan", business_key="CC-2")
    listed = await engine.get_process_instances(ProcessInstanceQuerySchema(business_key="CC-1"))
    assert [str(p.id) for p in listed] == [str(started.id)]
    liked = await engine.get_process_instances(ProcessInstanceQuerySchema(business_key_like="CC-%"))
    assert len(liked) == 2

    # External tasks: fetch, extend, unlock, fail, complete, BPMN error details.
    [task] = await worker.fetch_and_lock(["periksa"], business_key="CC-1")
    assert task.business_key == "CC-1"
    await worker.extend_lock(task.id, new_duration=60_000)
    await worker.unlock(task.id)
    [task] = await worker.fetch_and_lock(["periksa"], business_key="CC-1")
    await worker.failure(task.id, error_message="sebentar", error_details="rincian", retries=1)
    assert (await engine.get_external_task(task.id)).error_message == "sebentar"
    assert await engine.get_external_task_error_details(task.id) == "rincian"
    [task] = await worker.fetch_and_lock(["periksa"], business_key="CC-1")
    await worker.complete(task.id, global_variables={"hasil": VariableValueSchema(value="lengkap", type="String")})

    # User tasks: list (POST), count, get, claim, unclaim, assignee, variables, identity links, submit.
    [user_task] = await engine.get_tasks(GetTasksFilterSchema(process_instance_id=UUID(str(started.id))))
    count = await engine.get_tasks_count(GetTasksFilterSchema(process_instance_business_key="CC-1"))
    assert count.count == 1
    assert (await engine.get_task(UUID(str(user_task.id)))).name == user_task.name
    await engine.claim_task(UUID(str(user_task.id)), UUID(user))
    assert str((await engine.get_task(UUID(str(user_task.id)))).assignee) == user
    await engine.unclaim_task(UUID(str(user_task.id)))
    assert (await engine.get_task(UUID(str(user_task.id)))).assignee is None
    await engine.set_assignee_task(UUID(str(user_task.id)), UUID(user))
    links = await engine.get_identity_links(UUID(str(user_task.id)))
    assert {(link.type, str(link.user_id or link.group_id)) for link in links} >= {("assignee", user),
                                                                                   ("candidate", "PPK")}
    dto = GetTaskVariableDTO(task_id=UUID(str(user_task.id)), variable_name="hasil")
    assert (await engine.get_task_variable(dto)).value == "lengkap"
    await engine.update_task_variable(UpdateTaskVariableDTO(
        task_id=UUID(str(user_task.id)), variable_name="catatan",
        variable=VariableValueSchema(value="ok", type="String")))
    await engine.update_variable_instances(
        process_instance_id=UUID(str(started.id)),
        schema=UpdateProcessVariablesSchema(modifications={"nilai": VariableValueSchema(value=6, type="Long")}))
    with_filter = await engine.get_tasks(GetTasksFilterSchema(process_variables=[{"name": "nilai", "operator": "eq",
                                                                                   "value": 6}]))
    assert [t.id for t in with_filter] == [user_task.id]
    await engine.submit_task_form(UUID(str(user_task.id)), variables={"setuju": VariableValueSchema(value=True,
                                                                                                   type="Boolean")})
    await engine.send_correlation_message(SendCorrelationMessageSchema(message_name="persetujuan_diterima",
                                                                       business_key="CC-1"))

    # History.
    [hist] = await engine.get_history_process_instances(HistoricProcessInstanceFilterSchema(
        process_instance_id=str(started.id)))
    assert hist.state.value == "COMPLETED"
    assert (await engine.get_history_process_instance(str(started.id))).business_key == "CC-1"
    hist_tasks = await engine.get_history_tasks(GetHistoryTasksFilterSchema(process_instance_id=UUID(str(started.id))))
    assert [t.task_definition_key for t in hist_tasks] == ["Tinjau"]
    hist_vars = await engine.get_history_variable_instances(HistoryVariableInstanceFilterParamsSchema(
        process_instance_id=UUID(str(started.id))))
    assert {"nilai", "hasil", "setuju"} <= {v.name for v in hist_vars}
    posted = await engine.get_history_variable_instances_post(HistoryVariableInstanceFilterSchema(
        variable_name="nilai", process_instance_id=UUID(str(started.id))))
    assert [v.value for v in posted] == [6]

    # Incidents: a failure to 0 retries.
    [task2] = await worker.fetch_and_lock(["periksa"], business_key="CC-2")
    await worker.failure(task2.id, error_message="mati", retries=0)
    [incident] = await engine.get_incidents(incident_type="failedExternalTask")
    assert str(incident.process_instance_id) == str(other.id)
    await engine.delete_process(str(other.id))        # sends skipCustomListeners / skipIoMappings
    assert await engine.get_incidents() == []

    # The runtime variable-instance resource is not served: a clear 404, never wrong data.
    with pytest.raises(Exception) as raised:
        await engine.get_variable_instances()
    assert "404" in str(raised.value)


def test_camunda_client_round_trip(server: str) -> None:
    _deploy(server)
    asyncio.run(_walk(server))
