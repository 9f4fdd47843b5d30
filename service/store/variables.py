"""The variable projection: one row per variable of a running process instance, typed so that Camunda's
variable filters (`variables`, `processVariables`, `taskVariables`) run as SQL conditions. The engine
state stays the source of truth; rows are written in the save's transaction and removed when the
instance ends."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .types import UTCDateTime

# A string longer than this is kept as kind "text" without a value: it cannot be compared (Camunda keeps
# such strings out of TEXT_ too), and the index entries stay bounded.
MAX_TEXT = 4000


class VariableValue(Base):
    __tablename__ = "variable_value"
    # Filters look a variable up by name and compare one typed column: each comparison reads one index.
    __table_args__ = (Index("ix_variable_value_text", "name", "text_value"),
                      Index("ix_variable_value_number", "name", "number_value"),
                      Index("ix_variable_value_date", "name", "date_value"),
                      Index("ix_variable_value_owner", "instance_id", "name"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    # The user task whose local scope holds the variable; NULL for process variables.
    task_id: Mapped[str | None] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(255))
    # string | text (too long to compare) | number | boolean | date | null | object (lists, maps: not comparable)
    kind: Mapped[str] = mapped_column(String(8))
    text_value: Mapped[str | None] = mapped_column(String(MAX_TEXT))
    number_value: Mapped[float | None] = mapped_column(Float)      # numbers, and booleans as 1/0
    date_value: Mapped[datetime | None] = mapped_column(UTCDateTime)


__all__ = ["VariableValue", "MAX_TEXT"]
