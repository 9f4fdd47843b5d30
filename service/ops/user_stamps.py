"""What a cached REST login must still match: the account's session version and whether it is active.
One primary-key SELECT of two columns, far cheaper than verifying a password hash; the session version
moves on every password, membership or activity change and on logout (`users.end_sessions`)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from service.store.users import AppUser

from .context import OpsContext


@dataclass(frozen=True)
class UserStamp:
    user_id: str
    session_version: int
    active: bool


def user_stamp(ctx: OpsContext, username: str) -> UserStamp | None:
    """The account's current stamp (None when there is no such account)."""
    user_id = (username or "").strip().lower()
    with ctx.transaction() as session:
        row = session.execute(select(AppUser.session_version, AppUser.active).where(AppUser.id == user_id)).first()
        if row is None:
            return None
        return UserStamp(user_id, int(row.session_version or 0), bool(row.active))


__all__ = ["UserStamp", "user_stamp"]
