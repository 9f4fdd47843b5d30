"""Append-only history: instance, activity, variable and decision events."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .types import UTCDateTime


class HistoryEvent(Base):
    __tablename__ = "history_event"
    # user/instance: who took part in an instance (the instance access rule), answered from the index.
    __table_args__ = (Index("ix_history_event_instance_seq", "instance_id", "id"),
                      Index("ix_history_event_user_instance", "user_id", "instance_id"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # instance_started | instance_ended | activity_started | activity_ended | activity_cancelled |
    # variable_set | variable_removed | decision_evaluated | instance_cancelled
    kind: Mapped[str] = mapped_column(String(32), index=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime)
    instance_id: Mapped[str | None] = mapped_column(String(36))
    definition_id: Mapped[str | None] = mapped_column(String(255))
    definition_key: Mapped[str | None] = mapped_column(String(255))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    element_id: Mapped[str | None] = mapped_column(String(255))
    element_name: Mapped[str | None] = mapped_column(String(500))
    element_type: Mapped[str | None] = mapped_column(String(64))
    lane: Mapped[str | None] = mapped_column(String(255))
    task_id: Mapped[str | None] = mapped_column(String(36))
    user_id: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


__all__ = ["HistoryEvent"]
