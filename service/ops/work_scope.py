"""Which process instances a user may work on as a machine would: their external tasks (fetch, lock,
complete, failure, extend, unlock and details) and their timer jobs (execute, retries, details), as
Camunda's authorizations on the process instance decide.

Admins, process owners of the tenant and members of the `worker` group work on every instance of their
tenants; anyone else on instances of process models with a lane named after one of their groups, and
on instances they started (the tenant rule always applies first). `WorkScope` is that rule as a SQL
condition, so lists, counts and fetch-and-lock are narrowed in the query, before paging and locking.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, or_

from service.store import ProcessInstance


@dataclass(frozen=True)
class WorkScope:
    """Instances of `definition_ids`, or started by `user_id`."""

    user_id: str
    definition_ids: tuple[str, ...]

    def condition(self) -> Any:
        """A WHERE clause on `ProcessInstance` (the query must join it)."""
        by_lane = ProcessInstance.definition_id.in_(self.definition_ids) if self.definition_ids else false()
        return or_(by_lane, ProcessInstance.start_user_id == self.user_id)


__all__ = ["WorkScope"]
