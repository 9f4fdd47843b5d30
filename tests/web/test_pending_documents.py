"""Documents of a step that is not completed yet: never listed nor served; a late rename failure keeps
the file findable; the sweep removes orphans and finishes documents of completed steps; a failed
completion keeps no file; upload problems are worded in the page language."""
from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest

from service.ops import TaskQuery, query_tasks
from service.ops.documents import (
    PENDING_SUFFIX,
    DocumentPolicy,
    Upload,
    document_path,
    get_document,
    list_documents,
    step_documents,
    sweep_pending_documents,
)
from service.ops.errors import NotFound

from .support import csrf, login, open_inline_task, ppk_client, start, text


PDF = b"%PDF-1.4 test document\n"


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _upload() -> Upload:
    return Upload("output", "Berita acara", "ba.pdf", PDF)


def test_pending_document_is_neither_listed_nor_downloadable(ctx, tmp_path):
    policy = DocumentPolicy(root=tmp_path / "docs")
    with step_documents(ctx, policy, instance_id="inst-1", tenant_id="pagaralam", uploads=[_upload()],
                        user="ppk.pagaralam") as stored:
        assert list_documents(ctx, "inst-1") == []
        with pytest.raises(NotFound):
            get_document(ctx, stored[0].id)
    assert get_document(ctx, stored[0].id).filename == "ba.pdf"


def test_failed_rename_after_completion_is_logged_and_file_still_served(ctx, tmp_path, monkeypatch, caplog):
    policy = DocumentPolicy(root=tmp_path / "docs")

    def broken(*_a, **_kw):
        raise OSError("disk went read-only")

    with step_documents(ctx, policy, instance_id="inst-1", tenant_id=None, uploads=[_upload()],
                        user="u") as stored:
        monkeypatch.setattr(os, "replace", broken)   # the step is completed; only the rename fails
    monkeypatch.undo()
    assert "could not be renamed" in caplog.text
    [doc] = list_documents(ctx, "inst-1")
    assert doc.id == stored[0].id
    path = document_path(policy, doc)
    assert path.name.endswith(PENDING_SUFFIX) and path.read_bytes() == PDF


def test_sweep_removes_orphans_of_open_tasks_and_finishes_completed_steps(make_client, ctx, clock, tmp_path):
    client = make_client()
    login(client, "ppk.pagaralam")
    start(client, "RUP-SWEEP")
    task = query_tasks(ctx, TaskQuery())[0]
    policy = DocumentPolicy(root=tmp_path / "docs")
    gen = step_documents(ctx, policy, instance_id=task.instance_id, tenant_id=task.tenant_id, uploads=[_upload()],
                         user="u", task_id=task.id)
    orphan = gen.__enter__()[0]          # the process dies inside the block: never exits
    done_gen = step_documents(ctx, policy, instance_id=task.instance_id, tenant_id=task.tenant_id,
                              uploads=[_upload()], user="u", task_id="00000000-0000-0000-0000-00000000dead")
    done = done_gen.__enter__()[0]       # its task no longer exists: the step was completed before the crash
    assert sweep_pending_documents(ctx, policy) == (0, 0)          # younger than a day: left alone
    clock.advance(timedelta(days=1, minutes=1))
    assert sweep_pending_documents(ctx, policy) == (1, 1)
    assert [d.id for d in list_documents(ctx, task.instance_id)] == [done.id]
    with pytest.raises(NotFound):
        get_document(ctx, orphan.id)
    assert [p.name for p in _files(policy.root)] == [list_documents(ctx, task.instance_id)[0].stored_name]


def test_cli_documents_sweep(ctx, clock, tmp_path, monkeypatch, capsys):
    from service import cli
    from service.config import Config

    instance = tmp_path / "inst"
    monkeypatch.setattr(cli, "context", lambda args: (ctx, Config.from_env({}, instance_path=instance)))
    policy = DocumentPolicy(root=instance / "documents")
    gen = step_documents(ctx, policy, instance_id="inst-9", tenant_id=None, uploads=[_upload()], user="u")
    gen.__enter__()                      # no task: an orphan once old enough
    clock.advance(timedelta(hours=2))
    assert cli.main(["documents", "sweep"]) == 0
    assert "0 removed, 0 finished" in capsys.readouterr().out
    assert cli.main(["documents", "sweep", "--older-than-hours", "1"]) == 0
    assert "1 removed, 0 finished" in capsys.readouterr().out
    assert _files(instance) == []


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

    client = ppk_client(make_client)
    task, url = open_inline_task(client, ctx)

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
