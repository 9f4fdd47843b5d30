"""Documents attached to a process instance (Kelengkapan and Output files of SOP steps).

The bytes live on disk under the instance's folder (`ALUR_DOCUMENTS_PATH/<instance-id>/`), outside the
database; this table records what was uploaded, by whom and for which step, so the instance page can
list them and downloads can be authorised.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .types import UTCDateTime, new_id, utcnow


class InstanceDocument(Base):
    __tablename__ = "instance_document"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # No foreign key to process_instance: documents outlive a cancelled instance's runtime rows.
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(255))
    step_name: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16))             # kelengkapan | output | lampiran
    label: Mapped[str] = mapped_column(String(500))           # the checklist item or output it documents
    filename: Mapped[str] = mapped_column(String(255))        # as the user named it (sanitised)
    stored_name: Mapped[str] = mapped_column(String(64))      # file name on disk inside the instance folder
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str | None] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = ["InstanceDocument"]
