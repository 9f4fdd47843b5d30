"""Start forms from camunda:formField, list pagination, conditional fields without JavaScript, and documents
that only stay when their step is completed."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from service.forms import parse_camunda_form
from service.forms.start_fields import start_form_fields
from service.ops import TaskQuery, deploy, query_tasks
from service.ops.documents import (
    PENDING_SUFFIX,
    DocumentPolicy,
    Upload,
    list_documents,
    step_documents,
)
from service.web.pagination import paginate
from service.web.reveal import newly_shown, posted_hidden

from .support import csrf, login, text

PDF = b"%PDF-1.4 test document\n"
INLINE_KEY = "uji_formulir_awal"

INLINE_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_uji" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{INLINE_KEY}" name="Uji Formulir Awal" isExecutable="true">
    <bpmn:laneSet id="LaneSet_uji">
      <bpmn:lane id="Lane_PPK" name="PPK">
        <bpmn:flowNodeRef>Mulai</bpmn:flowNodeRef><bpmn:flowNodeRef>Periksa</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Selesai</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Mulai" name="Mulai">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="judul_surat" label="Judul surat" type="string">
            <camunda:validation><camunda:constraint name="required"/>
              <camunda:constraint name="maxlength" config="40"/></camunda:validation>
          </camunda:formField>
          <camunda:formField id="jumlah_paket" label="Jumlah paket" type="long">
            <camunda:validation><camunda:constraint name="min" config="1"/></camunda:validation>
          </camunda:formField>
          <camunda:formField id="sifat" label="Sifat" type="enum" defaultValue="biasa">
            <camunda:value id="biasa" name="Biasa"/><camunda:value id="segera" name="Segera"/>
          </camunda:formField>
        </camunda:formData>
      </bpmn:extensionElements>
      <bpmn:outgoing>F1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Mulai" targetRef="Periksa"/>
    <bpmn:userTask id="Periksa" name="Periksa usulan" camunda:candidateGroups="PPK"
                   camunda:formRef="uji-periksa" camunda:formRefBinding="latest">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Periksa" targetRef="Selesai"/>
    <bpmn:endEvent id="Selesai"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
""".encode()

CHECK_FORM = {
    "id": "uji-periksa", "type": "default", "schemaVersion": 16,
    "components": [
        {"id": "F_hasil", "key": "hasil", "type": "radio", "label": "Hasil pemeriksaan",
         "values": [{"label": "Sesuai", "value": "sesuai"}, {"label": "Perlu perbaikan", "value": "perbaikan"}],
         "validate": {"required": True}},
        {"id": "F_catatan", "key": "catatan_perbaikan", "type": "textarea", "label": "Catatan perbaikan",
         "conditional": {"hide": '=not(hasil = "perbaikan")'}},
    ],
}


@pytest.fixture
def inline_model(ctx):
    deploy(ctx, [("uji.bpmn", INLINE_BPMN), ("uji-periksa.form", json.dumps(CHECK_FORM).encode())],
           name="uji", tenant="pagaralam")
    return INLINE_KEY


def _ppk(make_client):
    client = make_client()
    login(client, "ppk.pagaralam")
    return client


def _start_url(client) -> str:
    links = [u for u in re.findall(r'href="(/mulai/[^"]+)"', text(client.get("/mulai"))) if INLINE_KEY in u]
    assert links, "the inline-form process is not startable"
    return links[0]


def _start(client, **fields):
    url = _start_url(client)
    data = {"csrf_token": csrf(client, url), "business_key": "UJI-1", **fields}
    return url, client.post(url, data=data)


# --- start event camunda:formField ------------------------------------------------------------------------

def test_start_form_fields_are_read_from_the_none_start_event():
    fields = start_form_fields(INLINE_BPMN, INLINE_KEY)
    assert [f["id"] for f in fields] == ["judul_surat", "jumlah_paket", "sifat"]
    assert {"name": "maxlength", "config": "40"} in fields[0]["validation"]
    assert fields[2]["values"] == [{"id": "biasa", "name": "Biasa"}, {"id": "segera", "name": "Segera"}]
    assert start_form_fields(INLINE_BPMN, "another_process") == []
    assert start_form_fields(b"<not xml", INLINE_KEY) == []


