"""End-to-end in Debian's chromium: the PPK-to-Pokja flow, the DMN editor, the BPMN modeler.

Screenshots of the main pages go to test-output/screenshots/ (not committed).
"""
from __future__ import annotations

import re

import pytest

from service.ops import TaskQuery, complete_task, get_instance, history, list_definitions, query_tasks, start_instance

from web.support import KEY, STEP_3_VALID, step_4

pytestmark = pytest.mark.browser

KELENGKAPAN = ["SK Penetapan PPK", "Dokumen Persiapan Pengadaan", "Dokumen Anggaran Belanja (RKA-KL/Pemda)",
               "ID Paket RUP", "Rencana Waktu Penggunaan Barang/Jasa",
               "Surat permohonan pelaksanaan pemilihan penyedia"]


def test_ppk_starts_submits_invalid_then_valid_and_pokja_sees_next_task(login_page, live, shots):
    page = login_page("ppk.pagaralam")
    page.screenshot(path=str(shots / "01-daftar-tugas-kosong.png"), full_page=True)
    page.get_by_role("link", name="Mulai proses baru").click()
    page.screenshot(path=str(shots / "02-mulai-proses.png"), full_page=True)
    page.get_by_role("row", name=re.compile("Persiapan Pemilihan Penyedia")).get_by_role("link", name="Mulai").click()
    page.get_by_label("Kunci bisnis").fill("RUP-2026-0042")
    page.get_by_label("Nama paket pengadaan").fill("Pengadaan laptop Dinas Pendidikan")
    page.get_by_label("ID paket RUP").fill("45123")
    page.screenshot(path=str(shots / "03-formulir-mulai.png"), full_page=True)
    page.get_by_role("button", name="Mulai proses").click()

    # Step 2 of the SOP, the PPK's own task, opens at once.
    page.wait_for_url(re.compile(r".*/tugas/[0-9a-f-]+$"))
    assert "Menyampaikan permintaan pemilihan penyedia" in page.content()
    page.screenshot(path=str(shots / "04-halaman-tugas.png"), full_page=True)
    for item in KELENGKAPAN:
        page.get_by_label(item, exact=True).first.check()
    page.get_by_label("Jenis pengadaan").select_option("Barang")
    page.get_by_label("Nilai HPS (Rp)").fill("0")                      # invalid: min 1
    page.get_by_label(re.compile("^Nomor dokumen output")).fill("027/PPK/2026")
    page.get_by_role("button", name="Selesaikan langkah").click()
    error = page.locator("#err-nilai_hps")
    error.wait_for()
    assert error.inner_text() == "Minimal 1."
    assert page.get_by_label("Nilai HPS (Rp)").input_value() == "0"
    page.screenshot(path=str(shots / "05-tugas-galat.png"), full_page=True)

    for item in KELENGKAPAN:                                            # kept after the failed submit
        assert page.get_by_label(item, exact=True).first.is_checked()
    page.get_by_label("Nilai HPS (Rp)").fill("250000000")             # above Rp200 jt: the Pokja path
    page.get_by_label(re.compile("^Tanggal permintaan pemilihan")).fill("2026-01-05")
    page.get_by_role("button", name="Selesaikan langkah").click()
    page.wait_for_url(live.url + "/")
    assert "Langkah selesai" in page.content()

    # The Kepala UKPBJ appoints the Pokja (step 3) ...
    kepala = login_page("kepala-ukpbj.pagaralam")
    kepala.get_by_role("link", name="Menetapkan Pokja Pemilihan").click()
    kepala.get_by_label("Dokumen Persiapan Pengadaan", exact=True).first.check()
    kepala.get_by_label(re.compile("^Anggota Pokja")).fill("Andi; Budi; Citra")
    kepala.get_by_label(re.compile("^Nomor dokumen output")).fill("SK-12/UKPBJ/2026")
    kepala.get_by_role("button", name="Selesaikan langkah").click()
    kepala.wait_for_url(live.url + "/")

    # ... and the Pokja now has the review (step 4) in its list.
    pokja = login_page("pokja-pemilihan.pagaralam")
    row = pokja.get_by_role("row", name=re.compile("Mereviu Dokumen Persiapan Pengadaan"))
    assert row.count() == 1
    assert "RUP-2026-0042" in row.inner_text()
    pokja.screenshot(path=str(shots / "06-daftar-tugas-pokja.png"), full_page=True)

    pokja.goto(live.url + "/proses")
    pokja.get_by_role("link", name=re.compile("Persiapan Pemilihan Penyedia")).first.click()
    pokja.locator("[data-bpmn-viewer][data-ready=true]").wait_for()
    assert pokja.locator(".djs-element.alur-active").count() == 1
    assert pokja.locator(".djs-element.alur-completed").count() >= 3
    pokja.screenshot(path=str(shots / "07-halaman-proses.png"), full_page=True)


def _run_to_decision(ctx, sk_ppk: str) -> str:
    inst = start_instance(ctx, key=KEY, tenant="pagaralam", variables={"nama_paket": "X", "kode_rup": "1"},
                          user="ppk.pagaralam")
    answers = {2: {"kelengkapan_2": KELENGKAPAN, "jenis_pengadaan": "Barang", "nilai_hps": 250_000_000,
                   "tanggal_pemilihan": "2026-01-05", "nomor_output_2": "1"},
               3: {**STEP_3_VALID}, 4: {**step_4("sesuai"), "dpp_sk_ppk": sk_ppk}}
    for step in (2, 3, 4):
        task = query_tasks(ctx, TaskQuery(instance_id=inst.id))[0]
        assert task.element_id == f"Step_{step}"
        complete_task(ctx, task.id, answers[step], user="tester")
    return inst.id


