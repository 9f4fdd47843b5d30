"""Who may run operator actions (cancel, suspend, modify, migrate, batches) and on which tenants: process
owners, on their tenants' instances and the shared (tenant-less) ones; unauthenticated setups and admins
without restriction. Routes with an instance in the path are checked by `access.check_request` (WRITE);
the others declare OPERATE and narrow what they select with `tenant_scope()`."""
from __future__ import annotations

from flask import g

from service.ops import access as rules

from .access import principal


def user_id() -> str | None:
    p = getattr(g, "rest_principal", None)
    return p.user_id if p is not None else None


def require_operator() -> None:
    p = principal()
    if p is not None and not p.is_process_owner:
        raise rules.forbidden("this operation: only process owners may change running processes")


def require_tenant(tenant_id: str | None) -> None:
    p = principal()
    if p is not None and not rules.in_tenant(p, tenant_id):
        raise rules.forbidden(f"tenant {tenant_id}")


def tenant_scope() -> tuple[list[str], bool] | None:
    """(tenant ids, tenant-less too) the caller may change, or None for no restriction."""
    require_operator()
    p = principal()
    return None if p is None else (sorted(p.tenants), True)


__all__ = ["user_id", "require_operator", "require_tenant", "tenant_scope"]
