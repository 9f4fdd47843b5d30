"""The start page: start forms from camunda:formField, and which version of a process a start link starts."""
from __future__ import annotations

from service.forms.start_fields import start_form_fields
from service.ops import TaskQuery, deploy, list_instances, query_tasks

from .support import INLINE_BPMN, INLINE_KEY, inline_start_url, lane_model, login, post, ppk_client, start_inline, text


def test_start_form_fields_are_read_from_the_none_start_event():
    fields = start_form_fields(INLINE_BPMN, INLINE_KEY)
    assert [f["id"] for f in fields] == ["judul_surat", "jumlah_paket", "sifat"]
    assert {"name": "maxlength", "config": "40"} in fields[0]["validation"]
    assert fields[2]["values"] == [{"id": "biasa", "name": "Biasa"}, {"id": "segera", "name": "Segera"}]
    assert start_form_fields(INLINE_BPMN, "another_process") == []
    assert start_form_fields(b"<not xml", INLINE_KEY) == []


def test_start_page_renders_and_validates_inline_start_fields(make_client, ctx, inline_model):
    client = ppk_client(make_client)
    url = inline_start_url(client)
    page = text(client.get(url))
    for label in ("Judul surat", "Jumlah paket", "Sifat"):
        assert label in page
    assert 'id="f-judul_surat"' in page and '<option value="segera"' in page
    assert 'min="1"' in page and 'maxlength="40"' in page
    _url, bad = start_inline(client, judul_surat="", jumlah_paket="0", sifat="segera")
    assert bad.status_code == 422
    body = text(bad)
    assert 'class="field-error"' in body and 'value="0"' in body
    assert not query_tasks(ctx, TaskQuery(definition_key=INLINE_KEY))
    _url, ok = start_inline(client, judul_surat="Surat usulan", jumlah_paket="3", sifat="segera")
    assert ok.status_code == 302
    task = query_tasks(ctx, TaskQuery(definition_key=INLINE_KEY))[0]
    from service.ops import get_variables
    variables = get_variables(ctx, task.instance_id)
    assert variables["judul_surat"] == "Surat usulan" and variables["jumlah_paket"] == 3
    assert variables["sifat"] == "segera"


def test_old_version_id_does_not_start_a_latest_version_whose_start_lane_moved(small_app):
    ctx = small_app.extensions["alur"].ops
    v1 = deploy(ctx, [("p.bpmn", lane_model("PPK"))], name="a", tenant="t").processes[0]
    deploy(ctx, [("p.bpmn", lane_model("Pokja"))], name="b", tenant="t")
    client = small_app.test_client()
    login(client, "ppk")
    assert post(client, f"/mulai/{v1.id}", {"business_key": "X"}).status_code == 403
    assert list_instances(ctx, tenant="t") == []


def test_latest_version_is_still_started_when_the_lane_stays(small_app):
    ctx = small_app.extensions["alur"].ops
    v1 = deploy(ctx, [("p.bpmn", lane_model("PPK"))], name="a", tenant="t").processes[0]
    v2 = deploy(ctx, [("p.bpmn", lane_model("PPK").replace(b"Kerja", b"Kerja 2"))], name="b", tenant="t").processes[0]
    client = small_app.test_client()
    login(client, "ppk")
    assert post(client, f"/mulai/{v1.id}", {"business_key": "X"}).status_code == 302
    assert [i.definition_id for i in list_instances(ctx, tenant="t")] == [v2.id]
