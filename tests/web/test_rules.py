"""Pure rules: access, due-date wording, Waktu text, upload checks, form lookup of camunda:formField."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from service.engine.workdays import WorkCalendar
from service.forms import form_from_form_data, validate_submission
from service.ops.access import Principal, can_manage_models, can_see_instance, can_see_task, can_start, can_work_task
from service.ops.documents import DocumentPolicy, Upload, check_upload, safe_filename
from service.web.due import due_info, waktu_text
from service.web.step_context import step_context
from service.web.tasklist import step_label

PPK = Principal.of("ppk.pagaralam", ["PPK"], ["pagaralam"])
OWNER = Principal.of("po", ["process-owner"], ["pagaralam"])
ADMIN = Principal.of("admin", ["admin", "process-owner"], ["pagaralam", "mojokerto"])


def task(**kw):
    base = {"tenant_id": "pagaralam", "assignee": None, "candidate_groups": ["PPK"], "candidate_users": []}
    base.update(kw)
    return base


def test_task_rules():
    assert can_see_task(PPK, **task()) and can_work_task(PPK, **task())
    assert not can_see_task(PPK, **task(tenant_id="mojokerto"))
    assert not can_see_task(PPK, **task(candidate_groups=["Pokja Pemilihan"]))
    assert can_see_task(PPK, **task(candidate_groups=["Pokja Pemilihan"], candidate_users=["ppk.pagaralam"]))
    assert can_see_task(PPK, **task(candidate_groups=[], assignee="ppk.pagaralam"))
    assert can_see_task(PPK, **task(assignee="someone")) and not can_work_task(PPK, **task(assignee="someone"))
    assert can_see_task(PPK, **task(tenant_id=None))
    assert not can_see_task(OWNER, **task()) and not can_see_task(ADMIN, **task())


def test_instance_start_and_model_rules():
    assert can_see_instance(PPK, tenant_id="pagaralam", lanes=["PPK", "Pokja"], started_by=None)
    assert not can_see_instance(PPK, tenant_id="pagaralam", lanes=["Pokja"], started_by=None)
    assert can_see_instance(PPK, tenant_id="pagaralam", lanes=["Pokja"], started_by="ppk.pagaralam")
    assert can_see_instance(PPK, tenant_id="pagaralam", lanes=[], started_by=None, participants=["ppk.pagaralam"])
    assert not can_see_instance(PPK, tenant_id="mojokerto", lanes=["PPK"], started_by="ppk.pagaralam")
    assert can_see_instance(OWNER, tenant_id="pagaralam", lanes=[], started_by=None)
    assert can_start(PPK, tenant_id="pagaralam", start_lanes=["PPK"])
    assert not can_start(PPK, tenant_id="pagaralam", start_lanes=["Pokja"])
    assert not can_start(PPK, tenant_id="mojokerto", start_lanes=["PPK"])
    assert can_manage_models(OWNER, "pagaralam") and not can_manage_models(OWNER, "mojokerto")
    assert not can_manage_models(PPK, "pagaralam")
    assert not can_manage_models(OWNER, None) and can_manage_models(ADMIN, None)


@pytest.fixture(scope="module")
def calendar():
    return WorkCalendar.default()


MONDAY = datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)     # 08:00 WIB


@pytest.mark.parametrize("delta,state,text", [
    (timedelta(days=3), "later", "3 hari kerja lagi"),
    (timedelta(days=7), "later", "5 hari kerja lagi"),          # over a weekend
    (timedelta(hours=5), "today", "tenggat hari ini"),
    (timedelta(days=1), "soon", "1 hari kerja lagi"),
    (-timedelta(hours=2), "overdue", "lewat tenggat hari ini"),
    (-timedelta(days=3), "overdue", "terlambat 1 hari kerja"),  # Fri 2 Jan; Thu 1 Jan is a holiday
])
def test_due_wording(calendar, delta, state, text):
    info = due_info(MONDAY + delta, MONDAY, calendar)
    assert (info.state, info.text) == (state, text)


def test_due_wording_english_and_none(calendar):
    assert due_info(MONDAY + timedelta(days=3), MONDAY, calendar, "en").text == "3 working days left"
    assert due_info(None, MONDAY, calendar).text == "tanpa tenggat"


def test_waktu_text():
    assert waktu_text("P5D") == "5 hari kerja"
    assert waktu_text("P2D", calendar_days=True) == "2 hari kalender"
    assert waktu_text("PT30M") == "30 menit"
    assert waktu_text("P1DT2H", lang="en") == "1 working day 2 hours"
    assert waktu_text("lain") == "lain"


def test_step_context_and_label():
    ctx = step_context({"sop.no": "4", "mutu.kelengkapan": "A; B ;; C", "mutu.waktu": "P3D",
                        "mutu.output": "Hasil reviu"}, "Melakukan reviu")
    assert ctx.kelengkapan == ("A", "B", "C") and ctx.waktu_text == "3 hari kerja" and ctx.no == "4"
    assert step_label("4. Mereviu DPP", "4") == "Mereviu DPP"
    with_note = step_context({}, "Menyusun laporan\n\nKeterangan: paling lambat akhir bulan")
    assert with_note.uraian == "Menyusun laporan" and with_note.keterangan == "paling lambat akhir bulan"
    assert step_context({}, None).uraian is None
    assert step_label("Mereviu 4. DPP", "4") == "Mereviu 4. DPP"


def test_upload_checks(tmp_path: Path):
    policy = DocumentPolicy(root=tmp_path, max_bytes=100, allowed=("pdf", "png", "txt"))
    assert check_upload(policy, Upload("output", "x", "a.pdf", b"%PDF-1.4 ok")) is None
    assert "tidak diizinkan" in check_upload(policy, Upload("output", "x", "a.exe", b"MZ"))
    assert "tidak sesuai" in check_upload(policy, Upload("output", "x", "a.png", b"%PDF-"))
    assert "terlalu besar" in check_upload(policy, Upload("output", "x", "a.pdf", b"%PDF-" + b"0" * 100))
    assert "kosong" in check_upload(policy, Upload("output", "x", "a.txt", b""))
    assert "tidak sesuai" in check_upload(policy, Upload("output", "x", "a.txt", b"\x00\x01"))
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\x\\surat <1>.pdf") == "surat 1.pdf"


def test_form_data_fields_from_the_engine_shape():
    form = form_from_form_data("Task_1", [
        {"id": "jumlah", "label": "Jumlah", "type": "long", "default_value": None, "properties": {},
         "validation": [{"name": "required", "config": None}, {"name": "max", "config": "10"}], "values": []},
        {"id": "jenis", "label": "Jenis", "type": "enum", "default_value": "a", "properties": {},
         "validation": [], "values": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]},
    ])
    clean, errors = validate_submission(form, {"jumlah": "11", "jenis": "c"})
    assert errors["jumlah"] == ["Maksimal 10."] and "jenis" in errors
    clean, errors = validate_submission(form, {"jumlah": "7", "jenis": "b"})
    assert clean == {"jumlah": 7, "jenis": "b"} and not errors


def test_amounts_and_dates_read_the_local_way(app):
    from flask import session

    from service.web.filters import fmt_datetime, fmt_value
    with app.test_request_context("/"):
        assert fmt_value(150_000_000) == "150.000.000"
        assert fmt_value(12_500.5) == "12.500,50"
        assert fmt_value(2026) == "2026"
        assert fmt_value(True) == "ya"
        assert fmt_datetime(datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)) == "5 Jan 2026 08:00 WIB"
        session["lang"] = "en"
        assert fmt_value(150_000_000) == "150,000,000"
        assert fmt_datetime(datetime(2026, 8, 17, 3, 0, tzinfo=timezone.utc)) == "17 Aug 2026 10:00 WIB"
