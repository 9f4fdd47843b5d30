"""Call activities start a separate process instance (Camunda 7): superProcessInstanceId, its own tasks,
definition and history, camunda:in / camunda:out, the binding resolved when the call is reached, an
incident for a missing called process, errors of the child caught on the caller, cancellation of the child
tree; all through /engine-rest."""
from __future__ import annotations

from typing import Any

from support import deploy_rest

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://alur.test">\n'
        '<bpmn:error id="Err_Tolak" name="Tolak" errorCode="TOLAK"/>\n')
TAIL = "</bpmn:definitions>\n"


def child(label: str = "Tugas anak", *, key: str = "anak", error: bool = False) -> bytes:
    end = ('<bpmn:endEvent id="a_akhir"><bpmn:errorEventDefinition errorRef="Err_Tolak"/></bpmn:endEvent>'
           if error else '<bpmn:endEvent id="a_akhir"/>')
    return (HEAD + f"""<bpmn:process id="{key}" isExecutable="true">
  <bpmn:startEvent id="a_mulai"/>
  <bpmn:sequenceFlow id="a1" sourceRef="a_mulai" targetRef="a_tugas"/>
  <bpmn:userTask id="a_tugas" name="{label}" camunda:candidateGroups="PPK"/>
  <bpmn:sequenceFlow id="a2" sourceRef="a_tugas" targetRef="a_akhir"/>
  {end}
</bpmn:process>
""" + TAIL).encode()


def parent(call: str, *, before: bool = False, boundary: str = "", key: str = "induk") -> bytes:
    """start -> [user task 'siapkan'] -> call activity 'panggil' (`call`: its attributes and body) -> user
    task 'sesudah' -> end; `boundary` adds boundary events on the call leading to user task 'tangani'."""
    first = "siapkan" if before else "panggil"
    prep = ('<bpmn:userTask id="siapkan" camunda:candidateGroups="PPK"/>'
            '<bpmn:sequenceFlow id="f0" sourceRef="siapkan" targetRef="panggil"/>') if before else ""
    handler = ('<bpmn:userTask id="tangani" camunda:candidateGroups="PPK"/>'
               '<bpmn:sequenceFlow id="f9" sourceRef="tangani" targetRef="akhir"/>') if boundary else ""
    return (HEAD + f"""<bpmn:process id="{key}" isExecutable="true">
  <bpmn:startEvent id="mulai"/>
  <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="{first}"/>
  {prep}
  <bpmn:callActivity id="panggil" name="Panggil anak" {call}</bpmn:callActivity>
  {boundary}
  {handler}
  <bpmn:sequenceFlow id="f2" sourceRef="panggil" targetRef="sesudah"/>
  <bpmn:userTask id="sesudah" camunda:candidateGroups="PPK"/>
  <bpmn:sequenceFlow id="f3" sourceRef="sesudah" targetRef="akhir"/>
  <bpmn:endEvent id="akhir"/>
</bpmn:process>
""" + TAIL).encode()


def _ok(r: Any) -> Any:
    assert r.status_code in (200, 204), r.json
    return r.json


def _start(client: Any, key: str = "induk", **body: Any) -> str:
    return str(_ok(client.post(f"/engine-rest/process-definition/key/{key}/start", json=body))["id"])


def _children(client: Any, instance_id: str) -> list[dict]:
    return list(_ok(client.get("/engine-rest/process-instance", query_string={"superProcessInstance": instance_id})))


def _tasks(client: Any, instance_id: str) -> list[dict]:
    return list(_ok(client.get("/engine-rest/task", query_string={"processInstanceId": instance_id})))


def _complete(client: Any, instance_id: str, element: str, variables: dict | None = None) -> None:
    [task] = [t for t in _tasks(client, instance_id) if t["taskDefinitionKey"] == element]
    _ok(client.post(f"/engine-rest/task/{task['id']}/complete", json={"variables": variables or {}}))


