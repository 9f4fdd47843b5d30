"""Documents of a step that is not completed yet: never listed nor served; a late rename failure keeps
the file findable; the sweep removes orphans and finishes documents of completed steps."""
from __future__ import annotations

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

from .support import login, start

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
