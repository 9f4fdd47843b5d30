"""Login, logout and the language switch."""
from __future__ import annotations

import math
from typing import Any

from flask import (
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from service.ops.login_throttle import minutes
from service.ops.users import check_login, end_sessions
from service.web.auth import WebUser, remember_session_version
from service.web.blueprint import bp, ops, safe_next
from service.web.i18n import LANGUAGES


@bp.route("/masuk", methods=["GET", "POST"])
def login() -> Any:
    target = safe_next(request.values.get("next"), url_for("web.tasks"))
    if current_user.is_authenticated:
        return redirect(target)
    error = None
    username = ""
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        throttle = ops().login_throttle
        address = throttle.address(request.remote_addr, request.headers.get("X-Forwarded-For"))
        with throttle.guard(username, address):
            wait = throttle.retry_after(username, address)
            if wait is not None:
                # Refused before any password hashing: a blocked guesser costs no CPU.
                return _too_many(username, target, wait)
            result = check_login(ops(), username, request.form.get("password") or "")
            if result.wrong_password:
                throttle.failed(username, address)
            elif result.user is not None:
                throttle.succeeded(username, address)
        user = result.user
        if user is None:
            error = _("Nama pengguna atau kata sandi salah.")
        else:
            lang = session.get("lang")
            session.clear()          # a fresh session at login: no fixation of an earlier one
            if lang:
                session["lang"] = lang
            login_user(WebUser(user))
            remember_session_version(user)
            return redirect(target)
    return render_template("login.html", error=error, username=username, next=target), (401 if error else 200)


def _too_many(username: str, target: str, wait: float) -> Any:
    if wait < 120:
        error = _("Terlalu banyak kata sandi salah; coba lagi dalam %(n)s detik.", n=max(1, math.ceil(wait)))
    else:
        error = _("Terlalu banyak percobaan masuk; coba lagi dalam %(n)s menit.", n=minutes(wait))
    response = make_response(render_template("login.html", error=error, username=username, next=target), 429)
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


@bp.route("/keluar", methods=["POST"])
def logout() -> Any:
    lang = session.get("lang")
    if current_user.is_authenticated:
        # Server-side end of every session of this account: a copied cookie no longer works.
        end_sessions(ops(), current_user.get_id())
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Anda telah keluar."), "success")
    return redirect(url_for("web.login"))


@bp.route("/bahasa", methods=["POST"])
def set_language() -> Any:
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for("web.tasks")))