def _variables(client: Any, instance_id: str) -> dict[str, Any]:
    body = _ok(client.get(f"/engine-rest/process-instance/{instance_id}/variables"))
    return {name: v["value"] for name, v in body.items()}


def _history(client: Any, instance_id: str) -> dict:
    return dict(_ok(client.get(f"/engine-rest/history/process-instance/{instance_id}")))


MAPPINGS = '''calledElement="anak">
  <bpmn:extensionElements>
    <camunda:in source="jumlah" target="nilai"/>
    <camunda:in sourceExpression="${jumlah * 2}" target="ganda"/>
    <camunda:in businessKey="${kode}"/>
    <camunda:out source="hasil" target="hasilAnak"/>
    <camunda:out sourceExpression="${hasil + nilai}" target="total"/>
  </bpmn:extensionElements>'''


def test_a_call_starts_a_child_instance_with_its_own_tasks_and_history(client: Any) -> None:
    _ok(deploy_rest(client, ("anak.bpmn", child()), ("induk.bpmn", parent(MAPPINGS))))
    ids = {d["key"]: d["id"] for d in _ok(client.get("/engine-rest/process-definition"))}
    caller = _start(client, variables={"jumlah": {"value": 5}, "kode": {"value": "PKT-7"}, "rahasia": {"value": "x"}})
    [sub] = _children(client, caller)
    assert sub["definitionId"] == ids["anak"] and sub["businessKey"] == "PKT-7"
    assert [p["id"] for p in _ok(client.get("/engine-rest/process-instance",
                                            query_string={"subProcessInstance": sub["id"]}))] == [caller]
    assert _ok(client.post("/engine-rest/process-instance", json={"superProcessInstance": caller}))[0]["id"] \
        == sub["id"]
    assert _ok(client.get("/engine-rest/process-instance/count",
                          query_string={"superProcessInstance": sub["id"]}))["count"] == 0
    # The caller waits in its call activity; the task belongs to the child, with the child's definition.
    assert _tasks(client, caller) == []
    [task] = _tasks(client, sub["id"])
    assert task["processDefinitionId"] == ids["anak"] and task["name"] == "Tugas anak"
    tree = _ok(client.get(f"/engine-rest/process-instance/{caller}/activity-instances"))
    assert [(a["activityId"], a["activityType"]) for a in tree["childActivityInstances"]] == [("panggil",
                                                                                              "callActivity")]
    assert _variables(client, sub["id"]) == {"nilai": 5, "ganda": 10}         # only camunda:in crosses
    _complete(client, sub["id"], "a_tugas", {"hasil": {"value": 30}})
    assert _variables(client, caller) == {"jumlah": 5, "kode": "PKT-7", "rahasia": "x", "hasilAnak": 30,
                                          "total": 35}
    assert [t["taskDefinitionKey"] for t in _tasks(client, caller)] == ["sesudah"]
    history = _history(client, sub["id"])
    assert history["superProcessInstanceId"] == caller and history["rootProcessInstanceId"] == caller
    assert history["state"] == "COMPLETED" and history["processDefinitionId"] == ids["anak"]
    assert _history(client, caller)["superProcessInstanceId"] is None
    found = _ok(client.get("/engine-rest/history/process-instance", query_string={"superProcessInstanceId": caller}))
    assert [h["id"] for h in found] == [sub["id"]]
    found = _ok(client.get("/engine-rest/history/process-instance", query_string={"subProcessInstanceId": sub["id"]}))
    assert [h["id"] for h in found] == [caller]
    activities = _ok(client.get("/engine-rest/history/activity-instance",
                                query_string={"processInstanceId": sub["id"]}))
    assert {a["activityId"] for a in activities} == {"a_mulai", "a_tugas", "a_akhir"}
    assert {a["processDefinitionId"] for a in activities} == {ids["anak"]}
    called = _ok(client.get("/engine-rest/history/activity-instance",
                            query_string={"processInstanceId": caller, "activityId": "panggil"}))
    assert [(a["activityType"], a["calledProcessInstanceId"]) for a in called] == [("callActivity", sub["id"])]


