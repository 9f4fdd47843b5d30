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

_TASK_WORK = ("claim", "complete", "submit_form", "resolve", "unclaim", "assignee", "modify_variables",
              "put_variable", "delete_variable", "add_identity_link", "delete_identity_link")


def principal() -> Principal | None:
    p = getattr(g, "rest_principal", None)
    return None if p is None or p.is_admin else p


def tenant_predicate() -> Callable[[str | None], bool] | None:
    p = principal()
    if p is None:
        return None
    return lambda tenant: rules.in_tenant(p, tenant)


@dataclass(frozen=True)
class TenantFilter:
    """What a restricted principal may see of a query for `requested` tenants: rows of `ids`, plus
    tenant-less rows when `include_null`; `empty` when nothing at all can match."""

    ids: list[str]
    include_null: bool

    @property
    def empty(self) -> bool:
        return not self.ids and not self.include_null


def narrow_tenants(requested: list[str] | None, include_null: bool = False) -> TenantFilter | None:
    """None when unrestricted (authentication off, or an admin): apply the query as asked."""
    p = principal()
    if p is None:
        return None
    if requested is None:
        return TenantFilter(sorted(p.tenants), True)
    return TenantFilter(sorted(set(requested) & p.tenants), include_null)


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


def _short(endpoint: str) -> tuple[str, str]:
    parts = endpoint.split(".")
    return (parts[-2] if len(parts) > 1 else ""), parts[-1]


def check_request() -> None:
    """before_request (after authentication): refuse what this principal may not do. Lists are
    narrowed by the query handlers themselves."""
    p = principal()
    if p is None or request.endpoint is None:
        return
    from service import ops as operations

    resource, action = _short(request.endpoint)
    args = request.view_args or {}
    ctx = ops()
    if "task_id" in args and "external" not in resource:
        task = operations.get_task(ctx, args["task_id"])
        if not can_see_task(task):
            raise rules.forbidden("this task")
        # The pages' rule: staff complete only what they hold or what is unclaimed; admins are unrestricted.
        if action in _TASK_WORK and action not in ("unclaim", "assignee") and not rules.can_work_task(
                p, **rules.task_kwargs(task)):
            raise rules.forbidden("this task: it is assigned to someone else")
    elif "task_id" in args and "external" in resource:
        from service.ops.external_tasks import get_external_task
        if not rules.in_tenant(p, get_external_task(ctx, args["task_id"]).tenant_id):
            raise rules.forbidden("this external task")
    if "instance_id" in args and "history" not in resource:
        if not can_see_instance(operations.get_instance(ctx, args["instance_id"])):
            raise rules.forbidden("this process instance")
    if "definition_id" in args:
        kind = "decision" if "decision" in resource else "process"
        if not rules.in_tenant(p, operations.get_definition(ctx, kind, definition_id=args["definition_id"]).tenant_id):
            raise rules.forbidden(f"this {kind} definition")
    if "deployment_id" in args and not rules.in_tenant(p, _deployment_tenant(args)):
        raise rules.forbidden("this deployment")
    if "tenant" in args and not rules.in_tenant(p, args["tenant"]):
        raise rules.forbidden(f"tenant {args['tenant']}")
    if "deployment" in resource and request.method in ("POST", "DELETE"):
        tenant = request.form.get("tenant-id") or None if request.method == "POST" else _deployment_tenant(args)
        if not rules.can_manage_models(p, tenant):
            raise rules.forbidden("deployments of this tenant: only process owners deploy models")
    if resource in ("rest_process_definition", "rest_definition_query") and request.method == "POST" \
            and (action.startswith("start") or action.startswith("submit_form")):
        _check_start(p, args)


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


__all__ = ["principal", "tenant_predicate", "TenantFilter", "narrow_tenants", "can_see_task", "can_see_instance",
           "check_request"]
