"""The admin page: users, their groups and tenants, passwords."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.ops import OpsError
from service.ops.access import can_admin_users
from service.ops.users import (
    create_user,
    get_user,
    list_tenants,
    list_users,
    set_password,
    tenant_groups,
    update_user,
)
from service.web.auth import remember_session_version
from service.web.blueprint import bp, forbid, ops, principal
from service.web.i18n import current_lang
from service.web.pagination import paginate


def _require_admin() -> None:
    if not can_admin_users(principal()):
        forbid()


def _known_groups(tenants: list[str]) -> list[str]:
    out: list[str] = []
    for tenant in tenants:
        for g in tenant_groups(ops(), tenant):
            if g not in out:
                out.append(g)
    return out


def _names(field: str) -> list[str]:
    values = request.form.getlist(field)
    extra = request.form.get(field + "_lain") or ""
    return [v for v in values if v.strip()] + [v.strip() for v in extra.split(",") if v.strip()]


@bp.route("/admin/pengguna", methods=["GET", "POST"])
def admin_users() -> Any:
    _require_admin()
    errors: list[str] = []
    if request.method == "POST":
        try:
            user = create_user(ops(), request.form.get("username") or "", request.form.get("password") or "",
                               display_name=request.form.get("display_name") or None,
                               email=request.form.get("email") or None, groups=_names("groups"),
                               tenants=_names("tenants"))
        except OpsError as exc:
            errors.append(exc.pesan if current_lang() == "id" else exc.message)
        else:
            flash(_("Pengguna %(name)s dibuat.", name=user.id), "success")
            return redirect(url_for("web.admin_users"))
    tenants = list_tenants(ops())
    tenant = request.args.get("instansi") or None
    query = (request.args.get("cari") or "").strip().lower()
    users = [u for u in list_users(ops(), tenant=tenant if tenant in tenants else None)
             if not query or query in u.id.lower() or query in (u.display_name or "").lower()
             or any(query in g.lower() for g in u.groups)]
    page = paginate(users, request.args, per_page=50)
    return render_template("admin_users.html", users=page.items, page=page, tenants=tenants, tenant=tenant,
                           query=query, groups=_known_groups(tenants), errors=errors,
                           form=request.form), (400 if errors else 200)


@bp.route("/admin/pengguna/<user_id>", methods=["POST"])
def admin_user_update(user_id: str) -> Any:
    _require_admin()
    action = request.form.get("action")
    try:
        if action == "password":
            set_password(ops(), user_id, request.form.get("password") or "")
            if user_id.strip().lower() == principal().user_id:
                # Other sessions of this user end; the admin's own session goes on with the new version.
                remember_session_version(get_user(ops(), user_id))
            flash(_("Kata sandi %(name)s diganti.", name=user_id), "success")
        elif action == "memberships":
            view = update_user(ops(), user_id, groups=_names("groups"), tenants=_names("tenants"),
                               active=request.form.get("active") == "1")
            if view.id == principal().user_id:
                remember_session_version(view)      # the admin's own session goes on
            flash(_("Keanggotaan %(name)s disimpan.", name=user_id), "success")
        else:
            flash(_("Aksi tidak dikenal."), "error")
    except OpsError as exc:
        flash(exc.pesan if current_lang() == "id" else exc.message, "error")
    return redirect(url_for("web.admin_users"))
