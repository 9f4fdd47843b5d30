"""Documents of an instance: files on disk under `<documents root>/<instance-id>/`, rows in the database.

Uploads are checked (size, extension, and that the bytes look like that kind of file) before anything is
written; a failed batch leaves neither files nor rows behind.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from service.store import UserTask
from service.store.documents import InstanceDocument

from .context import OpsContext
from .errors import BadRequest, NotFound

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "jpg", "jpeg", "png", "zip", "txt", "csv")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What the first bytes of each allowed type must be; text types only must not contain NUL bytes.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",), "png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
    "zip": (_ZIP,), "docx": (_ZIP,), "xlsx": (_ZIP,), "odt": (_ZIP,), "ods": (_ZIP,), "doc": (_OLE,),
    "xls": (_OLE,),
}
CONTENT_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "zip": "application/zip", "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "txt": "text/plain", "csv": "text/csv",
}


@dataclass(frozen=True)
class DocumentPolicy:
    root: Path
    max_bytes: int = DEFAULT_MAX_BYTES
    allowed: tuple[str, ...] = DEFAULT_TYPES


@dataclass(frozen=True)
class Upload:
    kind: str          # kelengkapan | output | lampiran
    label: str
    filename: str
    content: bytes


@dataclass(frozen=True)
class DocumentView:
    id: str
    instance_id: str
    tenant_id: str | None
    task_id: str | None
    element_id: str | None
    step_name: str | None
    kind: str
    label: str
    filename: str
    content_type: str
    size: int
    uploaded_by: str | None
    uploaded_at: datetime
    stored_name: str


def _view(r: InstanceDocument) -> DocumentView:
    return DocumentView(id=r.id, instance_id=r.instance_id, tenant_id=r.tenant_id, task_id=r.task_id,
                        element_id=r.element_id, step_name=r.step_name, kind=r.kind, label=r.label,
                        filename=r.filename, content_type=r.content_type, size=r.size, uploaded_by=r.uploaded_by,
                        uploaded_at=r.uploaded_at, stored_name=r.stored_name)


def safe_filename(name: str) -> str:
    """A display name without paths or control characters (the stored name is a random id anyway)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    return base[:200] or "berkas"