def _decision_result(ctx, instance_id: str) -> str:
    # a complete DPP goes on to the method advice, which evaluates another decision after this one
    events = [e for e in history(ctx, instance_id)
              if e.kind == "decision_evaluated" and e.data["decision_key"] == "hasil_kelengkapan_dpp"]
    return events[-1].data["result"]["hasil_reviu"]


def test_process_owner_edits_a_decision_cell_and_new_instances_follow(login_page, live, shots):
    ctx = live.app.extensions["alur"].ops
    before = _run_to_decision(ctx, "tidak_ada")
    assert _decision_result(ctx, before) == "tidak lengkap"

    page = login_page("pemilik-proses.pagaralam")
    page.get_by_role("link", name="Model").click()
    page.screenshot(path=str(shots / "08-model.png"), full_page=True)
    # the items table itself, not the summary decision hasil_kelengkapan_dpp deployed from the same file
    page.locator('a[href^="/model/keputusan/kelengkapan_dpp:"]', has_text="Ubah tabel").click()
    page.locator("[data-dmn-editor][data-ready=true]").wait_for()
    # the owner narrows the SK PPK rule: only a lost SK ("hilang") is still listed as missing
    cell = page.locator('td[data-element-id="Rule_dpp_sk_ppk_in1"]')
    cell.click()
    editable = cell.locator("[contenteditable]").first
    editable.press("Control+a")
    editable.type('"hilang"')
    page.locator("h1").click()                                        # leave the cell
    assert '"hilang"' in cell.inner_text()
    page.screenshot(path=str(shots / "09-editor-dmn.png"), full_page=True)
    page.get_by_role("button", name="Deploy sebagai versi baru").click()
    status = page.locator("[data-status].ok")
    status.wait_for()
    assert "Versi 2" in status.inner_text()

    after = _run_to_decision(ctx, "tidak_ada")
    assert _decision_result(ctx, after) == "lengkap"
    assert _decision_result(ctx, before) == "tidak lengkap"
    assert query_tasks(ctx, TaskQuery(instance_id=after))[0].element_id == "Step_6"
    versions = [d.version for d in list_definitions(ctx, "decision", key="kelengkapan_dpp", tenant="pagaralam")]
    assert versions == [1, 2]


def test_modeler_opens_the_model_and_deploys_a_new_version(login_page, live, shots):
    ctx = live.app.extensions["alur"].ops
    running = start_instance(ctx, key=KEY, tenant="pagaralam", variables={"nama_paket": "X", "kode_rup": "1"})
    page = login_page("pemilik-proses.pagaralam")
    page.goto(live.url + "/model")
    page.get_by_role("row", name=re.compile(KEY)).get_by_role("link", name="Ubah diagram").click()
    page.locator("[data-bpmn-modeler][data-ready=true]").wait_for()
    task = page.locator('.djs-element[data-element-id="Step_3"]')
    task.click()                                                     # the properties panel shows the task
    page.locator(".bio-properties-panel-header-label", has_text="3. Menetapkan Pokja Pemilihan").wait_for()
    task.dblclick()
    label = page.locator(".djs-direct-editing-parent")
    label.press("Control+a")
    label.type("3. Menetapkan Pokja Pemilihan (revisi)")
    page.locator(".djs-container svg").first.click(position={"x": 5, "y": 5})
    page.screenshot(path=str(shots / "10-modeler-bpmn.png"), full_page=True)
    page.get_by_role("button", name="Deploy sebagai versi baru").click()
    status = page.locator("[data-status].ok")
    status.wait_for()
    assert "Versi 2" in status.inner_text()
    definitions = list_definitions(ctx, "process", key=KEY, tenant="pagaralam")
    assert [d.version for d in definitions] == [1, 2]
    assert get_instance(ctx, running.id).definition_id == definitions[0].id
    fresh = start_instance(ctx, key=KEY, tenant="pagaralam", variables={"nama_paket": "X", "kode_rup": "1"})
    assert get_instance(ctx, fresh.id).definition_id == definitions[1].id
    step = query_tasks(ctx, TaskQuery(instance_id=fresh.id))[0]
    complete_task(ctx, step.id, {"kelengkapan_2": KELENGKAPAN, "jenis_pengadaan": "Barang", "nilai_hps": 250_000_000,
                                 "tanggal_pemilihan": "2026-01-05", "nomor_output_2": "1"})
    assert query_tasks(ctx, TaskQuery(instance_id=fresh.id))[0].name == "3. Menetapkan Pokja Pemilihan (revisi)"


def test_keyboard_login_language_switch_and_admin_page(browser, live, shots):
    from web.support import PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live.url + "/masuk")
    assert page.evaluate("document.activeElement.id") == "username"         # autofocus
    page.keyboard.type("admin")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")                                            # no mouse at all
    page.wait_for_url(live.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"      # first stop: skip link
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.get_by_role("link", name="Pengguna").click()
    assert page.get_by_role("cell", name="ppk.pagaralam").count() == 1
    page.screenshot(path=str(shots / "11-admin-pengguna.png"), full_page=True)
    page.get_by_label("Bahasa").select_option("en")
    page.get_by_role("button", name="Ganti").click()
    page.get_by_role("heading", name="Users").wait_for()
    page.get_by_role("link", name="Tasks").click()
    page.get_by_role("heading", name="Task list").wait_for()
    page.screenshot(path=str(shots / "12-task-list-english.png"), full_page=True)
    context.close()
