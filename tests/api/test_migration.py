"""Migration through /engine-rest (issue 14): generate, validate (plan and per instance), execute (all or
none), executeAsync as a batch with its progress, and the stuck-instance story: an instance stuck on a
broken version (a failing timer job, an incident) is migrated to the fixed version, retried, and completes.
SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.ops import batches
from service.ops.timers import fire_due_timers

from support import deploy_rest

from test_instance_operations import HEAD, operations, start, steps, tasks_of

V1 = HEAD + """
  <bpmn:process id="beli" isExecutable="true">
    <bpmn:startEvent id="mulai"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="Ajukan"/>
    <bpmn:userTask id="Ajukan" name="Ajukan"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Ajukan" targetRef="Periksa"/>
    <bpmn:userTask id="Periksa" name="Periksa"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Periksa" targetRef="akhir"/>
    <bpmn:endEvent id="akhir"/>
  </bpmn:process>
</bpmn:definitions>
"""

# v2: "Periksa" renamed "Verifikasi" and a step "Setujui" added after it.
V2 = HEAD + """
  <bpmn:process id="beli" isExecutable="true">
    <bpmn:startEvent id="mulai"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="Ajukan"/>
    <bpmn:userTask id="Ajukan" name="Ajukan (v2)"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Ajukan" targetRef="Verifikasi"/>
    <bpmn:userTask id="Verifikasi" name="Verifikasi"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Verifikasi" targetRef="Setujui"/>
    <bpmn:userTask id="Setujui" name="Setujui"/>
    <bpmn:sequenceFlow id="f4" sourceRef="Setujui" targetRef="akhir"/>
    <bpmn:endEvent id="akhir"/>
  </bpmn:process>
</bpmn:definitions>
"""

# Step 2 (after a one-hour wait) is a gateway whose condition reads a variable nobody sets: the timer
# job fails when it fires and the instance is stuck with an incident. v2 replaces it with a user task.
STUCK = HEAD + """
  <bpmn:process id="stuck" isExecutable="true">
    <bpmn:startEvent id="mulai"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="Isi"/>
    <bpmn:userTask id="Isi" name="Isi"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Isi" targetRef="Tunggu"/>
    <bpmn:intermediateCatchEvent id="Tunggu" name="Tunggu sejam">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="Tunggu" targetRef="{step2}"/>
    {body}
  </bpmn:process>
</bpmn:definitions>
"""
BROKEN = """
    <bpmn:exclusiveGateway id="Cek" name="Nilai besar?"/>
    <bpmn:sequenceFlow id="besar" sourceRef="Cek" targetRef="akhir">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${nilai_tak_ada &gt; 5}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="kecil" sourceRef="Cek" targetRef="akhir2">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${nilai_tak_ada &lt;= 5}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="akhir"/>
    <bpmn:endEvent id="akhir2"/>
"""
FIXED = """
    <bpmn:userTask id="Tinjau" name="Tinjau"/>
    <bpmn:sequenceFlow id="f4" sourceRef="Tinjau" targetRef="akhir"/>
    <bpmn:endEvent id="akhir"/>