def test_start_page_renders_and_validates_inline_start_fields(make_client, ctx, inline_model):
    client = _ppk(make_client)
    url = _start_url(client)
    page = text(client.get(url))
    for label in ("Judul surat", "Jumlah paket", "Sifat"):
        assert label in page
    assert 'id="f-judul_surat"' in page and '<option value="segera"' in page
    assert 'min="1"' in page and 'maxlength="40"' in page
    _url, bad = _start(client, judul_surat="", jumlah_paket="0", sifat="segera")
    assert bad.status_code == 422
    body = text(bad)
    assert 'class="field-error"' in body and 'value="0"' in body
    assert not query_tasks(ctx, TaskQuery(definition_key=INLINE_KEY))
    _url, ok = _start(client, judul_surat="Surat usulan", jumlah_paket="3", sifat="segera")
    assert ok.status_code == 302
    task = query_tasks(ctx, TaskQuery(definition_key=INLINE_KEY))[0]
    from service.ops import get_variables
    variables = get_variables(ctx, task.instance_id)
    assert variables["judul_surat"] == "Surat usulan" and variables["jumlah_paket"] == 3
    assert variables["sifat"] == "segera"


# --- conditional fields without JavaScript ----------------------------------------------------------------

def test_newly_shown_names_fields_a_choice_uncovers():
    form = parse_camunda_form(CHECK_FORM)
    assert newly_shown(form, {"hasil": "perbaikan"}, None, {"catatan_perbaikan"}) == ["catatan_perbaikan"]
    assert newly_shown(form, {"hasil": "sesuai"}, None, {"catatan_perbaikan"}) == []
    assert newly_shown(form, {"hasil": "perbaikan"}, None, set()) == []
    assert posted_hidden(["a b", " c "]) == {"a", "b", "c"}


def _open_task(client, ctx):
    _start(client, judul_surat="Surat", jumlah_paket="1", sifat="biasa")
    task = query_tasks(ctx, TaskQuery(definition_key=INLINE_KEY))[0]
    return task, f"/tugas/{task.id}"


def test_a_revealed_field_comes_back_to_the_user_without_javascript(make_client, ctx, inline_model):
    client = _ppk(make_client)
    task, url = _open_task(client, ctx)
    page = text(client.get(url))
    # Rendered hidden (nothing chosen yet) and listed as such for the server.
    assert re.search(r'data-hidden="true"\s+data-hide-if=', page)
    assert 'name="_alur_hidden" value="catatan_perbaikan"' in page
    assert "conditions.js" in page         # progressive enhancement only; the form works without it
    posted = client.post(url, data={"csrf_token": csrf(client, url), "hasil": "perbaikan",
                                    "_alur_hidden": "catatan_perbaikan"})
    assert posted.status_code == 422
    body = text(posted)
    assert "Pilihan Anda memunculkan isian tambahan: Catatan perbaikan" in body
    assert "Periksa kembali isian Anda" not in body          # information, not an error
    assert 'name="_alur_hidden" value=""' in body and 'data-hidden="true"' not in body
    assert query_tasks(ctx, TaskQuery(instance_id=task.instance_id))     # still open
    done = client.post(url, data={"csrf_token": csrf(client, url), "hasil": "perbaikan", "_alur_hidden": "",
                                  "catatan_perbaikan": "Lengkapi HPS"})
    assert done.status_code == 302
    assert not query_tasks(ctx, TaskQuery(instance_id=task.instance_id))


def test_a_choice_that_keeps_the_field_hidden_completes_at_once(make_client, ctx, inline_model):
    client = _ppk(make_client)
    task, url = _open_task(client, ctx)
    done = client.post(url, data={"csrf_token": csrf(client, url), "hasil": "sesuai",
                                  "_alur_hidden": "catatan_perbaikan"})
    assert done.status_code == 302
    assert not query_tasks(ctx, TaskQuery(instance_id=task.instance_id))


# --- documents are kept only with a completed step --------------------------------------------------------

