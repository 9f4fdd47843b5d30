"""Throttling of failed HTTP Basic logins on /engine-rest (per user name and per client address)."""
from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ADMIN, PPK, make_app

from service.engine import FrozenClock
from service.ops import login_throttle as lt

R = "/engine-rest"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def throttled_app(tmp_path: Path, clock: FrozenClock) -> Iterator[Any]:
    from service.ops.users import create_user

    application = make_app(tmp_path, clock, ALUR_REST_AUTH="on", ALUR_LOGIN_MAX_FAILURES="2",
                           ALUR_LOGIN_WINDOW_SECONDS="90", ALUR_LOGIN_MAX_DELAY_SECONDS="30")
    ctx = application.extensions["alur"].ops
    create_user(ctx, ADMIN[0], ADMIN[1], groups=["admin", "process-owner"], tenants=["pagaralam"])
    create_user(ctx, PPK[0], PPK[1], groups=["PPK"], tenants=["pagaralam"])
    yield application
    application.extensions["alur"].db.dispose()


@pytest.fixture
def hash_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from service.ops import users

    calls: list[str] = []
    real = users.check_password_hash
    monkeypatch.setattr(users, "check_password_hash", lambda h, p: calls.append(p) or real(h, p))
    return calls


def test_settings_come_from_the_app_config(throttled_app: Any) -> None:
    throttle = throttled_app.extensions["alur"].ops.login_throttle
    assert throttle.settings == lt.ThrottleSettings(max_failures=2, window_seconds=90, max_delay_seconds=30)


def test_wrong_passwords_end_in_429(throttled_app: Any, hash_calls: list[str]) -> None:
    c = throttled_app.test_client()
    for _ in range(2):
        assert c.get(f"{R}/version", headers=basic(PPK[0], "salah")).status_code == 401
    r = c.get(f"{R}/version", headers=basic(PPK[0], PPK[1]))
    assert r.status_code == 429
    assert r.json["type"] == "AuthenticationException"
    assert "Too many wrong passwords; try again in 1 seconds" in r.json["message"]
    assert "coba lagi dalam 1 detik" in r.json["message"]
    assert r.headers["Retry-After"] == "1"
    assert len(hash_calls) == 2           # the refused attempt hashed nothing
    # Another account from the same address is still served.
    assert c.get(f"{R}/version", headers=basic(*ADMIN)).status_code == 200


def test_success_clears_the_counter_and_cached_logins_stay_valid(throttled_app: Any) -> None:
    c = throttled_app.test_client()
    assert c.get(f"{R}/version", headers=basic(PPK[0], "salah")).status_code == 401
    assert c.get(f"{R}/version", headers=basic(*PPK)).status_code == 200
    assert c.get(f"{R}/version", headers=basic(PPK[0], "salah")).status_code == 401
    assert c.get(f"{R}/version", headers=basic(*PPK)).status_code == 200
    # A worker already proven (its login cached) keeps working while a guesser locks the name.
    for _ in range(2):
        c.get(f"{R}/version", headers=basic(PPK[0], "salah"))
    assert c.get(f"{R}/version", headers=basic(*PPK)).status_code == 200
    assert c.get(f"{R}/version", headers=basic(PPK[0], "tebakan")).status_code == 429


def test_the_address_limit_spans_user_names(throttled_app: Any) -> None:
    c = throttled_app.test_client()
    for i in range(8):                    # 2 per name x 4 = 8 per address
        assert c.get(f"{R}/version", headers=basic(f"tebakan{i // 2}", "salah")).status_code == 401
    assert c.get(f"{R}/version", headers=basic(*ADMIN)).status_code == 429
    assert c.get(f"{R}/version", headers=basic(*ADMIN),
                 environ_overrides={"REMOTE_ADDR": "10.9.8.7"}).status_code == 200


def test_missing_credentials_are_not_counted(throttled_app: Any) -> None:
    c = throttled_app.test_client()
    for _ in range(10):
        assert c.get(f"{R}/version").status_code == 401
        assert c.get(f"{R}/version", headers={"Authorization": "Basic !!!"}).status_code == 401
    assert c.get(f"{R}/version", headers=basic(*ADMIN)).status_code == 200


