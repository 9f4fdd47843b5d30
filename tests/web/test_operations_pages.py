"""Operator pages (issue 14): on the instance page a process owner cancels with a reason, suspends and
resumes, moves the process to another step; the lists flag late instances and show them first; the
definition page's migration dialog validates and starts a batch whose page reports its progress. Staff
see none of it."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from service.ops import TaskQuery, batches, deploy, get_instance, list_definitions, query_tasks, start_instance
from service.ops.definitions import definition_xml
from service.ops.participation import process_shape

from .support import KEY, csrf, login, start, text


def _client(make_client: Any, user: str) -> Any:
    client = make_client()
    login(client, user)
    return client


def _started(make_client: Any, ctx: Any, business_key: str = "RUP-OPS-1") -> str:
    ppk = _client(make_client, "ppk.pagaralam")
    assert start(ppk, business_key).status_code == 302
    task, = [t for t in query_tasks(ctx, TaskQuery()) if t.business_key == business_key]
    return str(task.instance_id)


def _post(client: Any, url: str, page: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data={"csrf_token": csrf(client, page), **(data or {})})


def _steps(ctx: Any, instance_id: str) -> list[str]:
    return [t.element_id for t in query_tasks(ctx, TaskQuery(instance_id=instance_id))]


def test_owner_suspends_resumes_moves_and_cancels(make_client: Any, ctx: Any) -> None:
    pid = _started(make_client, ctx)
    page = f"/proses/{pid}"
    assert "Tindakan pemilik proses" not in text(_client(make_client, "ppk.pagaralam").get(page))
    ppk = _client(make_client, "ppk.pagaralam")
    assert _post(ppk, f"/proses/{pid}/tangguhkan", page, {"tangguhkan": "1"}).status_code == 403
    assert _client(make_client, "pemilik-proses.mojokerto").get(page).status_code == 403

    owner = _client(make_client, "pemilik-proses.pagaralam")
    assert "Tindakan pemilik proses" in text(owner.get(page))
    assert _post(owner, f"/proses/{pid}/tangguhkan", page, {"tangguhkan": "1"}).status_code == 302
    assert get_instance(ctx, pid).state == "SUSPENDED"
    assert "Lanjutkan proses" in text(owner.get(page))
    assert _post(owner, f"/proses/{pid}/tangguhkan", page, {"tangguhkan": "0"}).status_code == 302
    assert get_instance(ctx, pid).state == "ACTIVE"

    current, = _steps(ctx, pid)
    shape = process_shape(ctx, get_instance(ctx, pid).definition_id)
    target = next(e.id for e in shape.elements.values() if e.type == "userTask" and e.id != current)
    moved = _post(owner, f"/proses/{pid}/pindah", page, {"langkah": target, "alasan": "dokumen sudah lengkap"})
    assert moved.status_code == 302
    assert _steps(ctx, pid) == [target]
    assert "Proses dipindahkan" in text(owner.get(page))
    bad = _post(owner, f"/proses/{pid}/pindah", page, {"langkah": "Tidak_Ada"})
    assert bad.status_code == 302 and _steps(ctx, pid) == [target]
    assert "tidak dapat dipindahkan" in text(owner.get(page))

    assert _post(owner, f"/proses/{pid}/batalkan", page, {"alasan": ""}).status_code == 302
    assert get_instance(ctx, pid).state == "ACTIVE"          # a reason is required
    assert _post(owner, f"/proses/{pid}/batalkan", page, {"alasan": "paket dibatalkan"}).status_code == 302
    assert get_instance(ctx, pid).state == "CANCELLED"


TIMED = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://alur.test">
  <bpmn:process id="cek_waktu" name="Cek waktu" isExecutable="true">
    <bpmn:startEvent id="mulai"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="periksa"/>
    <bpmn:userTask id="periksa" name="Periksa berkas" camunda:candidateGroups="PPK">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="mutu.waktu" value="P1D"/></camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="periksa" targetRef="akhir"/>
    <bpmn:endEvent id="akhir"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_late_instances_are_flagged_and_listed_first_for_owners(make_client: Any, ctx: Any, clock: Any) -> None:
    deploy(ctx, [("cek_waktu.bpmn", TIMED)], tenant="pagaralam")
    pid = start_instance(ctx, key="cek_waktu", tenant="pagaralam", business_key="RUP-LAMBAT", user="ppk.pagaralam").id
    task, = query_tasks(ctx, TaskQuery(instance_id=pid))
    assert task.due is not None, "the step's SOP time (mutu.waktu) gives it a due date"
    owner = _client(make_client, "pemilik-proses.pagaralam")
    assert "Perlu perhatian" not in text(owner.get("/proses"))
    clock.advance(task.due - clock.now() + timedelta(hours=1))
    listing = text(owner.get("/proses"))
    assert "Perlu perhatian" in listing and "melewati waktu SOP" in listing
    assert listing.index("Perlu perhatian") < listing.index("<table")
    assert "melewati waktu SOP" in text(owner.get("/model"))
    staff = text(_client(make_client, "ppk.pagaralam").get("/proses"))
    assert "Perlu perhatian" not in staff


def test_migration_dialog_validates_and_runs_a_batch_with_progress(make_client: Any, ctx: Any) -> None:
    ids = [_started(make_client, ctx, f"RUP-MIG-{i}") for i in range(3)]
    v1 = get_instance(ctx, ids[0]).definition_id
    _view, xml = definition_xml(ctx, "process", definition_id=v1)
    deploy(ctx, [(f"{KEY}.bpmn", xml.replace('name="', 'name="v2 ', 1).encode())], tenant="pagaralam")
    v2 = [d for d in list_definitions(ctx, "process", key=KEY, tenant="pagaralam")][-1].id
    assert v2 != v1
    owner = _client(make_client, "pemilik-proses.pagaralam")
    assert f"/model/proses/{v1}/migrasi" in text(owner.get("/model"))
    url = f"/model/proses/{v1}/migrasi"
    page = text(owner.get(url))
    current = _steps(ctx, ids[0])[0]
    assert re.search(rf'name="peta__{current}".*?<option value="{current}" selected', page, re.S)
    form = {"ke": v2, "pilihan": "semua", f"peta__{current}": current}
    checked = text(_post(owner, url, url, {**form, "aksi": "periksa"}))
    assert "3 proses diperiksa; 0 tidak dapat dimigrasikan." in checked
    unmapped = text(_post(owner, url, url, {"ke": v2, "pilihan": "semua", "aksi": "periksa"}))
    assert "3 proses diperiksa; 3 tidak dapat dimigrasikan." in unmapped and "not mapped" in unmapped
    started = _post(owner, url, url, {**form, "aksi": "mulai", "alasan": "SOP baru"})
    assert started.status_code == 302
    batch_url = started.headers["Location"]
    batch_id = batch_url.rstrip("/").rsplit("/", 1)[-1]
    assert "progressbar" in text(owner.get(batch_url))
    assert owner.get(f"/batch/{batch_id}/status").get_json()["percent"] == 0
    assert _client(make_client, "ppk.pagaralam").get(f"/batch/{batch_id}/status").status_code == 403
    batches.run_to_end(ctx, batch_id)
    status = owner.get(f"/batch/{batch_id}/status").get_json()
    assert (status["percent"], status["completed"], status["ended"]) == (100, 3, True)
    assert {get_instance(ctx, i).definition_id for i in ids} == {v2}


STUCK = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://alur.test">
  <bpmn:process id="cek_batas" name="Cek batas" isExecutable="true">
    <bpmn:startEvent id="mulai"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="Tunggu"/>
    <bpmn:intermediateCatchEvent id="Tunggu">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Tunggu" targetRef="Cek"/>
    <bpmn:exclusiveGateway id="Cek" name="Di atas batas?"/>
    <bpmn:sequenceFlow id="ya" sourceRef="Cek" targetRef="Tinjau">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${batas + 1 &gt; 5}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="tidak" sourceRef="Cek" targetRef="akhir">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${batas + 1 &lt;= 5}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:userTask id="Tinjau" name="Tinjau" camunda:candidateGroups="PPK"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Tinjau" targetRef="akhir"/>
    <bpmn:endEvent id="akhir"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_owner_retries_an_incident_with_changed_values(make_client: Any, ctx: Any, clock: Any) -> None:
    from service.ops.timers import fire_due_timers

    deploy(ctx, [("cek_batas.bpmn", STUCK)], tenant="pagaralam")
    pid = start_instance(ctx, key="cek_batas", tenant="pagaralam", variables={"batas": "bukan angka"},
                         user="ppk.pagaralam").id
    clock.advance(timedelta(hours=2))
    assert fire_due_timers(ctx).failures == 1
    owner = _client(make_client, "pemilik-proses.pagaralam")
    page = f"/proses/{pid}"
    shown = text(owner.get(page))
    assert "Insiden" in shown and 'name="var__batas"' in shown
    assert re.search(r"data-incidents='[^']*Cek", shown)          # the failing gateway marked on the diagram
    incident_id = re.search(r'/insiden/([0-9a-f-]+)/ulangi', shown).group(1)   # type: ignore[union-attr]
    again = _post(owner, f"/proses/{pid}/insiden/{incident_id}/ulangi", page, {"var__batas": "masih salah"})
    assert again.status_code == 302
    failed = text(owner.get(page))
    assert "Percobaan ulang gagal" in failed and "masih salah" in failed     # the new message, still open
    assert get_instance(ctx, pid, with_variables=True).variables == {"batas": "bukan angka"}   # rolled back
    retried = _post(owner, f"/proses/{pid}/insiden/{incident_id}/ulangi", page, {"var__batas": "10"})
    assert retried.status_code == 302
    after = text(owner.get(page))
    assert "Percobaan ulang dijalankan" in after, re.findall(r"class=\"flash[^>]*>([^<]*)", after)
    state = get_instance(ctx, pid, with_variables=True, with_active=True)
    assert _steps(ctx, pid) == ["Tinjau"], (state.state, state.variables, state.active_elements)
    assert state.variables == {"batas": "10"}


FIXED = STUCK.replace(b"${batas + 1 &gt; 5}", b"${true}").replace(b"${batas + 1 &lt;= 5}", b"${false}")


def test_stuck_instance_recovered_through_the_pages(make_client: Any, ctx: Any, clock: Any) -> None:
    """The story of issue 14: an instance stuck on a broken version (incident) is migrated on the migration
    page (only those with incidents) to the fixed version, retried from its page, and completes."""
    from service.ops import complete_task
    from service.ops.timers import fire_due_timers

    deploy(ctx, [("cek_batas.bpmn", STUCK)], tenant="pagaralam")
    stuck = start_instance(ctx, key="cek_batas", tenant="pagaralam", variables={"batas": "x"}, user="ppk.pagaralam")
    fine = start_instance(ctx, key="cek_batas", tenant="pagaralam", variables={"batas": "1"}, user="ppk.pagaralam")
    clock.advance(timedelta(minutes=30))
    later = start_instance(ctx, key="cek_batas", tenant="pagaralam", variables={"batas": "x"}, user="ppk.pagaralam")
    clock.advance(timedelta(minutes=45))
    assert fire_due_timers(ctx).failures == 1          # `fine` ended, `later` waits, `stuck` has an incident
    assert get_instance(ctx, fine.id).state == "COMPLETED"
    v1 = get_instance(ctx, stuck.id).definition_id
    deploy(ctx, [("cek_batas.bpmn", FIXED)], tenant="pagaralam")
    v2 = [d for d in list_definitions(ctx, "process", key="cek_batas", tenant="pagaralam")][-1].id
    owner = _client(make_client, "pemilik-proses.pagaralam")
    listing = text(owner.get("/proses"))
    assert listing.index("Perlu perhatian") < listing.index("insiden") < listing.index("<table")
    url = f"/model/proses/{v1}/migrasi"
    started = _post(owner, url, url, {"ke": v2, "pilihan": "insiden", "peta__Tunggu": "Tunggu", "aksi": "mulai"})
    assert started.status_code == 302
    batch_id = started.headers["Location"].rsplit("/", 1)[-1]
    assert batches.run_to_end(ctx, batch_id).completed == 1
    assert get_instance(ctx, stuck.id).definition_id == v2
    assert get_instance(ctx, later.id).definition_id == v1              # not selected: no incident
    page = f"/proses/{stuck.id}"
    incident_id = re.search(r'/insiden/([0-9a-f-]+)/ulangi', text(owner.get(page))).group(1)   # type: ignore[union-attr]
    assert _post(owner, f"/proses/{stuck.id}/insiden/{incident_id}/ulangi", page).status_code == 302
    assert "Perlu perhatian" not in text(owner.get("/proses"))
    task, = query_tasks(ctx, TaskQuery(instance_id=stuck.id))
    complete_task(ctx, task.id, {})
    assert get_instance(ctx, stuck.id).state == "COMPLETED"
