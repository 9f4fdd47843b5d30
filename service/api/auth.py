"""HTTP Basic authentication on /engine-rest against the web app's users (service.ops.users).

On by default. The setting `ALUR_REST_AUTH` (environment variable, or the same key in the config
mapping given to `create_app`) set to `off` turns it off for local development; then every request
acts with full rights, as Camunda does without its authentication filter.
`GET /engine` and `GET /openapi.json` stay open, like Camunda's engine list.
"""
from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.blueprints import BlueprintSetupState

from service.config import parse_flag
from service.ops.access import Principal
from service.ops.login_throttle import minutes

SETTING = "ALUR_REST_AUTH"
EXTENSION = "alur_rest_auth"
OPEN_ENDPOINT_SUFFIXES = ("rest_engine.engines", "rest_openapi.document")
# A verified password is remembered this long (hashing costs ~50 ms; workers poll often). Each use of a
# remembered login re-reads the account (`user_stamps`): a changed password hash, a deactivation or new
# groups/tenants apply to the very next request.
CACHE_SECONDS = 30.0


def _resolve(config: Mapping[str, Any]) -> bool:
    # create_app puts Config.rest_auth (environment or config mapping) into app.config; a test may set
    # the key directly, as text.
    return parse_flag(SETTING, config.get(SETTING, True))


class _Cache:
    def __init__(self) -> None:
        self._items: dict[str, tuple[float, str]] = {}     # key -> (expiry, password hash it matched)
        self._lock = threading.Lock()

    @staticmethod
    def key(user: str, password: str) -> str:
        return hashlib.sha256(f"{user}\0{password}".encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < time.monotonic():
                self._items.pop(key, None)
                return None
            return item[1]

    def put(self, key: str, password_hash: str) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (time.monotonic() + CACHE_SECONDS, password_hash)

    def drop(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


def enabled() -> bool:
    state = current_app.extensions.get(EXTENSION)
    return True if state is None else bool(state["enabled"])


def _unauthorized(message: str) -> Response:
    response = jsonify({"type": "AuthenticationException", "message": message})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Basic realm="alur"'
    return response


def _too_many(wait: float) -> Response:
    n = minutes(wait)
    response = jsonify({"type": "AuthenticationException",
                        "message": f"Too many login attempts; try again in {n} minutes "
                                   f"(Terlalu banyak percobaan masuk; coba lagi dalam {n} menit)"})
    response.status_code = 429
    response.headers["Retry-After"] = str(math.ceil(wait))
    return response


def _credentials() -> tuple[str, str] | None:
    """User name and password of an HTTP Basic header (parsed by Werkzeug), else None."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username:
        return None
    return auth.username, auth.password or ""


def authenticate_request() -> Response | None:
    """before_request of /engine-rest: sets `g.rest_principal` (None when authentication is off)."""
    g.rest_principal = None
    if not enabled() or request.endpoint is None or request.endpoint.endswith(OPEN_ENDPOINT_SUFFIXES) \
            or request.method == "OPTIONS":
        return None
    creds = _credentials()
    if creds is None:
        return _unauthorized("Authentication required: HTTP Basic with a user of Alur")
    user, password = creds
    cache: _Cache = current_app.extensions[EXTENSION]["cache"]
    principal = _remembered(cache, user, password)
    if isinstance(principal, Response):
        return principal
    if principal is None:
        return _unauthorized("Wrong user name or password, or the account is inactive")
    g.rest_principal = principal
    return None


def _remembered(cache: _Cache, user: str, password: str) -> Principal | Response | None:
    """The principal of a valid login (a 429 response while this user or address is throttled): from the
    cache when the account still has the password hash the password was verified against and is active,
    else by verifying the password again."""
    from service.ops.user_stamps import user_stamp
    from service.ops.users import authenticate

    ctx = current_app.extensions["alur"].ops
    key = cache.key(user, password)
    verified_hash = cache.get(key)
    if verified_hash is not None:
        stamp = user_stamp(ctx, user)
        if stamp is not None and stamp.active and stamp.password_hash == verified_hash:
            return Principal.of(stamp.user_id, stamp.groups, stamp.tenants)
        cache.drop(key)
    # Only a password not proven by the cache is throttled: a cache hit needs the right password already.
    throttle = ctx.login_throttle
    wait = throttle.attempt(user, request.remote_addr)
    if wait is not None:
        return _too_many(wait)
    # The hash is read BEFORE verifying: if the password changes in between, the remembered hash is the
    # old one and the next request verifies again (never the other way round).
    before = user_stamp(ctx, user)
    view = authenticate(ctx, user, password)
    if view is None:
        return None          # counted as a failure by attempt()
    throttle.succeeded(user, request.remote_addr)
    if before is not None:
        cache.put(key, before.password_hash)
    return Principal.of(view.id, view.groups, view.tenants)


def install(api: Blueprint) -> None:
    """Resolve the setting once per app and authenticate every /engine-rest request."""

    def setup(state: BlueprintSetupState) -> None:
        state.app.extensions[EXTENSION] = {"enabled": _resolve(state.app.config), "cache": _Cache()}

    api.record_once(setup)
    api.before_request(authenticate_request)


__all__ = ["install", "enabled", "authenticate_request", "SETTING"]
