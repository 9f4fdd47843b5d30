"""People of the web app: users, their group memberships and the tenants they work in.

Groups are plain names (a lane name such as "PPK", or `process-owner`, `admin`) as in Camunda 7, where a
candidate group of a task is matched by name; tenants are the organisations whose work a user may see.
A user acts on a task only when both match (see `service.ops.access`).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .types import UTCDateTime, utcnow

PROCESS_OWNER_GROUP = "process-owner"
ADMIN_GROUP = "admin"
# Machine accounts (external task workers, job runners): work on every instance of their tenants.
WORKER_GROUP = "worker"


class AppUser(Base):
    __tablename__ = "app_user"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)            # the login name
    display_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Raised by logout, a password change, deactivation and membership changes: web sessions and cached
    # REST logins remember it and end when it moves (checked on each request).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    groups: Mapped[list["UserGroup"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", order_by="UserGroup.name")
    tenants: Mapped[list["UserTenant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", order_by="UserTenant.tenant_id")


class UserGroup(Base):
    __tablename__ = "app_user_group"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_app_user_group_member"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255), index=True)

    user: Mapped[AppUser] = relationship(back_populates="groups")


class UserTenant(Base):
    __tablename__ = "app_user_tenant"
    __table_args__ = (UniqueConstraint("user_id", "tenant_id", name="uq_app_user_tenant_member"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    # Not a foreign key: a user may be registered for a tenant before its first deployment creates it.
    tenant_id: Mapped[str] = mapped_column(String(64), index=True)

    user: Mapped[AppUser] = relationship(back_populates="tenants")


__all__ = ["AppUser", "UserGroup", "UserTenant", "PROCESS_OWNER_GROUP", "ADMIN_GROUP", "WORKER_GROUP"]
