"""Users, their groups and tenants: create, change, authenticate, and seed the demo users.

Passwords are stored as werkzeug hashes (scrypt/pbkdf2); nothing here ever returns a hash.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from service.store import ProcessDefinition, tenant_scope
from service.store.users import (
    ADMIN_GROUP,
    PROCESS_OWNER_GROUP,
    AppUser,
    UserGroup,
    UserTenant,
)

from . import definitions
from .context import OpsContext
from .errors import BadRequest, Conflict, NotFound

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD = 8
DEMO_PASSWORD = "alur-demo-2024"
# werkzeug's method name; tests lower the cost, production keeps the default (scrypt).
PASSWORD_METHOD = "scrypt"
_dummy_hashes: dict[str, str] = {}
# Counts session-version changes made by this process, so caches of logins in this process (REST Basic)
# notice at once; other processes notice at their next check of the account's session version.
_generation = [0]


def credentials_generation() -> int:
    return _generation[0]


def _changed() -> None:
    _generation[0] += 1


def _hash(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def _dummy_hash() -> str:
    """Checked when the user does not exist, so a wrong name costs as long as a wrong password."""
    if PASSWORD_METHOD not in _dummy_hashes:
        _dummy_hashes[PASSWORD_METHOD] = _hash("not-a-password")
    return _dummy_hashes[PASSWORD_METHOD]


@dataclass(frozen=True)
class UserView:
    id: str
    display_name: str
    email: str | None
    active: bool
    groups: tuple[str, ...]
    tenants: tuple[str, ...]
    # Moves on logout, password change, deactivation and membership changes (`end_sessions`): a web
    # session and a cached REST login remember it and end when it moves.
    session_version: int = field(default=0, compare=False)


def _view(row: AppUser) -> UserView:
    return UserView(id=row.id, display_name=row.display_name, email=row.email, active=row.active,
                    groups=tuple(sorted(g.name for g in row.groups)),
                    tenants=tuple(sorted(t.tenant_id for t in row.tenants)),
                    session_version=row.session_version or 0)


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise BadRequest(f"the password must have at least {MIN_PASSWORD} characters",
                         pesan=f"Kata sandi minimal {MIN_PASSWORD} karakter")


def _clean_names(values: Iterable[str] | None, what: str, pesan: str) -> list[str]:
    out: list[str] = []
    for raw in values or []:
        name = (raw or "").strip()
        if not name:
            continue
        if len(name) > 255:
            raise BadRequest(f"{what} name too long: {name[:40]}...", pesan=f"Nama {pesan} terlalu panjang")
        if name not in out:
            out.append(name)
    return out


def create_user(ctx: OpsContext, username: str, password: str, *, display_name: str | None = None,
                email: str | None = None, groups: Iterable[str] = (), tenants: Iterable[str] = ()) -> UserView:
    username = (username or "").strip().lower()
    if not USERNAME.fullmatch(username):
        raise BadRequest(f"invalid user name {username!r}: use 2-64 of a-z 0-9 . _ -, starting with a letter "
                         "or digit", pesan="Nama pengguna hanya boleh huruf kecil, angka, titik, garis bawah "
                                           "dan tanda hubung (2-64 karakter)")
    _check_password(password)
    group_names = _clean_names(groups, "group", "grup")
    tenant_ids = _clean_names(tenants, "tenant", "instansi")
    with ctx.transaction() as session:
        if session.get(AppUser, username) is not None:
            raise Conflict(f"user {username} already exists", pesan=f"Pengguna {username} sudah ada")
        row = AppUser(id=username, display_name=(display_name or username).strip() or username,
                      email=(email or None), password_hash=_hash(password), active=True)
        row.groups = [UserGroup(name=g) for g in group_names]
        row.tenants = [UserTenant(tenant_id=t) for t in tenant_ids]
        session.add(row)
        session.flush()
        return _view(row)


def _require(session: Any, username: str) -> AppUser:
    row = session.get(AppUser, (username or "").strip().lower())
    if row is None:
        raise NotFound(f"no user {username}", pesan=f"Pengguna {username} tidak ditemukan")
    return row


def get_user(ctx: OpsContext, username: str) -> UserView:
    with ctx.transaction() as session:
        return _view(_require(session, username))


def find_user(ctx: OpsContext, username: str) -> UserView | None:
    with ctx.transaction() as session:
        row = session.get(AppUser, (username or "").strip().lower())
        return _view(row) if row is not None else None


def list_users(ctx: OpsContext, *, tenant: str | None = None) -> list[UserView]:
    with ctx.transaction() as session:
        query = select(AppUser).order_by(AppUser.id)
        if tenant is not None:
            query = query.where(AppUser.tenants.any(UserTenant.tenant_id == tenant))
        return [_view(r) for r in session.scalars(query)]


def set_password(ctx: OpsContext, username: str, password: str) -> None:
    _check_password(password)
    with ctx.transaction() as session:
        row = _require(session, username)
        row.password_hash = _hash(password)
        _bump(row)
    _changed()


def _bump(row: AppUser) -> None:
    row.session_version = (row.session_version or 0) + 1


def end_sessions(ctx: OpsContext, username: str) -> None:
    """End every web session and cached REST login of the user (logout): they are checked against the
    account's session version on each request."""
    with ctx.transaction() as session:
        row = session.get(AppUser, (username or "").strip().lower())
        if row is not None:
            _bump(row)
    _changed()


