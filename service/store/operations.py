"""Operator actions: the user operation log (who changed what, when and why) and batches (an
operation over many instances, worked in chunks by the scheduler)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .types import UTCDateTime, new_id, utcnow


class OperationLogEntry(Base):
    """One row of Camunda's user operation log; one operation (`operation_id`) may write several
    (one per changed property, or per instance of a batch)."""

    __tablename__ = "operation_log"
    __table_args__ = (Index("ix_operation_log_time", "timestamp", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    operation_id: Mapped[str] = mapped_column(String(36), index=True)
    operation_type: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    property: Mapped[str | None] = mapped_column(String(64))
    org_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[str | None] = mapped_column(String(255), index=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    definition_id: Mapped[str | None] = mapped_column(String(255))
    definition_key: Mapped[str | None] = mapped_column(String(255))
    batch_id: Mapped[str | None] = mapped_column(String(36))
    incident_id: Mapped[str | None] = mapped_column(String(36))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    annotation: Mapped[str | None] = mapped_column(Text)


class Batch(Base):
    """A batch operation: `remaining` instance ids are worked a chunk at a time under a lease, each
    instance in its own transaction; `failures` keeps the instances that failed, with the reason."""

    __tablename__ = "batch"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    type: Mapped[str] = mapped_column(String(64))       # instance-migration | instance-modification | ...
    total: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[bool] = mapped_column(default=False)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(255))
    start_time: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    execution_start_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remaining: Mapped[list[str]] = mapped_column(JSON, default=list)
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


__all__ = ["OperationLogEntry", "Batch"]
