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
from service.ops.users import authenticate
from service.web.auth import WebUser, remember_password_stamp
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
        wait = throttle.attempt(username, request.remote_addr)
        if wait is not None:
            # Refused before any password hashing: a blocked guesser costs no CPU.
            return _too_many(username, target, wait)
        user = authenticate(ops(), username, request.form.get("password") or "")
        if user is None:
            error = _("Nama pengguna atau kata sandi salah.")     # already counted by attempt()
        else:
            throttle.succeeded(username, request.remote_addr)
            lang = session.get("lang")
            session.clear()          # a fresh session at login: no fixation of an earlier one
            if lang:
                session["lang"] = lang
            login_user(WebUser(user))
            remember_password_stamp(user)
            return redirect(target)
    return render_template("login.html", error=error, username=username, next=target), (401 if error else 200)


def _too_many(username: str, target: str, wait: float) -> Any:
    error = _("Terlalu banyak percobaan masuk; coba lagi dalam %(n)s menit.", n=minutes(wait))
    response = make_response(render_template("login.html", error=error, username=username, next=target), 429)
    response.headers["Retry-After"] = str(math.ceil(wait))
    return response


@bp.route("/keluar", methods=["POST"])
def logout() -> Any:
    lang = session.get("lang")
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