def test_all_variables_and_local_mappings(client: Any) -> None:
    call_all = '''calledElement="anak">
  <bpmn:extensionElements>
    <camunda:in variables="all"/>
    <camunda:out variables="all"/>
  </bpmn:extensionElements>'''
    call_local = '''calledElement="anak">
  <bpmn:extensionElements>
    <camunda:inputOutput>
      <camunda:inputParameter name="lokal">hanya di sini</camunda:inputParameter>
      <camunda:outputParameter name="salinan">${hasilLokal}</camunda:outputParameter>
    </camunda:inputOutput>
    <camunda:in variables="all" local="true"/>
    <camunda:out source="hasil" target="hasilLokal" local="true"/>
  </bpmn:extensionElements>'''
    _ok(deploy_rest(client, ("anak.bpmn", child()), ("induk.bpmn", parent(call_all)),
                    ("lokal.bpmn", parent(call_local, key="lokal"))))
    caller = _start(client, variables={"a": {"value": 1}, "b": {"value": "dua"}})
    [sub] = _children(client, caller)
    assert _variables(client, sub["id"]) == {"a": 1, "b": "dua"}
    _complete(client, sub["id"], "a_tugas", {"a": {"value": 10}, "c": {"value": 3}})
    assert _variables(client, caller) == {"a": 10, "b": "dua", "c": 3}

    caller = _start(client, "lokal", variables={"a": {"value": 1}})
    [sub] = _children(client, caller)
    assert _variables(client, sub["id"]) == {"lokal": "hanya di sini"}      # local="true": the call's locals
    _complete(client, sub["id"], "a_tugas", {"hasil": {"value": 7}})
    assert _variables(client, caller) == {"a": 1, "salinan": 7}              # hasilLokal stayed local


def test_the_binding_is_resolved_when_the_call_is_reached(client: Any) -> None:
    _ok(deploy_rest(client, ("anak.bpmn", child("versi 1")), ("induk.bpmn", parent('calledElement="anak">',
                                                                                    before=True)),
                    ("induk_dep.bpmn", parent('calledElement="anak" camunda:calledElementBinding="deployment">',
                                              before=True, key="induk_dep")), name="paket"))
    latest = _start(client)
    bound = _start(client, "induk_dep")
    _ok(deploy_rest(client, ("anak.bpmn", child("versi 2")), name="anak"))        # after the start
    _complete(client, latest, "siapkan")
    _complete(client, bound, "siapkan")
    [sub] = _children(client, latest)
    assert [t["name"] for t in _tasks(client, sub["id"])] == ["versi 2"]        # latest: the new version
    [sub] = _children(client, bound)
    assert [t["name"] for t in _tasks(client, sub["id"])] == ["versi 1"]        # deployment: the caller's


def test_a_called_element_expression_is_evaluated_when_reached(client: Any) -> None:
    _ok(deploy_rest(client, ("anak.bpmn", child("anak")), ("lain.bpmn", child("lain", key="lain")),
                    ("induk.bpmn", parent('calledElement="${proses}">'))))
    caller = _start(client, variables={"proses": {"value": "lain"}})
    [sub] = _children(client, caller)
    assert sub["definitionId"].startswith("lain:")


def test_a_missing_called_process_is_an_incident_until_deployed_and_retried(client: Any) -> None:
    _ok(deploy_rest(client, ("induk.bpmn", parent('calledElement="anak">'))))     # Camunda deploys it
    caller = _start(client)
    [incident] = _ok(client.get("/engine-rest/incident", query_string={"processInstanceId": caller}))
    assert incident["activityId"] == "panggil" and incident["incidentType"] == "failedJob"
    assert "no processes deployed with key 'anak'" in incident["incidentMessage"]
    [job] = _ok(client.get("/engine-rest/job", query_string={"processInstanceId": caller}))
    assert job["retries"] == 0 and "'anak'" in job["exceptionMessage"]
    # Retrying (executing the job) before the deployment fails again, with a new incident.
    _ok(client.post(f"/engine-rest/job/{job['id']}/execute"))
    assert len(_ok(client.get("/engine-rest/incident", query_string={"processInstanceId": caller}))) == 1
    assert _children(client, caller) == []
    _ok(deploy_rest(client, ("anak.bpmn", child()), name="anak"))
    [job] = _ok(client.get("/engine-rest/job", query_string={"processInstanceId": caller}))
    _ok(client.put(f"/engine-rest/job/{job['id']}/retries", json={"retries": 1}))
    assert _ok(client.get("/engine-rest/incident", query_string={"processInstanceId": caller})) == []
    [sub] = _children(client, caller)
    _complete(client, sub["id"], "a_tugas")
    assert [t["taskDefinitionKey"] for t in _tasks(client, caller)] == ["sesudah"]