def update_user(ctx: OpsContext, username: str, *, display_name: str | None = None, email: str | None = None,
                groups: Iterable[str] | None = None, tenants: Iterable[str] | None = None,
                active: bool | None = None) -> UserView:
    with ctx.transaction() as session:
        row = _require(session, username)
        if display_name is not None and display_name.strip():
            row.display_name = display_name.strip()
        if email is not None:
            row.email = email.strip() or None
        before = (row.active, [g.name for g in row.groups], [t.tenant_id for t in row.tenants])
        if active is not None:
            row.active = active
        if groups is not None:
            wanted = _clean_names(groups, "group", "grup")
            row.groups = [g for g in row.groups if g.name in wanted] + [
                UserGroup(name=n) for n in wanted if n not in {g.name for g in row.groups}]
        if tenants is not None:
            wanted_t = _clean_names(tenants, "tenant", "instansi")
            row.tenants = [t for t in row.tenants if t.tenant_id in wanted_t] + [
                UserTenant(tenant_id=n) for n in wanted_t if n not in {t.tenant_id for t in row.tenants}]
        if before != (row.active, [g.name for g in row.groups], [t.tenant_id for t in row.tenants]):
            _bump(row)     # cached REST logins carry the old rights: they end
        session.flush()
        view = _view(row)
    _changed()
    return view


@dataclass(frozen=True)
class LoginCheck:
    """The outcome of a password check: the user when it succeeded; `wrong_password` only when the
    password itself was wrong (an unknown name counts as one; an inactive account with the right
    password does not, so it never feeds the login back-off)."""

    user: UserView | None
    wrong_password: bool


def check_login(ctx: OpsContext, username: str, password: str) -> LoginCheck:
    # The row is read and the transaction closed BEFORE the hash is checked: a password check costs
    # ~50-150 ms of CPU, which must not hold a connection and an open transaction.
    with ctx.transaction() as session:
        row = session.get(AppUser, (username or "").strip().lower())
        found = None if row is None else (row.password_hash, row.active, _view(row))
    if found is None:
        check_password_hash(_dummy_hash(), password or "")
        return LoginCheck(None, True)
    password_hash, active, view = found
    if not check_password_hash(password_hash, password or ""):
        return LoginCheck(None, True)
    return LoginCheck(view if active else None, False)


def authenticate(ctx: OpsContext, username: str, password: str) -> UserView | None:
    """The user when the name and password match an active account, else None (never says which failed)."""
    return check_login(ctx, username, password).user


def tenant_lanes(ctx: OpsContext, tenant: str | None) -> list[str]:
    """Lane names of the latest process models deployed in `tenant`, in diagram order, each once."""
    return _tenant_names(ctx, tenant, candidate_groups=False)


def tenant_candidate_groups(ctx: OpsContext, tenant: str | None) -> list[str]:
    """Groups named by `camunda:candidateGroups` in the tenant's latest models (expressions left out):
    a step may go to groups other than its lane's."""
    return _tenant_names(ctx, tenant, candidate_groups=True)


