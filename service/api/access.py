"""Authorization of /engine-rest requests with the rules of the web pages (service.ops.access).

Admins may do everything. Other users work inside their tenants (tenant-less work is shared): they see
and work tasks offered to them, see instances they may see on the pages, start processes from their
lanes, deploy and delete models only as process owners of that tenant. When REST authentication is
off there is no principal and nothing is restricted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import g, request

from service.ops import access as rules
from service.ops.access import Principal

from .common import ops
from .routes import ASSIGN, MANAGE, OPEN, ROUTE_RULES, START, WORK, WRITE


def principal() -> Principal | None:
    p = getattr(g, "rest_principal", None)
    return None if p is None or p.is_admin else p


def tenant_predicate() -> Callable[[str | None], bool] | None:
    p = principal()
    if p is None:
        return None
    return lambda tenant: rules.in_tenant(p, tenant)


@dataclass(frozen=True)
class TenantScope:
    """Which tenants a list may show: rows of a tenant in `ids` (any tenant when `ids` is None) and
    tenant-less rows when `include_null`."""

    ids: list[str] | None
    include_null: bool

    @property
    def empty(self) -> bool:
        """Nothing at all can match: answer with an empty list without asking the database."""
        return self.ids is not None and not self.ids and not self.include_null

    def explicit(self) -> dict[str, Any]:
        """For queries where `tenant_ids` (None: no filter) and `include_without_tenant` are independent."""
        return {"tenant_ids": self.ids, "include_without_tenant": self.include_null and self.ids is not None}

    def split(self) -> tuple[list[str] | None, bool]:
        """For queries taking (tenant ids or None, tenant-less flag), where the flag alone means "only
        tenant-less rows" and with ids means "and tenant-less rows"."""
        if self.ids is None:
            return None, False
        return (list(self.ids), self.include_null) if self.ids else (None, self.include_null)

    def three_way(self) -> dict[str, Any]:
        """For queries with `tenant_ids`, `include_without_tenant` (with ids) and `without_tenant` (alone)."""
        ids, flag = self.split()
        return {"tenant_ids": ids, "include_without_tenant": flag if ids else False,
                "without_tenant": flag if not ids and self.ids is not None else False}


def apply_tenant_filter(requested: list[str] | None, *, without_tenant: bool = False,
                        include_without_tenant: bool = False) -> TenantScope:
    """The one tenant filter of every list endpoint: Camunda's `tenantIdIn`, `withoutTenantId` and
    `include...WithoutTenantId` as asked, then narrowed to the caller's tenants (tenant-less rows are shared
    by everyone). Admins and unauthenticated setups get the query as asked."""
    if requested:
        scope = TenantScope(sorted(set(requested)), include_without_tenant)
    elif without_tenant:
        scope = TenantScope([], True)
    else:
        scope = TenantScope(None, True)
    p = principal()
    if p is None:
        return scope
    ids = sorted(p.tenants) if scope.ids is None else [t for t in scope.ids if t in p.tenants]
    return TenantScope(ids, scope.include_null)


def can_see_task(task: Any) -> bool:
    p = principal()
    return p is None or rules.can_see_task(p, **rules.task_kwargs(task))


def can_see_instance(view: Any) -> bool:
    p = principal()
    if p is None:
        return True
    if not rules.in_tenant(p, view.tenant_id):
        return False
    from service.ops.participation import instance_participants, process_shape
    try:
        lanes = process_shape(ops(), view.definition_id).lanes
    except Exception:   # noqa: BLE001 - a definition deleted under us: judge by tenant and people only
        lanes = ()
    return rules.can_see_instance(p, tenant_id=view.tenant_id, lanes=lanes, started_by=view.start_user_id,
                                  participants=instance_participants(ops(), view.id))


def can_start_definition(definition: Any) -> bool:
    """The caller may start `definition` (a process definition row or view): a member of a start lane."""
    p = principal()
    if p is None:
        return True
    from service.ops.participation import process_shape
    shape = process_shape(ops(), definition.id)
    return rules.can_start(p, tenant_id=definition.tenant_id, start_lanes=shape.start_lanes)


def instance_visibility() -> Any:
    """The history narrowing of `can_see_instance` for the caller (a `Visibility`), or None when tenant
    narrowing is enough: unrestricted callers and process owners, who see their whole tenant."""
    p = principal()
    if p is None or p.is_process_owner:
        return None
    from service.ops.history_queries import Visibility
    from service.ops.participation import lane_definition_ids

    return Visibility(user_id=p.user_id, lane_definition_ids=lane_definition_ids(ops(), p.tenants, p.groups))


def work_scope() -> Any:
    """The instances the caller may work on as a worker (a `WorkScope` for queries and fetch-and-lock), or
    None when the tenant rule is enough: unrestricted callers, process owners and the worker group."""
    p = principal()
    if p is None or p.is_process_owner or p.is_worker:
        return None
    from service.ops.participation import lane_definition_ids
    from service.ops.work_scope import WorkScope

    return WorkScope(user_id=p.user_id, definition_ids=lane_definition_ids(ops(), p.tenants, p.groups))


def require_work(view: Any, what: str) -> None:
    """The caller may work on an external task or job (`view` has tenant_id, definition_id, instance_id):
    `can_work_instance`, else Forbidden."""
    p = principal()
    if p is not None:
        _check_work(p, view, what)


def _check_work(p: Principal, view: Any, what: str) -> None:
    from service import ops as operations
    from service.ops.participation import process_shape

    if not rules.in_tenant(p, view.tenant_id):
        raise rules.forbidden(what)
    if p.is_process_owner or p.is_worker:
        return
    try:
        lanes = process_shape(ops(), view.definition_id).lanes
    except Exception:   # noqa: BLE001 - a definition deleted under us: no lane grants anything
        lanes = ()
    # A timer start event's job has no instance: the lanes of its process decide.
    started_by = operations.get_instance(ops(), view.instance_id).start_user_id if view.instance_id else None
    if not rules.can_work_instance(p, tenant_id=view.tenant_id, lanes=lanes, started_by=started_by):
        raise rules.forbidden(what)