def test_an_error_thrown_by_the_child_is_caught_on_the_call_activity(client: Any) -> None:
    boundary = ('<bpmn:boundaryEvent id="galat" attachedToRef="panggil">'
                '<bpmn:errorEventDefinition errorRef="Err_Tolak" camunda:errorCodeVariable="kodeGalat"/>'
                '</bpmn:boundaryEvent><bpmn:sequenceFlow id="f8" sourceRef="galat" targetRef="tangani"/>')
    _ok(deploy_rest(client, ("anak.bpmn", child(error=True)),
                    ("induk.bpmn", parent('calledElement="anak">', boundary=boundary))))
    caller = _start(client)
    [sub] = _children(client, caller)
    _complete(client, sub["id"], "a_tugas")
    assert [t["taskDefinitionKey"] for t in _tasks(client, caller)] == ["tangani"]
    assert _variables(client, caller)["kodeGalat"] == "TOLAK"
    assert _history(client, sub["id"])["state"] in ("COMPLETED", "EXTERNALLY_TERMINATED")


def test_an_uncaught_child_error_ends_the_childs_path_and_the_caller_continues(client: Any) -> None:
    _ok(deploy_rest(client, ("anak.bpmn", child(error=True)), ("induk.bpmn", parent('calledElement="anak">'))))
    caller = _start(client)
    [sub] = _children(client, caller)
    _complete(client, sub["id"], "a_tugas")
    assert _history(client, sub["id"])["state"] == "COMPLETED"
    assert [t["taskDefinitionKey"] for t in _tasks(client, caller)] == ["sesudah"]


def test_cancelling_the_caller_cancels_the_child_tree(client: Any) -> None:
    grandparent = parent('calledElement="induk">', key="kakek")
    _ok(deploy_rest(client, ("anak.bpmn", child()), ("induk.bpmn", parent('calledElement="anak">')),
                    ("kakek.bpmn", grandparent)))
    top = _start(client, "kakek")
    [middle] = _children(client, top)
    [sub] = _children(client, middle["id"])
    assert _history(client, sub["id"])["rootProcessInstanceId"] == top
    r = client.delete(f"/engine-rest/process-instance/{top}")
    assert r.status_code == 204, r.json
    for instance_id in (top, middle["id"], sub["id"]):
        assert _history(client, instance_id)["state"] == "EXTERNALLY_TERMINATED"
    assert _ok(client.get("/engine-rest/task")) == []


