"""End-to-end in Debian's chromium (issue 14): a process owner moves a running process to another step by
clicking it on the diagram ("move here"), and migrates 200 running processes to a new version in one
batch, watching the progress bar reach 100% while the scheduler works the batch."""
from __future__ import annotations

import re

import pytest

from service.ops import Scheduler, TaskQuery, deploy, get_instance, list_definitions, query_tasks, start_instance
from service.ops.definitions import definition_xml

from web.support import KEY

pytestmark = pytest.mark.browser

START = {"nama_paket": "Pengadaan laptop", "kode_rup": "45123"}


def test_owner_moves_a_process_here_by_clicking_the_diagram(login_page, live, shots):
    ctx = live.app.extensions["alur"].ops
    running = start_instance(ctx, key=KEY, tenant="pagaralam", variables=START, business_key="RUP-PINDAH",
                             user="ppk.pagaralam")
    assert [t.element_id for t in query_tasks(ctx, TaskQuery(instance_id=running.id))] == ["Step_2"]
    page = login_page("pemilik-proses.pagaralam")
    page.goto(f"{live.url}/proses/{running.id}")
    page.locator("[data-bpmn-viewer][data-ready=true]").wait_for()
    page.locator('.djs-element[data-element-id="Step_3"]').click()
    confirm = page.locator("[data-move-confirm]")
    confirm.wait_for(state="visible")
    assert "Menetapkan Pokja Pemilihan" in confirm.inner_text()
    page.get_by_label("Alasan (dicatat di riwayat)").fill("berkas PPK sudah diterima di luar sistem")
    page.screenshot(path=str(shots / "20-pindah-ke-sini.png"), full_page=True)
    page.get_by_role("button", name="Pindahkan ke sini").click()
    page.locator(".flash.success").wait_for()
    assert "Proses dipindahkan ke langkah 3. Menetapkan Pokja Pemilihan" in page.content()
    assert [t.element_id for t in query_tasks(ctx, TaskQuery(instance_id=running.id))] == ["Step_3"]
    page.locator("[data-bpmn-viewer][data-ready=true]").wait_for()
    assert "alur-active" in (page.locator('.djs-element[data-element-id="Step_3"]').get_attribute("class") or "")


def test_owner_migrates_200_processes_in_a_batch_and_sees_the_progress(login_page, live, shots):
    ctx = live.app.extensions["alur"].ops
    ids = [start_instance(ctx, key=KEY, tenant="pagaralam", variables=START, business_key=f"RUP-MIG-{i:03d}",
                          user="ppk.pagaralam").id for i in range(200)]
    v1 = get_instance(ctx, ids[0]).definition_id
    _view, xml = definition_xml(ctx, "process", definition_id=v1)
    deploy(ctx, [(f"{KEY}.bpmn", xml.replace('name="2. ', 'name="2. (v2) ').encode())], tenant="pagaralam")
    v2 = list_definitions(ctx, "process", key=KEY, tenant="pagaralam")[-1]
    page = login_page("pemilik-proses.pagaralam")
    page.goto(live.url + "/model")
    page.get_by_role("row", name=re.compile(KEY)).locator("summary").click()
    page.get_by_role("link", name="Migrasikan").first.click()
    page.wait_for_url(re.compile(rf".*/model/proses/{v1}/migrasi"))
    assert page.locator('select[name="peta__Step_2"]').input_value() == "Step_2"   # the generated plan
    page.get_by_role("button", name="Periksa").click()
    page.locator("[data-migration-report]").wait_for()
    assert "200 proses diperiksa; 0 tidak dapat dimigrasikan." in page.locator("[data-migration-report]").inner_text()
    page.get_by_label("Alasan (dicatat di riwayat)").fill("SOP 2027")
    scheduler = Scheduler(ctx, interval=0.2, owner="e2e")
    page.get_by_role("button", name="Mulai migrasi").click()
    page.wait_for_url(re.compile(r".*/batch/[0-9a-f-]+$"))
    scheduler.start()
    try:
        bar = page.get_by_role("progressbar")
        page.wait_for_function("() => document.querySelector('[data-batch-status]').dataset.done === 'true'",
                               timeout=180_000)
        assert bar.get_attribute("aria-valuenow") == "100"
        assert "100% · 200/200" in page.locator("[data-batch-text]").inner_text()
        assert page.locator("[data-batch-failed]").is_hidden()
        page.wait_for_timeout(500)          # the bar's width transition
        page.screenshot(path=str(shots / "21-migrasi-batch.png"), full_page=True)
    finally:
        scheduler.stop()
    assert {get_instance(ctx, i).definition_id for i in ids} == {v2.id}
    # Camunda keeps a migrated task's properties (its name among them); its definition is the new one.
    task = query_tasks(ctx, TaskQuery(instance_id=ids[7]))[0]
    assert task.name.startswith("2. ") and not task.name.startswith("2. (v2) ")
    assert task.definition_id == v2.id
