"""What a cached REST login must still match: the account's password hash, whether it is active, and
its current groups and tenants. Reading this is a primary-key lookup, far cheaper than verifying a
password hash, so a cached login is re-checked on every request and a deactivation, password change
or group/tenant change takes effect at once."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from service.store.users import AppUser, UserGroup, UserTenant

from .context import OpsContext


@dataclass(frozen=True)
class UserStamp:
    user_id: str
    password_hash: str
    active: bool
    groups: tuple[str, ...]
    tenants: tuple[str, ...]


def user_stamp(ctx: OpsContext, username: str) -> UserStamp | None:
    """The account's current stamp (None when there is no such account)."""
    user_id = (username or "").strip().lower()
    with ctx.transaction() as session:
        row = session.execute(select(AppUser.password_hash, AppUser.active).where(AppUser.id == user_id)).first()
        if row is None:
            return None
        groups = session.scalars(select(UserGroup.name).where(UserGroup.user_id == user_id)
                                 .order_by(UserGroup.name)).all()
        tenants = session.scalars(select(UserTenant.tenant_id).where(UserTenant.user_id == user_id)
                                  .order_by(UserTenant.tenant_id)).all()
        return UserStamp(user_id, row.password_hash, bool(row.active), tuple(groups), tuple(tenants))


__all__ = ["UserStamp", "user_stamp"]