"""


def deploy(client: Any, name: str, xml: str) -> str:
    response = deploy_rest(client, (name, xml.encode()))
    assert response.status_code == 200, response.get_json()
    return str(next(iter(response.get_json()["deployedProcessDefinitions"])))


def complete(client: Any, instance_id: str, element: str) -> None:
    task = next(t for t in tasks_of(client, instance_id) if t["taskDefinitionKey"] == element)
    assert client.post(f"/engine-rest/task/{task['id']}/complete", json={}).status_code == 204


def generate(client: Any, source: str, target: str) -> dict[str, Any]:
    response = client.post("/engine-rest/migration/generate",
                           json={"sourceProcessDefinitionId": source, "targetProcessDefinitionId": target})
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def test_generate_validate_and_execute(client: Any) -> None:
    v1 = deploy(client, "beli.bpmn", V1)
    at_first = start(client, key="beli")
    at_second = start(client, key="beli")
    complete(client, at_second, "Ajukan")
    claimed = tasks_of(client, at_first)[0]
    assert client.post(f"/engine-rest/task/{claimed['id']}/claim", json={"userId": "budi"}).status_code == 204
    v2 = deploy(client, "beli.bpmn", V2)
    plan = generate(client, v1, v2)
    assert [(i["sourceActivityIds"], i["targetActivityIds"]) for i in plan["instructions"]] == \
        [(["Ajukan"], ["Ajukan"])]
    report = client.post("/engine-rest/migration/validate",
                         json={**plan, "processInstanceIds": [at_first, at_second]}).get_json()
    assert report["instructionReports"] == []
    by_instance = {r["processInstanceId"]: r for r in report["instanceReports"]}
    assert by_instance[at_first]["activityInstanceValidationReports"] == []
    failure, = by_instance[at_second]["activityInstanceValidationReports"]
    assert failure["sourceScopeId"] == "Periksa" and "not mapped" in failure["failures"][0]
    # all or nothing: one unmigratable instance stops the whole synchronous execution
    refused = client.post("/engine-rest/migration/execute",
                          json={"migrationPlan": plan, "processInstanceIds": [at_first, at_second]})
    assert refused.status_code == 400 and "Periksa" in refused.get_json()["message"]
    assert client.get(f"/engine-rest/process-instance/{at_first}").get_json()["definitionId"] == v1
    # the edited plan maps the renamed step
    plan["instructions"].append({"sourceActivityIds": ["Periksa"], "targetActivityIds": ["Verifikasi"]})
    bad_type = dict(plan, instructions=plan["instructions"] + [
        {"sourceActivityIds": ["mulai"], "targetActivityIds": ["Setujui"]}])
    invalid = client.post("/engine-rest/migration/validate", json=bad_type).get_json()
    assert "incompatible types" in invalid["instructionReports"][0]["failures"][0]
    done = client.post("/engine-rest/migration/execute", json={
        "migrationPlan": plan, "processInstanceQuery": {"processDefinitionId": v1}, "annotation": "SOP 2027"})
    assert done.status_code == 204, done.get_json()
    for pid in (at_first, at_second):
        assert client.get(f"/engine-rest/process-instance/{pid}").get_json()["definitionId"] == v2
    kept = tasks_of(client, at_first)[0]
    # Camunda: a migrated user task keeps its properties (assignee, name, ...); only its definition changes.
    assert (kept["id"], kept["assignee"], kept["name"], kept["processDefinitionId"]) == \
        (claimed["id"], "budi", "Ajukan", v2)
    assert steps(client, at_second) == ["Verifikasi"]
    complete(client, at_second, "Verifikasi")
    assert steps(client, at_second) == ["Setujui"]      # v2's flow
    logged = operations(client, operationType="Migrate", processInstanceId=at_first)
    assert logged[0]["orgValue"] == v1 and logged[0]["newValue"] == v2 and logged[0]["annotation"] == "SOP 2027"


def test_execute_async_batch_reports_progress_and_failures(client: Any, ctx: Any) -> None:
    v1 = deploy(client, "beli.bpmn", V1)
    ids = [start(client, key="beli") for _ in range(5)]
    complete(client, ids[0], "Ajukan")           # at "Periksa": not mapped by the generated plan
    v2 = deploy(client, "beli.bpmn", V2)
    plan = generate(client, v1, v2)
    response = client.post("/engine-rest/migration/executeAsync",
                           json={"migrationPlan": plan, "processInstanceIds": ids})
    assert response.status_code == 200, response.get_json()
    batch = response.get_json()
    assert (batch["type"], batch["totalJobs"], batch["suspended"]) == ("instance-migration", 5, False)
    stats = client.get("/engine-rest/batch/statistics").get_json()
    assert [(s["id"], s["remainingJobs"], s["completedJobs"]) for s in stats] == [(batch["id"], 5, 0)]
    assert client.put(f"/engine-rest/batch/{batch['id']}/suspended", json={"suspended": True}).status_code == 204
    assert batches.work_batches(ctx, owner="test") == 0       # a suspended batch is not worked
    assert client.put(f"/engine-rest/batch/{batch['id']}/suspended", json={"suspended": False}).status_code == 204
    view = batches.run_to_end(ctx, batch["id"])
    assert (view.completed, view.failed) == (4, 1)
    stats = client.get(f"/engine-rest/batch/{batch['id']}/statistics").get_json()
    assert (stats["completedJobs"], stats["failedJobs"], stats["remainingJobs"]) == (4, 1, 1)
    failure, = stats["failures"]
    assert failure["processInstanceId"] == ids[0] and "Periksa" in failure["message"]
    assert client.get(f"/engine-rest/process-instance/{ids[0]}").get_json()["definitionId"] == v1
    assert client.get(f"/engine-rest/process-instance/{ids[1]}").get_json()["definitionId"] == v2
    # a batch with a failure stays until it is deleted; its history keeps it
    assert client.get("/engine-rest/batch/count").get_json() == {"count": 1}
    assert client.delete(f"/engine-rest/batch/{batch['id']}").status_code == 204
    assert client.get("/engine-rest/batch/count").get_json() == {"count": 0}
    assert client.get("/engine-rest/history/batch?completed=true").get_json()[0]["id"] == batch["id"]


def test_stuck_instance_is_migrated_to_the_fixed_version_and_completes(client: Any, ctx: Any, clock: Any) -> None:
    broken = deploy(client, "stuck.bpmn", STUCK.format(step2="Cek", body=BROKEN))
    pid = start(client, key="stuck")
    complete(client, pid, "Isi")
    clock.advance(timedelta(hours=2))
    run = fire_due_timers(ctx)
    assert run.failures == 1
    incident, = client.get("/engine-rest/incident?processDefinitionKey=stuck").get_json()
    assert incident["processInstanceId"] == pid and incident["incidentType"] == "failedJob"
    assert incident["activityId"] == "Cek"           # the failing element, marked on the instance's diagram
    assert "nilai_tak_ada" in incident["incidentMessage"]
    assert client.put(f"/engine-rest/incident/{incident['id']}/annotation",
                      json={"annotation": "kondisi Cek salah; migrasi ke v2"}).status_code == 204
    assert client.get(f"/engine-rest/incident/{incident['id']}").get_json()["annotation"] == \
        "kondisi Cek salah; migrasi ke v2"
    fixed = deploy(client, "stuck.bpmn", STUCK.format(step2="Tinjau", body=FIXED))
    plan = generate(client, broken, fixed)
    assert ["Tunggu"] in [i["sourceActivityIds"] for i in plan["instructions"]]
    response = client.post("/engine-rest/migration/execute", json={"migrationPlan": plan, "processInstanceIds": [pid]})
    assert response.status_code == 204, response.get_json()
    job, = client.get(f"/engine-rest/job?processInstanceId={pid}").get_json()
    assert job["processDefinitionId"] == fixed and job["exceptionMessage"]
    assert client.put(f"/engine-rest/job/{job['id']}/retries", json={"retries": 1}).status_code == 204
    assert fire_due_timers(ctx).failures == 0
    assert client.get(f"/engine-rest/incident?processInstanceId={pid}").get_json() == []
    assert steps(client, pid) == ["Tinjau"]
    complete(client, pid, "Tinjau")
    assert client.get(f"/engine-rest/history/process-instance/{pid}").get_json()["state"] == "COMPLETED"
