"""Process-owner pages: definitions, the BPMN and DMN edit-and-deploy flow, versions, and who may use them."""
from __future__ import annotations

import io
import re

from service.ops import TaskQuery, get_instance, list_definitions, query_tasks

from .support import KEY, STEP_2_VALID, STEP_3_VALID, complete, csrf, login, start, step_4, task_links, text


def _owner(make_client, user="pemilik-proses.pagaralam"):
    client = make_client()
    login(client, user)
    return client


def _latest_id(ctx, kind, key, tenant="pagaralam"):
    return [d for d in list_definitions(ctx, kind, key=key, tenant=tenant)][-1].id


def _deploy(client, kind, definition_id, xml: bytes):
    url = f"/model/{kind}/{definition_id}/ubah"
    token = csrf(client, url)
    return client.post(f"/model/{kind}/{definition_id}/deploy",
                       data={"csrf_token": token, "resource": (io.BytesIO(xml), "model.xml")},
                       content_type="multipart/form-data")


def test_definitions_page_lists_versions_for_process_owners_only(make_client, ctx):
    owner = _owner(make_client)
    page = text(owner.get("/model"))
    assert KEY in page and "kelengkapan_dpp" in page
    assert "Ubah diagram" in page and "Ubah tabel" in page
    assert "mojokerto" not in page
    for user in ("ppk.pagaralam", "pokja-pemilihan.pagaralam"):
        assert _owner(make_client, user).get("/model").status_code == 403
    definition_id = _latest_id(ctx, "process", KEY)
    other = _owner(make_client, "pemilik-proses.mojokerto")
    for url in (f"/model/proses/{definition_id}/ubah", f"/model/proses/{definition_id}/xml"):
        assert other.get(url).status_code == 403
        assert owner.get(url).status_code == 200
    assert _deploy(other, "proses", definition_id, b"<x/>").status_code == 403
    assert owner.get("/model/proses/tidak-ada/ubah").status_code == 403
    assert owner.get(f"/model/lain/{definition_id}/ubah").status_code == 403


def test_modeler_page_carries_the_editor_contract(make_client, ctx):
    owner = _owner(make_client)
    definition_id = _latest_id(ctx, "process", KEY)
    page = text(owner.get(f"/model/proses/{definition_id}/ubah"))
    assert "data-bpmn-modeler" in page and "data-deploy-url" in page and "data-csrf-token" in page
    assert "vendor/bpmn-modeler.js" in page and "data-canvas" in page and "data-properties" in page
    page = text(owner.get(f"/model/keputusan/{_latest_id(ctx, 'decision', 'kelengkapan_dpp')}/ubah"))
    assert "data-dmn-editor" in page and 'data-decision-key="kelengkapan_dpp"' in page
    # the rules' annotations (legal basis), which dmn-js does not display, are listed beside the table
    assert "<code>Rule_dpp_sk_ppk</code>" in page and "SOP Persiapan Pemilihan Penyedia Kota Pagar Alam" in page


def test_bpmn_edit_deploys_a_new_version_running_instances_keep_theirs(make_client, ctx):
    ppk = make_client()
    login(ppk, "ppk.pagaralam")
    first_task = start(ppk, "LAMA").location
    owner = _owner(make_client)
    v1 = _latest_id(ctx, "process", KEY)
    xml = owner.get(f"/model/proses/{v1}/xml").data
    edited = xml.replace(b'name="2. Menyampaikan permintaan pemilihan penyedia"',
                         b'name="2. Menyampaikan permintaan pemilihan (revisi)"')
    assert edited != xml
    response = _deploy(owner, "proses", v1, edited)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["ok"] and body["version"] == 2
    assert _latest_id(ctx, "process", KEY) == body["definitionId"] != v1
    # the running instance keeps version 1 and its step name
    instance_id = query_tasks(ctx, TaskQuery(task_id=first_task.rsplit("/", 1)[1]))[0].instance_id
    assert get_instance(ctx, instance_id).definition_id == v1
    assert "Menyampaikan permintaan pemilihan penyedia" in text(ppk.get(first_task))
    # a new start uses version 2
    new_task = start(ppk, "BARU").location
    assert "(revisi)" in text(ppk.get(new_task))
    assert "/mulai/" + v1 not in text(ppk.get("/mulai"))
    # an old definition id cannot be used to start the old version
    assert ppk.get("/mulai/" + v1).status_code == 200
    assert "v2" in text(ppk.get("/mulai/" + v1)) or "<strong>2</strong>" in text(ppk.get("/mulai/" + v1))


