"""The Flask application factory. No work at import; the scheduler thread is started by `alur serve`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from flask import Flask, Response, jsonify, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from service.config import Config
from service.engine.budget import Budget
from service.engine.delegation.registry import DelegateRegistry
from service.engine.clock import Clock, SystemClock
from service.engine.scripting import configure as configure_scripts
from service.engine.values import set_max_value_bytes
from service.ops import OpsContext
from service.ops.documents import DEFAULT_MAX_BYTES, DEFAULT_TYPES, DocumentPolicy
from service.ops.input_limits import InputLimits
from service.ops.client_address import parse_networks
from service.ops.login_throttle import LoginThrottle, ThrottleSettings
from service.store import Database


@dataclass
class AlurState:
    """What the app shares between requests: `app.extensions["alur"]`."""

    config: Config
    db: Database
    ops: OpsContext


class CookielessRestSessions(SecureCookieSessionInterface):
    """No cookie session for the REST API: it authenticates with HTTP Basic, and opening (and saving)
    a signed cookie session costs a noticeable share of a small request. Its requests get Flask's null
    session, which reads as empty and refuses writes."""

    def __init__(self, rest_prefix: str) -> None:
        self.rest_prefix = rest_prefix

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        path = request.path
        if path == self.rest_prefix or path.startswith(self.rest_prefix + "/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


def create_app(config: Config | Mapping[str, Any] | None = None, *, clock: Clock | None = None,
               database: Database | None = None) -> Flask:
    cfg = Config.coerce(config).with_secret()
    app = Flask("service", instance_path=str(cfg.instance_path.resolve()))
    app.config.update(SECRET_KEY=cfg.secret_key, JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=cfg.max_request_bytes)
    app.config.update(_flask_settings(cfg))
    app.config.update(dict(cfg.flask))
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # One pooled connection per request thread, one for the scheduler thread.
    db = database or Database(cfg.effective_database_url, echo=cfg.sql_echo,
                              create_folder=cfg.uses_default_database, pool_size=cfg.threads + 1)
    ctx = OpsContext(db=db, clock=clock or SystemClock(), timer_lease_seconds=cfg.timer_lease_seconds,
                     holidays_file=cfg.holidays_file, login_throttle=LoginThrottle(ThrottleSettings(
                         cfg.login_max_failures, cfg.login_window_seconds, cfg.login_max_delay_seconds,
                         trusted_proxies=parse_networks(cfg.trusted_proxies))),
                     budget=Budget(max_steps=cfg.engine_max_steps, max_action_seconds=cfg.engine_max_action_seconds,
                                   max_multi_instance=cfg.engine_max_multi_instance, max_tokens=cfg.engine_max_tokens,
                                   max_call_depth=cfg.engine_max_call_depth,
                                   min_cycle_seconds=cfg.timer_min_cycle_seconds),
                     limits=input_limits(cfg), delegates=DelegateRegistry(cfg.delegate_modules).reload(),
                     documents=_document_policy(cfg))
    app.extensions["alur"] = AlurState(config=cfg, db=db, ops=ctx)

    from service.api import URL_PREFIX, create_blueprint
    app.session_interface = CookielessRestSessions(URL_PREFIX)
    app.register_blueprint(create_blueprint())
    if cfg.web:
        from service.web import init_app as init_web
        init_web(app, cfg, rest_prefix=URL_PREFIX)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge) -> Any:
        limit = app.config.get("MAX_CONTENT_LENGTH") or cfg.max_request_bytes
        message = f"The request body is larger than the limit of {limit} bytes (ALUR_MAX_REQUEST_BYTES)"
        if request.path.startswith(URL_PREFIX):
            response: Response = jsonify({"type": "InvalidRequestException", "message": message})
            response.status_code = 413
            return response
        if cfg.web:
            from service.web.setup import too_large_page
            return too_large_page(limit)
        return RequestEntityTooLarge(message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        # Unknown /engine-rest paths answer in Camunda's JSON shape, everything else as Flask would.
        if request.path.startswith(URL_PREFIX):
            response: Response = jsonify({"type": "InvalidRequestException" if (exc.code or 500) < 500
                                          else "RestException", "message": exc.description or exc.name})
            response.status_code = exc.code or 500
            return response
        return exc

    return app


def input_limits(cfg: Config) -> InputLimits:
    """The size limits of `cfg` for the operations layer; the engine's per-value limit and the script
    sandbox's bounds (one per process, like the limit) are set here too."""
    set_max_value_bytes(cfg.max_variable_bytes)
    configure_scripts(timeout_ms=cfg.script_timeout_ms, memory_mb=cfg.script_memory_mb,
                      max_bytes=cfg.max_instance_bytes)
    return InputLimits(request_bytes=cfg.max_request_bytes, model_bytes=cfg.max_model_bytes,
                       form_bytes=cfg.max_form_bytes, form_depth=cfg.max_form_depth,
                       instance_bytes=cfg.max_instance_bytes)


def _document_policy(cfg: Config) -> DocumentPolicy:
    return DocumentPolicy(root=cfg.effective_documents_path, max_bytes=cfg.document_max_bytes or DEFAULT_MAX_BYTES,
                          allowed=cfg.document_types or DEFAULT_TYPES)


def _flask_settings(cfg: Config) -> dict[str, Any]:
    """The settings that blueprints read from `app.config`, under their environment variable names."""
    out: dict[str, Any] = {"ALUR_REST_AUTH": cfg.rest_auth, "ALUR_DOCUMENTS_PATH": str(cfg.effective_documents_path)}
    if cfg.document_max_bytes is not None:
        out["ALUR_DOCUMENT_MAX_BYTES"] = cfg.document_max_bytes
    if cfg.document_types is not None:
        out["ALUR_DOCUMENT_TYPES"] = cfg.document_types
    return out


__all__ = ["create_app", "AlurState", "CookielessRestSessions"]