def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_step_documents_keep_files_only_when_the_block_succeeds(ctx, tmp_path):
    policy = DocumentPolicy(root=tmp_path / "docs")
    upload = Upload("output", "Berita acara", "ba.pdf", PDF)
    with pytest.raises(RuntimeError), step_documents(ctx, policy, instance_id="inst-1", tenant_id="pagaralam",
                                                     uploads=[upload], user="ppk.pagaralam") as stored:
        # Pending documents are committed (the block may reference their ids) but never listed.
        assert len(stored) == 1 and list_documents(ctx, "inst-1") == []
        assert [p.name.endswith(PENDING_SUFFIX) for p in _files(policy.root)] == [True]
        raise RuntimeError("completion failed")
    assert list_documents(ctx, "inst-1") == [] and _files(policy.root) == []
    with step_documents(ctx, policy, instance_id="inst-1", tenant_id="pagaralam", uploads=[upload],
                        user="ppk.pagaralam") as stored:
        pass
    files = _files(policy.root)
    listed = list_documents(ctx, "inst-1")
    assert [d.id for d in listed] == [stored[0].id]
    assert [p.name for p in files] == [listed[0].stored_name] and files[0].read_bytes() == PDF
    assert not listed[0].stored_name.endswith(PENDING_SUFFIX)