def test_bpmn_deploy_error_names_the_element(make_client, ctx):
    owner = _owner(make_client)
    v1 = _latest_id(ctx, "process", KEY)
    xml = owner.get(f"/model/proses/{v1}/xml").data
    broken = xml.replace(b"${reviu_dpp.hasil_reviu == 'lengkap'}", b"${reviu_dpp.hasil_reviu ==}")
    response = _deploy(owner, "proses", v1, broken)
    assert response.status_code == 400
    body = response.get_json()
    assert not body["ok"]
    assert "Flow_Gateway_cek_kelengkapan_dpp_Task_saran_6" in body["message"]   # to the advice before step 6
    assert _latest_id(ctx, "process", KEY) == v1
    assert _deploy(owner, "proses", v1, b"").status_code == 400
    renamed = xml.replace(f'id="{KEY}"'.encode(), b'id="lain"')
    response = _deploy(owner, "proses", v1, renamed)
    assert response.status_code == 400 and KEY in response.get_json()["message"]


def test_dmn_edit_changes_the_rule_for_new_instances(make_client, ctx):
    owner = _owner(make_client)
    d1 = _latest_id(ctx, "decision", "kelengkapan_dpp")
    xml = owner.get(f"/model/keputusan/{d1}/xml").data
    # Rule 1 (SK PPK missing -> "tidak lengkap") now accepts the package as complete.
    edited = re.sub(rb'(<outputEntry id="Rule_dpp_sk_ppk_out1">\s*<text>)(?:&quot;|")tidak lengkap(?:&quot;|")',
                    rb'\1"lengkap"', xml)
    assert edited != xml
    response = _deploy(owner, "keputusan", d1, edited)
    assert response.status_code == 200 and response.get_json()["version"] == 2
    ppk = make_client()
    login(ppk, "ppk.pagaralam")
    complete(ppk, start(ppk).location, STEP_2_VALID)
    kepala = make_client()
    login(kepala, "kepala-ukpbj.pagaralam")
    complete(kepala, task_links(kepala)[0], STEP_3_VALID)
    pokja = make_client()
    login(pokja, "pokja-pemilihan.pagaralam")
    answers = step_4("sesuai")
    answers["dpp_sk_ppk"] = "tidak_ada"
    complete(pokja, task_links(pokja)[0], answers)
    # With version 1 this goes back to the PPK (step 5); with the edit it goes on to the Pokja (step 6).
    assert "Menetapkan metode pemilihan" in text(pokja.get("/"))
    assert "Memperbaiki Dokumen" not in text(ppk.get("/"))


def test_dmn_deploy_warning_names_the_rule(make_client, ctx):
    owner = _owner(make_client)
    d1 = _latest_id(ctx, "decision", "kelengkapan_dpp")
    xml = owner.get(f"/model/keputusan/{d1}/xml").data
    broken = re.sub(rb"<text>not\((&quot;|\")sesuai(&quot;|\")\)</text>", rb"<text>not(\1sesuai\2</text>", xml, count=1)
    assert broken != xml
    response = _deploy(owner, "keputusan", d1, broken)
    # a decision that does not compile deploys with a warning naming the rule (it answers null when run)
    assert response.status_code == 200
    body = response.get_json()
    assert "Rule_dpp_sk_ppk" in body["message"] and "Peringatan" in body["message"]
    assert len(body["warnings"]) == 1 and "Rule_dpp_sk_ppk" in body["warnings"][0]
