"""HTTP Basic authentication on /engine-rest against the web app's users (service.ops.users).

On by default. The setting `ALUR_REST_AUTH` (environment variable, or the same key in the config
mapping given to `create_app`) set to `off` turns it off for local development; then every request
acts with full rights, as Camunda does without its authentication filter.
`GET /engine` and `GET /openapi.json` stay open, like Camunda's engine list.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.blueprints import BlueprintSetupState

from service.config import parse_flag
from service.ops.access import Principal
from service.ops.login_throttle import wait_text

from .login_cache import TRUST_SECONDS, Login, LoginCache, SingleFlight, key

SETTING = "ALUR_REST_AUTH"
EXTENSION = "alur_rest_auth"
OPEN_ENDPOINT_SUFFIXES = ("rest_engine.engines", "rest_openapi.document")
# A client opting in to the Basic challenge without sending credentials first (browsers are never
# prompted otherwise, so a cross-site request cannot make them cache and replay a login).
CHALLENGE_HEADER = "X-Auth-Challenge"


def _resolve(config: Mapping[str, Any]) -> bool:
    # create_app puts Config.rest_auth (environment or config mapping) into app.config; a test may set
    # the key directly, as text.
    return parse_flag(SETTING, config.get(SETTING, True))


def enabled() -> bool:
    state = current_app.extensions.get(EXTENSION)
    return True if state is None else bool(state["enabled"])


def _unauthorized(message: str) -> Response:
    response = jsonify({"type": "AuthenticationException", "message": message})
    response.status_code = 401
    # Only a client that asked for Basic is challenged: a browser that gets the header prompts for a
    # password and then replays it on every request to this host, cross-site ones included.
    if "Authorization" in request.headers or request.headers.get(CHALLENGE_HEADER, "").lower() == "basic":
        response.headers["WWW-Authenticate"] = 'Basic realm="alur"'
    return response


def _too_many(wait: float) -> Response:
    english, indonesian = wait_text(wait)
    response = jsonify({"type": "AuthenticationException",
                        "message": f"Too many wrong passwords; try again in {english} "
                                   f"(Terlalu banyak kata sandi salah; coba lagi dalam {indonesian})"})
    response.status_code = 429
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
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
    outcome = _login(*creds)
    if outcome.wait is not None:
        return _too_many(outcome.wait)
    if outcome.principal is None:
        return _unauthorized("Wrong user name or password, or the account is inactive")
    g.rest_principal = outcome.principal
    return None


@dataclass(frozen=True)
class _Outcome:
    principal: Principal | None = None
    wait: float | None = None          # seconds of login back-off (429)


def _login(user: str, password: str) -> _Outcome:
    """A cached login when it is still valid, else one verification shared by concurrent requests."""
    from service.ops.user_stamps import user_stamp
    from service.ops.users import credentials_generation

    state = current_app.extensions[EXTENSION]
    cache: LoginCache = state["cache"]
    k = key(user, password)
    login = cache.get(k)
    if login is not None:
        now, generation = cache.now(), credentials_generation()
        if now - login.checked < TRUST_SECONDS and login.generation == generation:
            return _Outcome(login.principal)
        stamp = user_stamp(current_app.extensions["alur"].ops, user)
        if stamp is not None and stamp.active and stamp.session_version == login.session_version:
            login.checked, login.generation = now, generation
            return _Outcome(login.principal)
        cache.drop(k)
    address = _address()
    flights: SingleFlight[_Outcome] = state["flights"]
    return flights.run(f"{k}\0{address}", lambda: _verify(cache, k, user, password, address))


def _address() -> str:
    throttle = current_app.extensions["alur"].ops.login_throttle
    return throttle.address(request.remote_addr, request.headers.get("X-Forwarded-For"))


def _verify(cache: LoginCache, k: str, user: str, password: str, address: str) -> _Outcome:
    """Verify the password once, under the login back-off; only a wrong password counts as a failure."""
    from service.ops.user_stamps import user_stamp
    from service.ops.users import check_login, credentials_generation

    ctx = current_app.extensions["alur"].ops
    throttle = ctx.login_throttle
    with throttle.guard(user, address):
        wait = throttle.retry_after(user, address)
        if wait is not None:
            return _Outcome(wait=wait)   # refused before any hashing: a blocked guesser costs no CPU
        # The version is read BEFORE verifying: a change in between leaves the cached login stale, so the
        # next check verifies again (never the other way round).
        generation = credentials_generation()
        before = user_stamp(ctx, user)
        result = check_login(ctx, user, password)
        if result.wrong_password:
            throttle.failed(user, address)
        if result.user is None:
            return _Outcome()
        throttle.succeeded(user, address)
    principal = Principal.of(result.user.id, result.user.groups, result.user.tenants)
    if before is not None:
        now = cache.now()
        cache.put(k, Login(principal, before.session_version, generation, now, now))
    return _Outcome(principal)


def install(api: Blueprint) -> None:
    """Resolve the setting once per app and authenticate every /engine-rest request."""

    def setup(state: BlueprintSetupState) -> None:
        state.app.extensions[EXTENSION] = {"enabled": _resolve(state.app.config), "cache": LoginCache(),
                                           "flights": SingleFlight()}

    api.record_once(setup)
    api.before_request(authenticate_request)


__all__ = ["install", "enabled", "authenticate_request", "SETTING"]
