"""Wires the web layer into the Flask app: settings, Babel, Flask-Login, CSRF, the blueprint, filters."""
from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from service.config import Config
from service.web.settings import session_cookie_secure, web_defaults

csrf = CSRFProtect()


def init_app(app: Flask, config: Config, *, rest_prefix: str) -> None:
    """`rest_prefix`: the REST API's paths, whose errors stay JSON rather than pages."""
    import service.ops.documents  # noqa: F401  (their tables, for create_all and Alembic)
    import service.ops.users  # noqa: F401
    from service.web import filters
    from service.web.auth import init_login
    from service.web.blueprint import bp
    from service.web.i18n import init_babel

    app.config.update(web_defaults(app.config, app.instance_path))
    # The REST API authenticates its own way; only the web blueprint checks CSRF tokens (see blueprint).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    # Flask's own default is None (no attribute), so setdefault would never apply: a cookie without
    # SameSite rides along on cross-site form POSTs.
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if session_cookie_secure(debug=app.debug, testing=app.testing, public_url=config.public_url,
                             insecure_cookies=config.insecure_cookies):
        app.config["SESSION_COOKIE_SECURE"] = True
    csrf.init_app(app)
    init_babel(app)
    init_login(app)
    filters.install(app)
    app.register_blueprint(bp)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        from flask_babel import gettext as _
        return render_template("error.html", code=400, title=_("Formulir kedaluwarsa"),
                               message=_("Token keamanan formulir tidak valid atau kedaluwarsa. Muat ulang halaman "
                                         "lalu kirim lagi.")), 400

    for code in (403, 404):
        app.register_error_handler(code, _page_error(code, rest_prefix))


def too_large_page(limit: int) -> Any:
    """The page for a request body over ALUR_MAX_REQUEST_BYTES (the app's 413 handler calls it)."""
    from flask_babel import gettext as _
    return render_template("error.html", code=413, title=_("Kiriman terlalu besar"),
                           message=_("Jumlah berkas yang dikirim melebihi batas server. Kirim berkas "
                                     "yang lebih kecil atau lebih sedikit.")
                           + f" ({limit} B, ALUR_MAX_REQUEST_BYTES)"), 413


def _page_error(code: int, rest_prefix: str) -> Any:
    def handler(exc: Any) -> Any:
        if request.path.startswith(rest_prefix):
            return exc
        if code == 403 and request.path.startswith("/tugas/"):
            # The same words whether the task was completed, never existed or belongs to others (no leak),
            # but a bookmarked step that a colleague finished should not read as an accusation.
            from flask_babel import gettext as _
            return render_template("error.html", code=code, title=_("Tugas tidak tersedia"),
                                   message=_("Tugas ini mungkin sudah diselesaikan, atau bukan tugas grup Anda. "
                                             "Lihat daftar tugas untuk pekerjaan yang masih terbuka.")), code
        return render_template("error.html", code=code), code
    return handler


__all__ = ["init_app", "csrf", "too_large_page"]
