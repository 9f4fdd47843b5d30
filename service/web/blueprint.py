"""The `web` blueprint: shared request plumbing (login required, CSRF on every POST, error pages).
The pages themselves live in `service/web/views/`, one module per area."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from service.ops import OpsContext, OpsError
from service.ops.access import Principal
from service.web.error_status import page_status
from service.web.i18n import current_lang

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")

PUBLIC_ENDPOINTS = {"web.login", "web.static", "web.set_language"}


def ops() -> OpsContext:
    return current_app.extensions["alur"].ops


def principal() -> Principal:
    return current_user.principal


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths: an open redirect would let a link send staff to a look-alike login page."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@bp.before_request
def _guard() -> Any:
    if request.method == "POST":
        from service.web.setup import csrf
        csrf.protect()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.full_path if request.query_string else request.path))
    return None


@bp.after_request
def _headers(response: Any) -> Any:
    # Pages and downloads must not be framed (clickjacking) or content-sniffed into something else.
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"current_locale": current_lang}


@bp.errorhandler(OpsError)
def _ops_error(exc: OpsError) -> Any:
    status = page_status(exc)
    status = status if status in (400, 403, 409) else (403 if status == 404 else 500)
    message = exc.pesan if current_lang() == "id" else exc.message
    return render_template("error.html", code=status, message=message), status


def forbid() -> None:
    abort(403)


__all__ = ["bp", "ops", "principal", "safe_next", "forbid"]

# The view modules attach their routes to `bp`; importing them here keeps one place that lists the pages.
from service.web.views import admin, auth_views, documents, instances, models, start, task_page, tasks  # noqa: E402,F401
from service.web.views import operations  # noqa: E402,F401
