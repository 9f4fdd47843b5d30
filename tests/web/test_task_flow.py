"""Task list, task page, start page: the SOP from start to the Pokja's review, the permission rules, and
conditional fields without JavaScript."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from service.forms import parse_camunda_form
from service.ops import TaskQuery, query_tasks
from service.ops.task_pages import refresh_copies
from service.store import UserTask
from service.web.reveal import newly_shown, posted_hidden

from .support import (
    CHECK_FORM,
    KEY,
    STEP_2_VALID,
    STEP_3_VALID,
    complete,
    csrf,
    login,
    open_inline_task,
    post,
    ppk_client,
    start,
    start_url,
    step_4,
    task_links,
    text,
)


def _started(make_client, user="ppk.pagaralam", business_key="RUP-2026-001"):
    client = make_client()
    login(client, user)
    response = start(client, business_key)
    assert response.status_code == 302
    return client, response.location


def test_start_page_lists_only_processes_of_my_start_lane(make_client):
    ppk = make_client()
    login(ppk, "ppk.pagaralam")
    page = text(ppk.get("/mulai"))
    assert "SOP Persiapan Pemilihan Penyedia" in page and "pagaralam" in page
    assert "mojokerto" not in page            # the same SOP of another tenant
    pokja = make_client()
    login(pokja, "pokja-pemilihan.pagaralam")
    assert "/mulai/" not in text(pokja.get("/mulai"))
    url = start_url(ppk)
    assert pokja.get(url).status_code == 403
    other = make_client()
    login(other, "ppk.mojokerto")
    assert other.get(url).status_code == 403


def test_start_form_is_validated_and_keeps_values(make_client):
    client = make_client()
    login(client, "ppk.pagaralam")
    url = start_url(client)
    page = text(client.get(url))
    assert 'for="f-nama_paket"' in page and 'for="f-business_key"' in page
    response = post(client, url, {"business_key": "RUP-9", "nama_paket": "", "kode_rup": "x" * 31}, token_from=url)
    assert response.status_code == 422
    page = text(response)
    assert 'id="err-nama_paket"' in page and "Wajib diisi." in page
    assert "Maksimal 30 karakter." in page
    assert 'value="RUP-9"' in page


def test_start_goes_to_my_first_task_with_sop_context(make_client):
    client, location = _started(make_client)
    assert location.startswith("/tugas/")
    page = text(client.get(location))
    assert "Menyampaikan permintaan pemilihan penyedia" in page
    assert "Uraian Kegiatan" in page and "Output" in page
    assert "Permintaan pemilihan penyedia tersampaikan" in page
    assert "SK Penetapan PPK" in page            # Kelengkapan checklist
    assert 'class="step-no">2<' in page
    assert "RUP-2026-001" in page


def test_invalid_step_shows_errors_with_values_and_task_stays_open(make_client, ctx):
    client, task_url = _started(make_client)
    bad = dict(STEP_2_VALID, nilai_hps="0", jenis_pengadaan="Sewa Kapal")
    bad.pop("nomor_output_2")
    response = complete(client, task_url, bad)
    assert response.status_code == 422
    page = text(response)
    assert re.search(r'id="err-nilai_hps"[^>]*>Minimal 1\.', page)
    assert re.search(r'id="err-nomor_output_2"[^>]*>Wajib diisi\.', page)
    assert re.search(r'id="err-jenis_pengadaan"[^>]*>Pilihan tidak dikenal', page)
    assert 'value="0"' in page                     # the user's value is kept
    assert 'value="SK Penetapan PPK"\n' in page or "checked" in page
    task_id = task_url.rsplit("/", 1)[1]
    assert [t.id for t in query_tasks(ctx, TaskQuery(task_id=task_id))] == [task_id]


def test_missing_kelengkapan_blocks_completion(make_client):
    client, task_url = _started(make_client)
    response = complete(client, task_url, dict(STEP_2_VALID, kelengkapan_2=["SK Penetapan PPK"]))
    assert response.status_code == 422
    assert "Kelengkapan belum lengkap: Dokumen Persiapan Pengadaan" in text(response)


def test_valid_step_moves_to_the_next_lane(make_client, ctx):
    client, task_url = _started(make_client)
    response = complete(client, task_url, STEP_2_VALID)
    assert response.status_code == 302 and response.location == "/"
    assert "Langkah selesai" in text(client.get("/"))
    assert task_links(client) == []
    kepala = make_client()
    login(kepala, "kepala-ukpbj.pagaralam")
    links = task_links(kepala)
    assert len(links) == 1
    assert "Menetapkan Pokja Pemilihan" in text(kepala.get("/"))
    assert complete(kepala, links[0], STEP_3_VALID).status_code == 302
    pokja = make_client()
    login(pokja, "pokja-pemilihan.pagaralam")
    page = text(pokja.get("/"))
    assert "Mereviu Dokumen Persiapan Pengadaan" in page and "RUP-2026-001" in page
    variables = query_tasks(ctx, TaskQuery(definition_key=KEY))[0]
    assert variables.lane == "Pokja Pemilihan"


def test_tasks_of_other_groups_and_tenants_are_403(make_client):
    client, task_url = _started(make_client)
    for user in ("pokja-pemilihan.pagaralam", "ppk.mojokerto", "pemilik-proses.pagaralam", "admin"):
        other = make_client()
        login(other, user)
        assert other.get(task_url).status_code == 403, user
        assert post(other, task_url, STEP_2_VALID).status_code == 403, user
        assert post(other, task_url + "/klaim").status_code == 403, user
        assert task_url not in text(other.get("/"))
    # An id that does not exist answers exactly like one that is not yours.
    other = make_client()
    login(other, "ppk.mojokerto")
    missing = other.get("/tugas/00000000-0000-0000-0000-000000000000")
    forbidden = other.get(task_url)
    assert missing.status_code == forbidden.status_code == 403
    # Same page apart from the path echoed in the language switch.
    assert text(missing).replace(missing.request.path, "") == text(forbidden).replace(task_url, "")


def test_claim_and_unclaim(make_client, ctx):
    client, task_url = _started(make_client)
    task_id = task_url.rsplit("/", 1)[1]
    assert post(client, task_url + "/klaim").status_code == 302
    assert query_tasks(ctx, TaskQuery(task_id=task_id))[0].assignee == "ppk.pagaralam"
    page = text(client.get("/"))
    assert "Lepas" in page and "diklaim oleh saya" in page
    # Another PPK of the same tenant now sees neither the task nor may take it.
    from service.ops.users import create_user
    create_user(ctx, "ppk2.pagaralam", "rahasia-uji-123", groups=["PPK"], tenants=["pagaralam"])
    second = make_client()
    login(second, "ppk2.pagaralam")
    assert task_url not in text(second.get("/"))
    assert post(second, task_url + "/klaim").status_code == 403
    assert post(second, task_url + "/lepas").status_code == 403
    assert post(second, task_url, STEP_2_VALID).status_code == 403
    assert post(client, task_url + "/lepas").status_code == 302
    assert query_tasks(ctx, TaskQuery(task_id=task_id))[0].assignee is None
    assert task_url in text(second.get("/"))


def test_task_list_overdue_first_with_working_day_wording(make_client, ctx, clock):
    first, _ = _started(make_client, business_key="PAKET-A")
    _started(make_client, business_key="PAKET-B")
    _started(make_client, business_key="PAKET-C")
    now = clock.now()
    dues = {"PAKET-A": now + timedelta(days=4), "PAKET-B": now - timedelta(days=4), "PAKET-C": None}
    with ctx.transaction() as session:
        for key, due in dues.items():
            session.execute(update(UserTask).where(UserTask.business_key == key).values(due=due))
        # A due date changed behind the service's back: the list's copies on the candidate rows follow.
        refresh_copies(session, list(session.scalars(select(UserTask.id))))
    page = text(first.get("/"))
    order = [page.index(k) for k in ("PAKET-B", "PAKET-A", "PAKET-C")]
    assert order == sorted(order)
    # Monday 5 Jan 2026 08:00 WIB: Friday 9 Jan is 4 working days ahead; Thursday 1 Jan (a holiday) is behind.
    assert "4 hari kerja lagi" in page
    assert re.search(r"terlambat \d hari kerja", page)
    assert "tanpa tenggat" in page
    assert 'class="overdue"' in page
    overdue_only = text(first.get("/?due=overdue"))
    assert "PAKET-B" in overdue_only and "PAKET-A" not in overdue_only
    none_only = text(first.get("/?due=none"))
    assert "PAKET-C" in none_only and "PAKET-B" not in none_only
    assert "PAKET-A" in text(first.get("/?sop=" + KEY))
    assert "PAKET-A" not in text(first.get("/?sop=lain"))
    assert "PAKET-A" not in text(first.get("/?tenant=mojokerto"))
    assert "PAKET-A" in text(first.get("/?tenant=pagaralam"))


def test_task_list_and_task_page_work_without_javascript(make_client):
    client, task_url = _started(make_client)
    for page in (text(client.get("/")), text(client.get(task_url))):
        assert "<script" not in page
    page = text(client.get(task_url))
    assert 'method="post"' in page and 'enctype="multipart/form-data"' in page
    for label_for in re.findall(r'<input[^>]+id="(f-[^"]+)"', page):
        assert f'for="{label_for}"' in page, label_for


def test_english_task_page(make_client):
    client, task_url = _started(make_client)
    post(client, "/bahasa", {"lang": "en", "next": task_url})
    page = text(client.get(task_url))
    assert "SOP context" in page and "Complete step" in page
    bad = dict(STEP_2_VALID, nilai_hps="0")
    assert "Must be at least 1." in text(complete(client, task_url, bad))


def test_pokja_review_decision_routes_back_to_ppk(make_client):
    client, task_url = _started(make_client)
    complete(client, task_url, STEP_2_VALID)
    kepala = make_client()
    login(kepala, "kepala-ukpbj.pagaralam")
    complete(kepala, task_links(kepala)[0], STEP_3_VALID)
    pokja = make_client()
    login(pokja, "pokja-pemilihan.pagaralam")
    review = task_links(pokja)[0]
    assert complete(pokja, review, step_4("tidak_ada")).status_code == 302
    page = text(client.get("/"))
    assert "Memperbaiki Dokumen Persiapan Pengadaan" in page


def test_newly_shown_names_fields_a_choice_uncovers():
    form = parse_camunda_form(CHECK_FORM)
    assert newly_shown(form, {"hasil": "perbaikan"}, None, {"catatan_perbaikan"}) == ["catatan_perbaikan"]
    assert newly_shown(form, {"hasil": "sesuai"}, None, {"catatan_perbaikan"}) == []
    assert newly_shown(form, {"hasil": "perbaikan"}, None, set()) == []
    assert posted_hidden(["a b", " c "]) == {"a", "b", "c"}


def test_a_revealed_field_comes_back_to_the_user_without_javascript(make_client, ctx, inline_model):
    client = ppk_client(make_client)
    task, url = open_inline_task(client, ctx)
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
    client = ppk_client(make_client)
    task, url = open_inline_task(client, ctx)
    done = client.post(url, data={"csrf_token": csrf(client, url), "hasil": "sesuai",
                                  "_alur_hidden": "catatan_perbaikan"})
    assert done.status_code == 302
    assert not query_tasks(ctx, TaskQuery(instance_id=task.instance_id))


def test_task_form_leaves_out_the_intro_the_context_card_shows(make_client):
    from .support import start
    client = ppk_client(make_client)
    page = text(client.get(start(client).location))
    assert "Uraian Kegiatan" in page and "Nilai HPS" in page
    assert "<strong>2. Menyampaikan permintaan pemilihan penyedia</strong>" not in page


def test_a_finished_or_foreign_task_reads_the_same_and_explains(make_client, ctx, inline_model):
    client = ppk_client(make_client)
    task, url = open_inline_task(client, ctx)
    client.post(url, data={"csrf_token": csrf(client, url), "hasil": "sesuai", "_alur_hidden": ""})
    client.get("/")                     # shows (and so clears) the "step completed" message
    done = client.get(url)
    missing = client.get("/tugas/00000000-0000-0000-0000-000000000000")
    assert done.status_code == missing.status_code == 403
    def main(r):
        return text(r).split("<main", 1)[1]
    assert "Tugas tidak tersedia" in main(done) and main(done) == main(missing)