def upload_problem(policy: DocumentPolicy, upload: Upload) -> tuple[str, dict[str, str]] | None:
    """What is wrong with an upload, as (code, parameters) for the page to word in its language; None if fine.
    Codes: `type` (params name, allowed), `empty` (name), `size` (name, max_mb), `content` (name, ext)."""
    name = safe_filename(upload.filename)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in policy.allowed:
        return "type", {"name": name, "allowed": ", ".join(policy.allowed)}
    if not upload.content:
        return "empty", {"name": name}
    if len(upload.content) > policy.max_bytes:
        return "size", {"name": name, "max_mb": str(policy.max_bytes // (1024 * 1024))}
    signatures = SIGNATURES.get(ext)
    if (signatures and not upload.content.startswith(signatures)) or (
            not signatures and b"\x00" in upload.content[:4096]):
        return "content", {"name": name, "ext": ext}
    return None


_PESAN = {
    "type": "{name}: jenis berkas tidak diizinkan (boleh: {allowed})",
    "empty": "{name}: berkas kosong",
    "size": "{name}: berkas terlalu besar (maksimal {max_mb} MB)",
    "content": "{name}: isi berkas tidak sesuai dengan jenisnya (.{ext})",
}


def check_upload(policy: DocumentPolicy, upload: Upload) -> str | None:
    """The Indonesian problem with an upload, or None when it may be stored."""
    problem = upload_problem(policy, upload)
    return _PESAN[problem[0]].format(**problem[1]) if problem else None


def instance_folder(policy: DocumentPolicy, instance_id: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", instance_id):
        raise BadRequest(f"invalid instance id {instance_id!r}")
    return Path(policy.root) / instance_id


PENDING_SUFFIX = ".part"    # a file whose step has not been completed yet; never served, never listed
# Pending is recorded in the row too, without a schema change: its stored_name carries PENDING_SUFFIX until
# the step is completed. list_documents and get_document ignore such rows.


def is_pending(doc: DocumentView | InstanceDocument) -> bool:
    return doc.stored_name.endswith(PENDING_SUFFIX)


@contextmanager
def step_documents(ctx: OpsContext, policy: DocumentPolicy, *, instance_id: str, tenant_id: str | None,
                   uploads: Iterable[Upload], user: str | None, task_id: str | None = None,
                   element_id: str | None = None, step_name: str | None = None) -> Iterator[list[DocumentView]]:
    """Documents that belong to a step only if the step is completed inside the `with` block.

    The files are written under a pending name and their rows committed as pending before the block runs
    (so the block can reference the document ids; pending rows are not listed nor served); when the block
    raises anything, rows and files are removed and the exception goes on; when it returns, the rows are
    marked final and the files moved to their final names. The step is committed by then, so a failure
    of that last part is logged, never raised: a row left pending is finished by `sweep_pending_documents`,
    a file left under its pending name is still found by `document_path`.
    """
    items = list(uploads)
    if not items:
        yield []
        return
    problems = [p for p in (check_upload(policy, u) for u in items) if p]
    if problems:
        raise BadRequest("; ".join(problems), pesan="; ".join(problems))
    folder = instance_folder(policy, instance_id)
    temps: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for upload in items:
            name = safe_filename(upload.filename)
            ext = name.rsplit(".", 1)[-1].lower()
            stored = f"{uuid.uuid4().hex}.{ext}{PENDING_SUFFIX}"
            temp = folder / stored
            temp.write_bytes(upload.content)
            temps.append(temp)
            rows.append(InstanceDocument(instance_id=instance_id, tenant_id=tenant_id, task_id=task_id,
                                         element_id=element_id, step_name=step_name, kind=upload.kind,
                                         label=upload.label[:500], filename=name, stored_name=stored,
                                         content_type=CONTENT_TYPES.get(ext, "application/octet-stream"),
                                         size=len(upload.content),
                                         sha256=hashlib.sha256(upload.content).hexdigest(), uploaded_by=user,
                                         uploaded_at=ctx.clock.now()))
        with ctx.transaction() as session:
            session.add_all(rows)
            session.flush()
            views = [_view(r) for r in rows]
    except BaseException:
        for temp in temps:
            temp.unlink(missing_ok=True)
        raise
    try:
        yield views
    except BaseException:
        try:
            with ctx.transaction() as session:
                session.execute(delete(InstanceDocument).where(InstanceDocument.id.in_([v.id for v in views])))
        finally:
            for temp in temps:
                temp.unlink(missing_ok=True)
        raise
    try:
        _finalize(ctx, policy, [v.id for v in views])
    except Exception:       # the step is completed: its page must not fail for a late file problem
        log.exception("documents %s of instance %s stay pending after their step completed; "
                      "`alur documents sweep` finishes them", [v.id for v in views], instance_id)


def _finalize(ctx: OpsContext, policy: DocumentPolicy, document_ids: list[str]) -> int:
    """Mark pending rows final, then move their files; a file that cannot be moved is logged and stays
    under its pending name (document_path still finds it)."""
    with ctx.transaction() as session:
        rows = [r for r in session.scalars(select(InstanceDocument).where(InstanceDocument.id.in_(document_ids)))
                if is_pending(r)]
        moves = []
        for r in rows:
            final = r.stored_name[: -len(PENDING_SUFFIX)]
            moves.append((instance_folder(policy, r.instance_id) / r.stored_name,
                          instance_folder(policy, r.instance_id) / final))
            r.stored_name = final
    for temp, target in moves:
        try:
            os.replace(temp, target)
        except OSError:
            log.exception("document file %s could not be renamed to %s; it is served from its pending name",
                          temp, target.name)
    return len(rows)


def _open_task_ids(session: Any, task_ids: set[str]) -> set[str]:
    if not task_ids:
        return set()
    return set(session.scalars(select(UserTask.id).where(UserTask.id.in_(task_ids))))


def sweep_pending_documents(ctx: OpsContext, policy: DocumentPolicy, *,
                            older_than: timedelta = timedelta(days=1)) -> tuple[int, int]:
    """Pending documents older than `older_than` (a crash between writing them and finishing their step).

    Those whose task is still open were never part of a completed step: rows and files are removed.
    Those whose task is gone belong to a step that was completed before the crash: they are made final.
    Returns (removed, finalized).
    """
    cutoff = ctx.clock.now() - older_than
    with ctx.transaction() as session:
        rows = [r for r in session.scalars(select(InstanceDocument)
                                           .where(InstanceDocument.stored_name.like(f"%{PENDING_SUFFIX}"))
                                           .where(InstanceDocument.uploaded_at < cutoff))]
        open_ids = _open_task_ids(session, {r.task_id for r in rows if r.task_id})
        stale = [(r.id, r.instance_id, r.stored_name) for r in rows if r.task_id is None or r.task_id in open_ids]
        done = [r.id for r in rows if r.task_id is not None and r.task_id not in open_ids]
        if stale:
            session.execute(delete(InstanceDocument).where(InstanceDocument.id.in_([s[0] for s in stale])))
    for _id, instance_id, stored_name in stale:
        (instance_folder(policy, instance_id) / stored_name).unlink(missing_ok=True)
    finalized = _finalize(ctx, policy, done) if done else 0
    return len(stale), finalized


def list_documents(ctx: OpsContext, instance_id: str) -> list[DocumentView]:
    with ctx.transaction() as session:
        rows = session.scalars(select(InstanceDocument).where(InstanceDocument.instance_id == instance_id)
                               .where(InstanceDocument.stored_name.not_like(f"%{PENDING_SUFFIX}"))
                               .order_by(InstanceDocument.uploaded_at, InstanceDocument.id))
        return [_view(r) for r in rows]


def get_document(ctx: OpsContext, document_id: str) -> DocumentView:
    with ctx.transaction() as session:
        row = session.get(InstanceDocument, document_id)
        if row is None or is_pending(row):      # a pending document is not part of any step yet
            raise NotFound(f"no document {document_id}", pesan="Dokumen tidak ditemukan")
        return _view(row)


def document_path(policy: DocumentPolicy, doc: DocumentView) -> Path:
    """The file of a document; a final document whose rename failed is still under its pending name."""
    path = instance_folder(policy, doc.instance_id) / doc.stored_name
    if not is_pending(doc) and not path.exists():
        leftover = path.with_name(path.name + PENDING_SUFFIX)
        if leftover.is_file():
            return leftover
    return path


__all__ = ["DocumentPolicy", "Upload", "DocumentView", "safe_filename", "check_upload", "upload_problem",
           "step_documents", "PENDING_SUFFIX", "list_documents", "get_document", "document_path", "instance_folder",
           "DEFAULT_MAX_BYTES", "DEFAULT_TYPES", "is_pending", "sweep_pending_documents"]