PREFIX = "/engine-rest"


def route_rule(rule: str, method: str) -> str | None:
    """The access rule a route declared (routes.Resource) for a Flask rule string, with or without the
    /engine-rest prefix; None when it declared none."""
    path = rule[len(PREFIX):] if rule.startswith(PREFIX) else rule
    return ROUTE_RULES.get((path, "GET" if method == "HEAD" else method))


def check_request() -> None:
    """before_request (after authentication): refuse what this principal may not do. Lists are
    narrowed by the query handlers themselves."""
    p = principal()
    if p is None or request.url_rule is None or request.method == "OPTIONS":
        return
    from service import ops as operations

    rule = route_rule(request.url_rule.rule, request.method)
    if rule is None:
        raise rules.forbidden("this endpoint")
    if rule == OPEN:
        return
    path = request.url_rule.rule[len(PREFIX):]
    args = request.view_args or {}
    ctx = ops()
    if "task_id" in args and path.startswith("/external-task/"):
        from service.ops.external_tasks import get_external_task
        _check_work(p, get_external_task(ctx, args["task_id"]), "this external task")
    elif "job_id" in args and path.startswith("/job/"):
        from service.ops.jobs import get_job
        _check_work(p, get_job(ctx, args["job_id"]), "this job")
    elif "task_id" in args:
        task = operations.get_task(ctx, args["task_id"])
        if rule == ASSIGN:
            _check_reassign(p, task, "assignee" if path.endswith("/assignee") else "unclaim")
        elif not can_see_task(task):
            raise rules.forbidden("this task")
        # The pages' rule: staff complete only what they hold or what is unclaimed; admins are unrestricted.
        elif rule == WORK and not rules.can_work_task(p, **rules.task_kwargs(task)):
            raise rules.forbidden("this task: it is assigned to someone else")
    if "instance_id" in args:
        if not can_see_instance(operations.get_instance(ctx, args["instance_id"])):
            raise rules.forbidden("this process instance")
        # Seeing is not changing: cancelling an instance or editing its variables is a process owner's job.
        if rule == WRITE and not p.is_process_owner:
            raise rules.forbidden("this process instance: only process owners may change it")
    if "definition_id" in args:
        kind = "decision" if path.startswith("/decision-definition/") else "process"
        if not rules.in_tenant(p, operations.get_definition(ctx, kind, definition_id=args["definition_id"]).tenant_id):
            raise rules.forbidden(f"this {kind} definition")
    if "deployment_id" in args and not rules.in_tenant(p, _deployment_tenant(args)):
        raise rules.forbidden("this deployment")
    if "tenant" in args and not rules.in_tenant(p, args["tenant"]):
        raise rules.forbidden(f"tenant {args['tenant']}")
    if rule == MANAGE:
        tenant = (request.form.get("tenant-id") or None) if request.method == "POST" else _deployment_tenant(args)
        if not rules.can_manage_models(p, tenant):
            raise rules.forbidden("deployments of this tenant: only process owners deploy models")
    if rule == START:
        _check_start(p, args)


def _check_reassign(p: Principal, task: Any, action: str) -> None:
    """Unclaim and set-assignee: a process owner of the task's tenant may hand any task to anyone who may
    see it; others only release their own claim, or take a task they could claim themselves."""
    kwargs = rules.task_kwargs(task)
    owner = p.is_process_owner and task.tenant_id in p.tenants if task.tenant_id else p.is_process_owner
    if not owner and not rules.can_see_task(p, **kwargs):
        raise rules.forbidden("this task")
    target = (request.get_json(silent=True) or {}).get("userId") if action == "assignee" else None
    if owner:
        if target is not None and not _user_sees_task(str(target), kwargs):
            raise rules.forbidden(f"assigning this task to {target}: that user may not see it")
        return
    if target is None:
        if task.assignee != p.user_id:
            raise rules.forbidden("this task: only its assignee or a process owner may release it")
        return
    if target != p.user_id:
        raise rules.forbidden("this task: only a process owner may assign it to someone else")
    if not rules.can_work_task(p, **kwargs):
        raise rules.forbidden("this task: it is assigned to someone else")


def _user_sees_task(user_id: str, kwargs: dict[str, Any]) -> bool:
    from service.ops.users import find_user
    user = find_user(ops(), user_id)
    if user is None or not user.active:
        return False
    target = Principal.of(user.id, user.groups, user.tenants)
    return target.is_admin or rules.can_see_task(target, **kwargs)


def _deployment_tenant(args: dict[str, Any]) -> str | None:
    from service import ops as operations
    return operations.get_deployment(ops(), args["deployment_id"]).tenant_id if "deployment_id" in args else None


def _check_start(p: Principal, args: dict[str, Any]) -> None:
    from service import ops as operations
    from service.ops.participation import process_shape

    definition = operations.get_definition(ops(), "process", definition_id=args.get("definition_id"),
                                           key=args.get("key"), tenant=args.get("tenant"))
    shape = process_shape(ops(), definition.id)
    if not rules.can_start(p, tenant_id=definition.tenant_id, start_lanes=shape.start_lanes):
        raise rules.forbidden(f"starting process {definition.key}: only members of its start lane may")


__all__ = ["principal", "tenant_predicate", "TenantScope", "apply_tenant_filter", "can_see_task", "can_see_instance",
           "can_start_definition", "instance_visibility", "work_scope", "require_work", "check_request", "route_rule"]
