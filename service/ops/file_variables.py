"""Camunda's typed `File` variables: the bytes become a document of the instance (documents.py), the variable
holds a plain reference to it, so the engine state stays small and plain.

A reference is the dict {"alurFile": <document id>, "filename", "mimeType", "encoding"}; the REST layer shows
it as a File value (valueInfo filename/mimeType/encoding) and `/variables/{name}/data` serves the document.
Files are accepted where a step can own them: starting an instance and completing a task; elsewhere the
engine refuses the value, naming the variable.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from service.engine.delegation.facade import FILE_MARKER

from .context import OpsContext
from .documents import DocumentPolicy, Upload, document_path, get_document, step_documents
from .errors import BadRequest, NotFound

MARKER = FILE_MARKER
KIND = "lampiran"        # an attachment of the instance (documents.py kinds)


@dataclass(frozen=True)
class FileUpload:
    """A File value as a request sent it, before it is stored."""

    filename: str
    content: bytes
    mime_type: str | None = None
    encoding: str | None = None


def is_reference(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get(MARKER), str)


def has_uploads(variables: Mapping[str, Any] | None) -> bool:
    return any(isinstance(v, FileUpload) for v in (variables or {}).values())


@contextmanager
def stored(ctx: OpsContext, *, instance_id: str, tenant_id: str | None, variables: dict[str, Any],
           user: str | None, task_id: str | None = None, element_id: str | None = None) -> Iterator[dict[str, Any]]:
    """The variables with each FileUpload stored as a document and replaced by its reference. The documents
    are kept only when the block completes (documents.step_documents)."""
    uploads = {name: v for name, v in variables.items() if isinstance(v, FileUpload)}
    if not uploads:
        yield variables
        return
    policy = _policy(ctx)
    items = [Upload(kind=KIND, label=name, filename=u.filename, content=u.content) for name, u in uploads.items()]
    with step_documents(ctx, policy, instance_id=instance_id, tenant_id=tenant_id, uploads=items, user=user,
                        task_id=task_id, element_id=element_id) as views:
        refs = {name: {MARKER: view.id, "filename": upload.filename,
                       "mimeType": upload.mime_type or view.content_type, "encoding": upload.encoding}
                for (name, upload), view in zip(uploads.items(), views, strict=True)}
        yield {**variables, **refs}


def file_data(ctx: OpsContext, instance_id: str, value: Any) -> tuple[bytes, str, str]:
    """(bytes, mime type, file name) of a File variable of `instance_id`."""
    if not is_reference(value):
        raise BadRequest("the variable is not a File value")
    try:
        doc = get_document(ctx, value[MARKER])
    except NotFound:
        raise NotFound("the variable's file is no longer stored") from None
    if doc.instance_id != instance_id:
        raise NotFound("the variable's file belongs to another instance")
    content = document_path(_policy(ctx), doc).read_bytes()
    return content, str(value.get("mimeType") or doc.content_type), str(value.get("filename") or doc.filename)


def _policy(ctx: OpsContext) -> DocumentPolicy:
    if ctx.documents is None:
        raise BadRequest("File variables need a documents folder (ALUR_DOCUMENTS_PATH)")
    return ctx.documents


__all__ = ["FileUpload", "MARKER", "is_reference", "has_uploads", "stored", "file_data"]