def _tenant_names(ctx: OpsContext, tenant: str | None, *, candidate_groups: bool) -> list[str]:
    lanes: list[str] = []
    with ctx.transaction() as session:
        rows = list(session.scalars(select(ProcessDefinition).where(
            ProcessDefinition.tenant_scope == tenant_scope(tenant)).order_by(
            ProcessDefinition.key, ProcessDefinition.version)))
        newest: dict[str, ProcessDefinition] = {}
        for row in rows:
            newest[row.key] = row
        for row in newest.values():
            model = definitions.model_of(ctx, session, row)
            if candidate_groups:
                names = [g.strip() for e in (getattr(model, "elements", {}) or {}).values()
                         for g in str((getattr(e, "attributes", {}) or {}).get("candidateGroups") or "").split(",")
                         if "${" not in g and "#{" not in g]
            else:
                names = list(getattr(model, "lanes", []) or [])
            for name in names:
                if name and name not in lanes:
                    lanes.append(name)
    return lanes


def tenant_groups(ctx: OpsContext, tenant: str | None) -> list[str]:
    """The groups of a tenant: its lane names, other candidate groups of its models, process-owner, admin."""
    lanes = tenant_lanes(ctx, tenant)
    return lanes + [g for g in tenant_candidate_groups(ctx, tenant) if g not in lanes] + [PROCESS_OWNER_GROUP,
                                                                                          ADMIN_GROUP]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "user"


def _shorten(name: str, limit: int) -> str:
    """Cut a long slug at a word boundary ("...-pokja-pemiliha" reads as a typo)."""
    if len(name) <= limit:
        return name
    cut = name[:limit + 1]
    return (cut.rsplit("-", 1)[0] if "-" in cut else name[:limit]).rstrip("-")


def demo_username(group: str, tenant: str) -> str:
    """`PPK` of `pagaralam` -> `ppk.pagaralam` (at most 64 characters, cut at a word)."""
    return f"{_shorten(slug(group), 64 - len(tenant) - 1)}.{tenant}"


def demo_accounts(ctx: OpsContext) -> list[dict[str, Any]]:
    """One account per lane (and per other candidate group) per tenant (`ppk.pagaralam`), a process owner
    per tenant, one admin."""
    from service.store import Tenant

    with ctx.transaction() as session:
        tenants = [t.id for t in session.scalars(select(Tenant).order_by(Tenant.id))]
    accounts: list[dict[str, Any]] = []
    for tenant in tenants:
        for lane in tenant_groups(ctx, tenant)[:-2]:
            accounts.append({"username": demo_username(lane, tenant), "display_name": f"{lane} ({tenant})",
                             "groups": [lane], "tenants": [tenant]})
        accounts.append({"username": f"pemilik-proses.{tenant}", "display_name": f"Pemilik proses ({tenant})",
                         "groups": [PROCESS_OWNER_GROUP], "tenants": [tenant]})
    accounts.append({"username": "admin", "display_name": "Administrator", "groups": [ADMIN_GROUP,
                     PROCESS_OWNER_GROUP], "tenants": tenants})
    return accounts


def seed_demo_users(ctx: OpsContext, password: str = DEMO_PASSWORD) -> list[str]:
    """Create the demo accounts that do not exist yet (existing ones keep their password, gain new
    tenants and groups). Returns the names created."""
    created: list[str] = []
    seen: set[str] = set()
    for account in demo_accounts(ctx):
        if account["username"] in seen or not USERNAME.fullmatch(account["username"]):
            continue        # two lanes with the same slug: the first keeps the name
        seen.add(account["username"])
        existing = find_user(ctx, account["username"])
        if existing is None:
            create_user(ctx, account["username"], password, display_name=account["display_name"],
                        groups=account["groups"], tenants=account["tenants"])
            created.append(account["username"])
        else:
            update_user(ctx, existing.id, groups=sorted(set(existing.groups) | set(account["groups"])),
                        tenants=sorted(set(existing.tenants) | set(account["tenants"])))
    return created


__all__ = ["UserView", "create_user", "get_user", "find_user", "list_users", "set_password", "update_user",
           "end_sessions", "credentials_generation", "authenticate", "check_login", "LoginCheck", "tenant_lanes",
           "tenant_candidate_groups", "tenant_groups", "demo_accounts", "demo_username", "seed_demo_users",
           "DEMO_PASSWORD", "MIN_PASSWORD", "slug", "list_tenants"]


def list_tenants(ctx: OpsContext) -> list[str]:
    """Every tenant known to the store or named in a user's memberships."""
    from service.store import Tenant

    with ctx.transaction() as session:
        known = set(session.scalars(select(Tenant.id)))
        known.update(session.scalars(select(UserTenant.tenant_id).distinct()))
    return sorted(known)