def test_a_bad_setting_stops_the_start(tmp_path: Path) -> None:
    from service.config import ConfigError

    with pytest.raises(ConfigError, match="ALUR_LOGIN_MAX_FAILURES"):
        make_app(tmp_path, ALUR_REST_AUTH="on", ALUR_LOGIN_MAX_FAILURES="banyak")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_after_the_back_off_the_right_password_is_accepted(throttled_app: Any) -> None:
    clock = FakeClock()
    ctx = throttled_app.extensions["alur"].ops
    ctx.login_throttle = lt.LoginThrottle(ctx.login_throttle.settings, clock=clock)
    c = throttled_app.test_client()
    for i in range(20):                   # a flood of wrong logins, many user names, one address
        c.get(f"{R}/version", headers=basic(f"tebakan{i}", "salah"))
        c.get(f"{R}/version", headers=basic(PPK[0], "salah"))
    r = c.get(f"{R}/version", headers=basic(*PPK))
    assert r.status_code == 429
    clock.now += int(r.headers["Retry-After"])
    assert c.get(f"{R}/version", headers=basic(*PPK)).status_code == 200


def test_concurrent_correct_requests_with_an_expired_cache_share_one_check(throttled_app: Any,
                                                                           hash_calls: list[str]) -> None:
    import threading

    from service.api.login_cache import KEEP_SECONDS, LoginCache

    clock = FakeClock()
    throttled_app.extensions["alur_rest_auth"]["cache"] = LoginCache(clock=clock)
    warm = throttled_app.test_client()
    assert warm.get(f"{R}/version", headers=basic(*PPK)).status_code == 200
    assert warm.get(f"{R}/version", headers=basic(PPK[0], "salah")).status_code == 401   # one failure: the limit is 2
    clock.now += KEEP_SECONDS + 1         # the remembered login expired
    hash_calls.clear()
    barrier = threading.Barrier(12)
    statuses: list[int] = []

    def request() -> None:
        client = throttled_app.test_client()
        barrier.wait()
        statuses.append(client.get(f"{R}/version", headers=basic(*PPK)).status_code)

    threads = [threading.Thread(target=request) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 12
    assert hash_calls == [PPK[1]]         # one password check for all twelve


def test_a_remembered_login_costs_no_database_read(throttled_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.api.login_cache import TRUST_SECONDS, LoginCache
    from service.ops import user_stamps
    from service.ops.users import end_sessions

    clock = FakeClock()
    throttled_app.extensions["alur_rest_auth"]["cache"] = LoginCache(clock=clock)
    reads: list[str] = []
    real = user_stamps.user_stamp
    monkeypatch.setattr(user_stamps, "user_stamp", lambda ctx, name: reads.append(name) or real(ctx, name))
    c = throttled_app.test_client()
    assert c.get(f"{R}/version", headers=basic(*PPK)).status_code == 200
    reads.clear()
    for _ in range(20):
        assert c.get(f"{R}/version", headers=basic(*PPK)).status_code == 200
    assert reads == []
    clock.now += TRUST_SECONDS            # then one read of the session version renews it
    assert c.get(f"{R}/version", headers=basic(*PPK)).status_code == 200
    assert c.get(f"{R}/version", headers=basic(*PPK)).status_code == 200
    assert reads == [PPK[0]]
    # A session version moved by another process ends the remembered login at the next check.
    ctx = throttled_app.extensions["alur"].ops
    from service.store.users import AppUser
    with ctx.transaction() as session:
        session.get(AppUser, PPK[0]).session_version += 1
    clock.now += TRUST_SECONDS
    reads.clear()
    assert c.get(f"{R}/version", headers=basic(*PPK)).status_code == 200
    assert len(reads) == 2                # the stale check, then the version before verifying again
    end_sessions(ctx, PPK[0])             # in this process: applies to the very next request
    reads.clear()
    assert c.get(f"{R}/version", headers=basic(*PPK)).status_code == 200
    assert reads                          # checked again, not trusted blindly
