"""The instance page (diagram data, timeline, variables, decisions, documents) and document downloads."""
from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

from .support import STEP_2_VALID, STEP_3_VALID, complete, login, ppk_client, start, step_4, task_links, text


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _through_review(make_client, review_value="sesuai"):
    ppk = make_client()
    login(ppk, "ppk.pagaralam")
    task_url = start(ppk).location
    files = {"doc_k1": (io.BytesIO(PDF), "SK PPK.pdf"), "berkas_output_2": (io.BytesIO(PDF), "surat.pdf")}
    response = complete(ppk, task_url, {**STEP_2_VALID, **files}, content_type="multipart/form-data")
    assert response.status_code == 302, text(response)[:2000]
    kepala = make_client()
    login(kepala, "kepala-ukpbj.pagaralam")
    complete(kepala, task_links(kepala)[0], STEP_3_VALID)
    pokja = make_client()
    login(pokja, "pokja-pemilihan.pagaralam")
    complete(pokja, task_links(pokja)[0], step_4(review_value))
    instance_url = re.search(r'href="(/proses/[0-9a-f-]+)"', text(ppk.get("/proses"))).group(1)
    return ppk, kepala, pokja, instance_url


def test_instance_page_shows_history_variables_decision_and_documents(make_client, app):
    ppk, _, _, url = _through_review(make_client)
    page = text(ppk.get(url))
    assert "SOP Persiapan Pemilihan Penyedia" in page
    for step in ("Menyampaikan permintaan pemilihan penyedia", "Menetapkan Pokja Pemilihan",
                 "Mereviu Dokumen Persiapan Pengadaan"):
        assert step in page
    assert "ppk.pagaralam" in page and "kepala-ukpbj.pagaralam" in page and "pokja-pemilihan.pagaralam" in page
    # variables
    assert "<code>nilai_hps</code>" in page and "250.000.000" in page
    # the decision with its matched rule and annotation
    assert "kelengkapan_dpp" in page and "Aturan" in page
    assert "lengkap" in page
    # diagram markers: completed steps and the current token
    viewer = re.search(r"data-completed='([^']*)' data-active='([^']*)'", page)
    completed, active = (json.loads(html.unescape(viewer.group(i))) for i in (1, 2))
    assert {"Step_2", "Step_3", "Step_4"} <= set(completed)
    assert active == ["Step_6"]
    xml = ppk.get(url + "/diagram.bpmn")
    assert xml.status_code == 200 and b"Step_6" in xml.data
    # documents stored outside the database, under the instance folder
    assert "SK PPK.pdf" in page and "surat.pdf" in page
    instance_id = url.rsplit("/", 1)[1]
    folder = Path(app.config["ALUR_DOCUMENTS_PATH"]) / instance_id
    stored = list(folder.iterdir())
    assert len(stored) == 2 and all(p.read_bytes() == PDF for p in stored)


def test_decision_rule_and_annotation_are_shown(make_client):
    ppk, _, _, url = _through_review(make_client, review_value="tidak_ada")
    page = text(ppk.get(url))
    # the SOP runs hasil_kelengkapan_dpp, which sums up the COLLECT table of items: its rule, its annotation and
    # every missing item (here all nine) in the result
    assert "Rule_hasil_kelengkapan_dpp_tidak_lengkap" in page
    assert "dikembalikan kepada PPK untuk diperbaiki" in page
    assert "SK Penetapan PPK belum ada atau tidak sesuai; Surat permohonan" in page
    # the PPK's step 5 shows the whole list at once (the review's FIRST table named only the first item)
    step_5 = text(ppk.get(task_links(ppk)[0]))
    assert "Memperbaiki Dokumen Persiapan Pengadaan" in step_5
    for item in ("SK Penetapan PPK", "HPS", "Rancangan Kontrak", "Analisis pasar"):
        assert f"{item} belum ada atau tidak sesuai" in step_5, item