@pytest.mark.parametrize("failure", ["ops", "crash"])
def test_a_failed_completion_leaves_no_document_behind(make_client, ctx, app, inline_model, monkeypatch, failure):
    from service.ops.errors import OperationFailed
    from service.web.settings import document_policy

    client = _ppk(make_client)
    task, url = _open_task(client, ctx)

    def broken(*_a, **_kw):
        if failure == "ops":
            raise OperationFailed("model failed", pesan="Model gagal dijalankan")
        raise RuntimeError("database went away")

    monkeypatch.setattr("service.web.views.task_page.complete_task", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    data = {"csrf_token": csrf(client, url), "hasil": "sesuai", "doc_output": (io.BytesIO(PDF), "hasil.pdf")}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == (422 if failure == "ops" else 500)
    if failure == "ops":
        assert "Model gagal dijalankan" in text(response) and "Berkas belum disimpan" in text(response)
    assert list_documents(ctx, task.instance_id) == []
    root = document_policy(app.config).root
    assert not Path(root).exists() or _files(Path(root)) == []


# --- pagination -------------------------------------------------------------------------------------------

def test_paginate_clamps_pages_and_sizes():
    rows = list(range(60))
    first = paginate(rows, {})
    assert first.items == rows[:25] and first.pages == 3 and not first.has_prev and first.has_next
    last = paginate(rows, {"halaman": "99"})
    assert last.number == 3 and last.items == rows[50:] and (last.first_index, last.last_index) == (51, 60)
    assert paginate(rows, {"halaman": "x", "per": "-4"}).number == 1
    assert paginate(rows, {"per": "100000"}).per_page == 200
    empty = paginate([], {"halaman": "3"})
    assert empty.number == 1 and empty.pages == 1 and empty.first_index == 0


def test_task_and_instance_lists_are_paged(make_client, ctx, inline_model):
    client = _ppk(make_client)
    for n in range(3):
        url = _start_url(client)
        client.post(url, data={"csrf_token": csrf(client, url), "business_key": f"PAGED-{n}",
                               "judul_surat": "Surat", "sifat": "biasa"})
    page1 = text(client.get("/?per=2"))
    assert "Halaman 1 dari 2" in page1 and "Berikutnya" in page1 and page1.count("PAGED-") == 2
    nxt = re.search(r'href="([^"]*halaman=2[^"]*)"', page1).group(1).replace("&amp;", "&")
    assert "per=2" in nxt
    page2 = text(client.get(nxt))
    assert "Halaman 2 dari 2" in page2 and page2.count("PAGED-") == 1 and 'rel="prev"' in page2
    assert "Halaman" not in text(client.get("/"))          # one page: no pager
    instances = text(client.get("/proses?per=1"))
    assert "Halaman 1 dari 3" in instances and instances.count("PAGED-") == 1
    assert "Langkah saat ini" in instances and "<td>Periksa usulan</td>" in instances


# --- instance page readability ----------------------------------------------------------------------------

def test_variables_read_as_text_not_json(app):
    from service.web.filters import fmt_value
    with app.test_request_context("/"):
        assert fmt_value([]) == "—"
        assert fmt_value(["SK PPK", "RUP"]) == "SK PPK; RUP"
        assert fmt_value([{"dokumen": "d1", "nama": "ba.pdf"}, {"dokumen": "d2", "nama": "sk.pdf"}]) == "ba.pdf; sk.pdf"
        assert fmt_value({"hasil": "lengkap", "ok": True}) == "hasil: lengkap · ok: ya"
        assert fmt_value({"a": [1]}) == '{"a": [1]}'


def test_history_does_not_repeat_the_step_number(make_client, ctx, inline_model):
    from .support import STEP_2_VALID, complete, start
    client = _ppk(make_client)
    # The SOP process: step 2 is named "2. Menyampaikan ..." and its number has its own column.
    complete(client, start(client).location, STEP_2_VALID)
    instance_link = re.findall(r'href="(/proses/[0-9a-f-]+)"', text(client.get("/proses")))[0]
    page = text(client.get(instance_link))
    assert re.search(r'<td class="num">2</td><td>Menyampaikan permintaan', page)


def test_task_form_leaves_out_the_intro_the_context_card_shows(make_client):
    from .support import start
    client = _ppk(make_client)
    page = text(client.get(start(client).location))
    assert "Uraian Kegiatan" in page and "Nilai HPS" in page
    assert "<strong>2. Menyampaikan permintaan pemilihan penyedia</strong>" not in page


def test_long_lane_names_make_user_names_cut_at_a_word():
    from service.ops.users import _shorten
    assert _shorten("pemilik-resiko-pa-ppk-kepala-bagian-pbj-pokja-pemilihan", 53) == \
        "pemilik-resiko-pa-ppk-kepala-bagian-pbj-pokja"
    assert _shorten("ppk", 53) == "ppk" and _shorten("a" * 70, 53) == "a" * 53


def test_upload_problems_are_worded_in_the_page_language(app, tmp_path):
    from flask import session
    from flask_babel import refresh

    from service.ops.documents import check_upload
    from service.web.views.task_page import upload_message
    policy = DocumentPolicy(root=tmp_path)
    fake = Upload("output", "BA", "ba.pdf", b"not a pdf")
    assert check_upload(policy, fake) == "ba.pdf: isi berkas tidak sesuai dengan jenisnya (.pdf)"
    with app.test_request_context("/"):
        assert upload_message(policy, fake) == "ba.pdf: isi berkas tidak sesuai dengan jenisnya (.pdf)"
        session["lang"] = "en"
        refresh()                       # Flask-Babel keeps the request's locale once asked
        assert upload_message(policy, fake) == "ba.pdf: the content does not match its type (.pdf)"
        assert upload_message(policy, Upload("output", "BA", "x.exe", b"MZ")).startswith(
            "x.exe: this file type is not allowed")
        assert upload_message(policy, Upload("output", "BA", "ok.pdf", PDF)) is None


def test_admin_user_list_filters_and_pages(make_client):
    admin = make_client()
    login(admin, "admin")
    page = text(admin.get("/admin/pengguna?instansi=mojokerto"))
    assert "ppk.mojokerto" in page and "ppk.pagaralam" not in page
    found = text(admin.get("/admin/pengguna?cari=pokja"))
    assert "pokja-pemilihan.pagaralam" in found and "ppk.pagaralam" not in found
    paged = text(admin.get("/admin/pengguna?per=2"))
    assert "Halaman 1 dari" in paged and 'rel="next"' in paged


def test_a_finished_or_foreign_task_reads_the_same_and_explains(make_client, ctx, inline_model):
    client = _ppk(make_client)
    task, url = _open_task(client, ctx)
    client.post(url, data={"csrf_token": csrf(client, url), "hasil": "sesuai", "_alur_hidden": ""})
    client.get("/")                     # shows (and so clears) the "step completed" message
    done = client.get(url)
    missing = client.get("/tugas/00000000-0000-0000-0000-000000000000")
    assert done.status_code == missing.status_code == 403
    def main(r):
        return text(r).split("<main", 1)[1]
    assert "Tugas tidak tersedia" in main(done) and main(done) == main(missing)


def test_instance_list_filters_by_sop(make_client, ctx, inline_model):
    from .support import start
    client = _ppk(make_client)
    start(client, business_key="SOP-LAIN")
    _start(client, judul_surat="Surat", sifat="biasa")
    both = text(client.get("/proses"))
    assert "SOP-LAIN" in both and "UJI-1" in both and 'id="sop"' in both
    only = text(client.get(f"/proses?sop={INLINE_KEY}"))
    assert "UJI-1" in only and "SOP-LAIN" not in only
    assert f"semua=1&amp;sop={INLINE_KEY}" in only        # the "show finished too" link keeps the filter
