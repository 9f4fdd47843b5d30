"""Downloading an instance document: only for users who may see that instance."""
from __future__ import annotations

from typing import Any

from flask import current_app, send_file

from service.ops import NotFound
from service.ops.documents import document_path, get_document
from service.web.blueprint import bp, forbid, ops
from service.web.settings import document_policy
from service.web.views.instances import instance_or_403


@bp.route("/dokumen/<document_id>")
def download_document(document_id: str) -> Any:
    try:
        doc = get_document(ops(), document_id)
    except NotFound:
        forbid()
    instance_or_403(doc.instance_id)
    path = document_path(document_policy(current_app.config), doc)
    if not path.is_file():
        forbid()
    return send_file(path, mimetype=doc.content_type, as_attachment=True, download_name=doc.filename,
                     max_age=0)
