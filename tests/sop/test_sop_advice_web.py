"""The advice mechanism on the pages: the task page of Pengelolaan Risiko step 4 shows the table's advice and
its reason read-only, with the choice preset to it; after the owner decides otherwise, the instance page shows
the decision (its rule annotation) and both variables."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from service.app import create_app
from service.engine import FrozenClock
from service.ops import complete_task, deploy_directories, query_tasks, start_instance
from service.ops.users import create_user

REPO = Path(__file__).resolve().parents[2]
KEY = "pengelolaan_risiko"
PASSWORD = "rahasia-uji-123"


@pytest.fixture
def app(tmp_path: Path) -> Any:
    root = tmp_path / "models"
    for sub in ("bpmn", "forms"):
        (root / sub / "pagaralam").mkdir(parents=True)
    shutil.copy(REPO / "bpmn" / "pagaralam" / f"{KEY}.bpmn", root / "bpmn" / "pagaralam")
    for form in (REPO / "forms" / "pagaralam").glob(f"{KEY}-*.form"):
        shutil.copy(form, root / "forms" / "pagaralam")
    shutil.copytree(REPO / "dmn", root / "dmn")
    application = create_app({"database_url": f"sqlite:///{tmp_path / 'alur.db'}", "instance_path": tmp_path,
                              "scheduler": False, "TESTING": True},
                             clock=FrozenClock(datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)))
    application.extensions["alur"].db.create_all()
    ctx = application.extensions["alur"].ops
    deploy_directories(ctx, root)
    create_user(ctx, "pemilik", PASSWORD, display_name="Pemilik", groups=["Pemilik Risiko"], tenants=["pagaralam"])
    yield application
    application.extensions["alur"].db.dispose()


def _task(ctx: Any, instance_id: str) -> Any:
    (task,) = query_tasks(ctx, instance_id=instance_id)
    return task


def test_task_page_shows_the_advice_and_the_instance_page_both(app: Any) -> None:
    from tests.web.support import login, post, text

    ctx = app.extensions["alur"].ops
    inst = start_instance(ctx, key=KEY, tenant="pagaralam", user="pemilik",
                          variables={"jenis_penugasan": "program_kerja", "nama_penugasan": "Uji"})
    complete_task(ctx, _task(ctx, inst.id).id, {"nomor_penugasan": "1/2026"}, user="pemilik")
    complete_task(ctx, _task(ctx, inst.id).id, {"kelengkapan_2": ["Dokumen pustaka risiko"],
                                                "daftar_risiko": "Keterlambatan", "nomor_output_2": "R-1"},
                  user="pemilik")
    complete_task(ctx, _task(ctx, inst.id).id, {
        "kelengkapan_3": ["Dokumen identifikasi risiko", "Kriteria dampak dan probabilitas", "Risk tolerance"],
        "risiko_utama": "Keterlambatan", "kemungkinan": 3, "dampak": 3, "peristiwa_risiko_lewat": False,
        "nomor_output_3": "A-1"}, user="pemilik")
    step4 = _task(ctx, inst.id)
    assert step4.element_id == "Step_4"

    client = app.test_client()
    login(client, "pemilik")
    page = text(client.get(f"/tugas/{step4.id}"))
    assert "Saran tabel keputusan" in page
    assert 'name="saran_disposisi_awal" value="tangani"' in page.replace("\n", " ")
    assert "11-15" in page                                           # the reason of the advice
    # the choice is preset to the advice
    assert 'name="disposisi_awal" value="tangani"' in page and "checked" in page

    post(client, f"/tugas/{step4.id}/klaim", token_from=f"/tugas/{step4.id}")
    done = post(client, f"/tugas/{step4.id}", {"kelengkapan_4": "Risk tolerance", "disposisi_awal": "toleransi",
                                                "alasan_beda_disposisi_awal": "Kontrak sudah selesai"},
                token_from=f"/tugas/{step4.id}")
    assert done.status_code in (302, 303), text(done)[:2000]
    assert _task(ctx, inst.id).element_id == "Step_9"                # the owner's choice routed the flow
    page = text(client.get(f"/proses/{inst.id}"))
    assert "Rule_disposisi_perlu_ditangani" in page                  # the advice, with its rule
    assert "ASSUMPTION" in page                                      # and its annotation
    assert "saran_disposisi_awal" in page and "alasan_beda_disposisi_awal" in page
