"""Who may see and do what. Pure rules over plain values, shared by the web pages and the REST API.

A user works inside their tenants (work without a tenant is shared by all). Within a tenant:
- a task is visible to its assignee, its candidate users and members of its candidate groups; it can be
  claimed, and completed on the web pages, only when it is unassigned or assigned to that user
  (`can_complete`; the REST API completes as Camunda does, without checking the assignee);
- an instance (and its documents) is visible to whoever started it, to whoever worked on it, to members of
  any lane of its model, and to the tenant's process owners;
- a process can be started by members of a lane that holds its start event;
- external tasks and timer jobs of an instance (fetch, lock, complete, execute, details) are worked by
  process owners and the `worker` group of its tenant, members of a lane of its model, and whoever started
  it (`can_work_instance`; the same rule as SQL in `work_scope`);
- models (BPMN, DMN) are edited and deployed by process owners of that tenant;
- running instances are cancelled, suspended, moved, migrated and their incidents retried by process
  owners of their tenant (`can_operate`);
- users are managed by admins.
Anything not allowed is `Forbidden`, and pages treat "does not exist" the same way, so ids leak nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from service.store.users import ADMIN_GROUP, PROCESS_OWNER_GROUP, WORKER_GROUP

from .errors import Forbidden, TaskAlreadyClaimed

FORBIDDEN_PESAN = "Anda tidak berwenang membuka halaman atau data ini."


@dataclass(frozen=True)
class Principal:
    user_id: str
    groups: frozenset[str]
    tenants: frozenset[str]

    @classmethod
    def of(cls, user_id: str, groups: Iterable[str], tenants: Iterable[str]) -> "Principal":
        return cls(user_id=user_id, groups=frozenset(groups), tenants=frozenset(tenants))

    @property
    def is_admin(self) -> bool:
        return ADMIN_GROUP in self.groups

    @property
    def is_process_owner(self) -> bool:
        return PROCESS_OWNER_GROUP in self.groups

    @property
    def is_worker(self) -> bool:
        return WORKER_GROUP in self.groups


def forbidden(what: str = "this resource") -> Forbidden:
    return Forbidden(f"not allowed to access {what}", pesan=FORBIDDEN_PESAN)


def in_tenant(p: Principal, tenant_id: str | None) -> bool:
    return tenant_id is None or tenant_id in p.tenants


def can_see_task(p: Principal, *, tenant_id: str | None, assignee: str | None, candidate_groups: Iterable[str],
                 candidate_users: Iterable[str]) -> bool:
    if not in_tenant(p, tenant_id):
        return False
    if assignee == p.user_id or p.user_id in set(candidate_users):
        return True
    return bool(p.groups & set(candidate_groups))


def can_work_task(p: Principal, *, tenant_id: str | None, assignee: str | None, candidate_groups: Iterable[str],
                  candidate_users: Iterable[str]) -> bool:
    """Claim or complete: visible, and nobody else holds it."""
    return can_see_task(p, tenant_id=tenant_id, assignee=assignee, candidate_groups=candidate_groups,
                        candidate_users=candidate_users) and assignee in (None, p.user_id)


def can_complete(p: Principal, task: object) -> bool:
    """Web pages: a task is completed only by someone who may see it and holds it or finds it unclaimed
    (staff claim first). The REST API follows Camunda instead: `ops.complete_task` itself does not check
    the assignee."""
    return can_work_task(p, **task_kwargs(task))


def require_can_complete(p: Principal, task: object) -> None:
    """`can_complete`, raising: Forbidden when the task is not offered to `p`, Conflict
    (TaskAlreadyClaimedException) when someone else claimed it. Use it as `ops.complete_task(..., guard=)`
    so the rule is checked inside the completing transaction."""
    kwargs = task_kwargs(task)
    if not can_see_task(p, **kwargs):
        raise forbidden("this task")
    assignee = kwargs["assignee"]
    if assignee not in (None, p.user_id):
        raise TaskAlreadyClaimed(f"Task '{getattr(task, 'id', '?')}' is claimed by '{assignee}', not by "
                                 f"'{p.user_id}'", pesan=f"Tugas ini sedang dikerjakan oleh {assignee}")


def task_kwargs(task: Any) -> dict[str, Any]:
    return {"tenant_id": task.tenant_id, "assignee": task.assignee, "candidate_groups": task.candidate_groups,
            "candidate_users": task.candidate_users}


def require_task_visible(p: Principal, task: object) -> None:
    if not can_see_task(p, **task_kwargs(task)):
        raise forbidden("this task")


def can_see_instance(p: Principal, *, tenant_id: str | None, lanes: Iterable[str], started_by: str | None,
                     participants: Iterable[str] = ()) -> bool:
    if not in_tenant(p, tenant_id):
        return False
    if p.is_process_owner or started_by == p.user_id or p.user_id in set(participants):
        return True
    return bool(p.groups & set(lanes))


def can_work_instance(p: Principal, *, tenant_id: str | None, lanes: Iterable[str], started_by: str | None) -> bool:
    """External tasks and timer jobs of an instance (see `work_scope.WorkScope`, the same rule in SQL)."""
    if not in_tenant(p, tenant_id):
        return False
    if p.is_admin or p.is_process_owner or p.is_worker or started_by == p.user_id:
        return True
    return bool(p.groups & set(lanes))


def can_start(p: Principal, *, tenant_id: str | None, start_lanes: Iterable[str]) -> bool:
    return in_tenant(p, tenant_id) and bool(p.groups & set(start_lanes))


def can_manage_models(p: Principal, tenant_id: str | None) -> bool:
    """Shared (tenant-less) models affect every tenant: only an admin who is also a process owner."""
    if not p.is_process_owner:
        return False
    if tenant_id is None:
        return p.is_admin
    return tenant_id in p.tenants


def can_operate(p: Principal, tenant_id: str | None) -> bool:
    """Operator actions on running processes (cancel, suspend, move a step, migrate, retry an incident):
    process owners, on their tenants' instances and the shared ones."""
    return p.is_process_owner and in_tenant(p, tenant_id)


def can_admin_users(p: Principal) -> bool:
    return p.is_admin


__all__ = ["can_operate", "Principal", "forbidden", "in_tenant", "can_see_task", "can_work_task", "can_complete",
           "require_can_complete", "task_kwargs",
           "require_task_visible", "can_see_instance", "can_work_instance", "can_start", "can_manage_models",
           "can_admin_users", "FORBIDDEN_PESAN"]