def test_an_interrupting_timer_on_the_call_activity_cancels_the_child(client: Any) -> None:
    boundary = ('<bpmn:boundaryEvent id="batas" attachedToRef="panggil"><bpmn:timerEventDefinition>'
                '<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                '<bpmn:sequenceFlow id="f8" sourceRef="batas" targetRef="tangani"/>')
    _ok(deploy_rest(client, ("anak.bpmn", child()), ("induk.bpmn", parent('calledElement="anak">',
                                                                        boundary=boundary))))
    caller = _start(client)
    [sub] = _children(client, caller)
    [job] = _ok(client.get("/engine-rest/job", query_string={"processInstanceId": caller}))
    _ok(client.post(f"/engine-rest/job/{job['id']}/execute"))
    assert [t["taskDefinitionKey"] for t in _tasks(client, caller)] == ["tangani"]
    assert _history(client, sub["id"])["state"] == "INTERNALLY_TERMINATED"      # ended by the engine
    assert _tasks(client, sub["id"]) == []


def test_a_call_cycle_is_bounded_by_the_call_depth(client: Any) -> None:
    _ok(deploy_rest(client, ("induk.bpmn", parent('calledElement="induk">'))))     # Camunda deploys recursion
    r = client.post("/engine-rest/process-definition/key/induk/start", json={})
    assert r.status_code == 500, r.json
    assert "called processes are nested 11 deep" in r.json["message"]
    assert _ok(client.get("/engine-rest/process-instance/count"))["count"] == 0


def test_deleting_a_child_ends_its_call_and_an_empty_caller_with_it(client: Any) -> None:
    """Camunda's upward deletion: the caller of a deleted child is deleted too when nothing else runs in it;
    a caller with another branch keeps running it."""
    two_calls = (HEAD + """<bpmn:process id="dua" isExecutable="true">
  <bpmn:startEvent id="mulai"/>
  <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="bagi"/>
  <bpmn:parallelGateway id="bagi"/>
  <bpmn:sequenceFlow id="f2" sourceRef="bagi" targetRef="satu"/>
  <bpmn:sequenceFlow id="f3" sourceRef="bagi" targetRef="dua_"/>
  <bpmn:callActivity id="satu" calledElement="anak"/>
  <bpmn:callActivity id="dua_" calledElement="anak"/>
  <bpmn:sequenceFlow id="f4" sourceRef="satu" targetRef="akhir1"/>
  <bpmn:sequenceFlow id="f5" sourceRef="dua_" targetRef="akhir2"/>
  <bpmn:endEvent id="akhir1"/>
  <bpmn:endEvent id="akhir2"/>
</bpmn:process>
""" + TAIL).encode()
    _ok(deploy_rest(client, ("anak.bpmn", child()), ("induk.bpmn", parent('calledElement="anak">')),
                    ("dua.bpmn", two_calls)))
    caller = _start(client)
    [sub] = _children(client, caller)
    assert client.delete(f"/engine-rest/process-instance/{sub['id']}").status_code == 204
    assert _history(client, caller)["state"] == "EXTERNALLY_TERMINATED"

    caller = _start(client, "dua")
    first, second = _children(client, caller)
    assert client.delete(f"/engine-rest/process-instance/{first['id']}").status_code == 204
    assert _history(client, caller)["state"] == "ACTIVE"
    tree = _ok(client.get(f"/engine-rest/process-instance/{caller}/activity-instances"))
    assert len(tree["childActivityInstances"]) == 1
    _complete(client, second["id"], "a_tugas")
    assert _history(client, caller)["state"] == "COMPLETED"


def test_a_multi_instance_call_starts_one_child_per_item(client: Any) -> None:
    call = '''calledElement="anak">
  <bpmn:extensionElements>
    <camunda:in businessKey="${paket}"/>
    <camunda:in source="paket" target="namaPaket"/>
  </bpmn:extensionElements>
  <bpmn:multiInstanceLoopCharacteristics camunda:collection="${daftar}" camunda:elementVariable="paket"/>'''
    _ok(deploy_rest(client, ("anak.bpmn", child()), ("induk.bpmn", parent(call))))
    caller = _start(client, variables={"daftar": {"value": '["PKT-1", "PKT-2", "PKT-3"]', "type": "Json"}})
    subs = _children(client, caller)
    assert sorted(s["businessKey"] for s in subs) == ["PKT-1", "PKT-2", "PKT-3"]
    assert sorted(_variables(client, s["id"])["namaPaket"] for s in subs) == ["PKT-1", "PKT-2", "PKT-3"]
    for sub in subs:
        assert _tasks(client, caller) == []
        _complete(client, sub["id"], "a_tugas")
    assert [t["taskDefinitionKey"] for t in _tasks(client, caller)] == ["sesudah"]