def test_documents_download_only_for_authorised_users(make_client):
    ppk, kepala, pokja, url = _through_review(make_client)
    page = text(ppk.get(url))
    links = re.findall(r'href="(/dokumen/[0-9a-f-]+)"', page)
    assert len(set(links)) == 2
    for client in (ppk, kepala, pokja):
        response = client.get(links[0])
        assert response.status_code == 200 and response.data == PDF
        assert "attachment" in response.headers["Content-Disposition"]
    for user in ("ppk.mojokerto", "pemilik-proses.mojokerto"):
        other = make_client()
        login(other, user)
        assert other.get(links[0]).status_code == 403
        assert other.get(url).status_code == 403
        assert other.get(url + "/diagram.bpmn").status_code == 403
        assert other.get("/dokumen/00000000-0000-0000-0000-000000000000").status_code == 403
    owner = make_client()
    login(owner, "pemilik-proses.pagaralam")
    assert owner.get(url).status_code == 200


def test_instance_list_shows_only_visible_instances(make_client):
    ppk, _, _, url = _through_review(make_client)
    assert url in text(ppk.get("/proses"))
    other = make_client()
    login(other, "ppk.mojokerto")
    assert url not in text(other.get("/proses"))
    assert url not in text(other.get("/proses?semua=1"))


def test_upload_type_and_size_limits(make_client, app, ctx):
    ppk = make_client()
    login(ppk, "ppk.pagaralam")
    task_url = start(ppk).location
    cases = [
        ({"doc_k1": (io.BytesIO(b"MZ\x90\x00binary"), "virus.exe")}, "jenis berkas tidak diizinkan"),
        ({"doc_k1": (io.BytesIO(b"<html>not a pdf</html>"), "palsu.pdf")}, "isi berkas tidak sesuai"),
        ({"doc_k1": (io.BytesIO(b"%PDF-" + b"x" * 60_000), "besar.pdf")}, "berkas terlalu besar"),
    ]
    for files, message in cases:
        response = complete(ppk, task_url, {**STEP_2_VALID, **files}, content_type="multipart/form-data")
        assert response.status_code == 422
        assert message in text(response)
    instance_dir = Path(app.config["ALUR_DOCUMENTS_PATH"])
    assert not instance_dir.exists() or not any(instance_dir.rglob("*.*"))
    from service.ops import TaskQuery, query_tasks
    assert query_tasks(ctx, TaskQuery(task_id=task_url.rsplit("/", 1)[1]))


def test_invalid_form_stores_no_files(make_client, app):
    ppk = make_client()
    login(ppk, "ppk.pagaralam")
    task_url = start(ppk).location
    files = {"doc_k1": (io.BytesIO(PDF), "SK PPK.pdf")}
    response = complete(ppk, task_url, {**STEP_2_VALID, "nilai_hps": "-5", **files},
                        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "pilih ulang berkas" in text(response)
    instance_dir = Path(app.config["ALUR_DOCUMENTS_PATH"])
    assert not instance_dir.exists() or not any(instance_dir.rglob("*.pdf"))


def test_uploaded_kelengkapan_file_counts_as_ticked(make_client):
    ppk = make_client()
    login(ppk, "ppk.pagaralam")
    task_url = start(ppk).location
    data = {**STEP_2_VALID, "kelengkapan_2": STEP_2_VALID["kelengkapan_2"][1:],
            "doc_k1": (io.BytesIO(PDF), "SK PPK.pdf")}
    response = complete(ppk, task_url, data, content_type="multipart/form-data")
    assert response.status_code == 302


def test_request_over_the_server_limit_gets_a_page_not_a_crash(make_client, app):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    ppk = make_client()
    login(ppk, "ppk.pagaralam")
    task_url = start(ppk).location
    files = {"doc_k1": (io.BytesIO(b"%PDF-" + b"x" * 20_000), "besar.pdf")}
    response = complete(ppk, task_url, {**STEP_2_VALID, **files}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Kiriman terlalu besar" in text(response) and "10000 B, ALUR_MAX_REQUEST_BYTES" in text(response)


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
    client = ppk_client(make_client)
    # The SOP process: step 2 is named "2. Menyampaikan ..." and its number has its own column.
    complete(client, start(client).location, STEP_2_VALID)
    instance_link = re.findall(r'href="(/proses/[0-9a-f-]+)"', text(client.get("/proses")))[0]
    page = text(client.get(instance_link))
    assert re.search(r'<td class="num">2</td><td>Menyampaikan permintaan', page)
