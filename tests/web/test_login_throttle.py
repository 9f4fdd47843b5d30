"""Login throttling: failed logins per user name and per client address, on the web login `/masuk`;
the sliding window itself; and password hashing outside the database transaction."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from service.ops import login_throttle as lt
from service.ops.login_throttle import LoginThrottle, ThrottleSettings

from .support import PASSWORD, csrf, login, post, text

USER = "ppk.pagaralam"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_clock(app: Any) -> FakeClock:
    clock = FakeClock()
    app.extensions["alur"].ops.login_throttle = LoginThrottle(ThrottleSettings(max_failures=3, window_seconds=120),
                                                              clock=clock)
    return clock


@pytest.fixture
def hash_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from service.ops import users

    calls: list[str] = []
    real = users.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        calls.append(password)
        return real(pwhash, password)

    monkeypatch.setattr(users, "check_password_hash", counting)
    return calls


def test_failures_per_user_end_in_429_without_hashing(client: Any, fake_clock: FakeClock,
                                                      hash_calls: list[str]) -> None:
    for _ in range(3):
        assert login(client, USER, "salah-sekali").status_code == 401
    assert len(hash_calls) == 3
    r = login(client, USER)          # even the right password: the name is locked for now
    assert r.status_code == 429
    assert "Terlalu banyak percobaan masuk; coba lagi dalam 2 menit" in text(r)
    assert r.headers["Retry-After"] == "120"
    assert len(hash_calls) == 3      # refused before any hashing
    # Another user from the same address still gets in (the address limit is 4x higher).
    assert login(client, "pemilik-proses.pagaralam").status_code == 302
    fake_clock.now += 121            # the window slides past the failures
    assert login(make_fresh(client), USER).status_code == 302


def make_fresh(client: Any) -> Any:
    client.post("/keluar", data={"csrf_token": csrf(client, "/tugas")})
    return client


def test_retry_after_counts_from_the_oldest_failure(client: Any, fake_clock: FakeClock) -> None:
    login(client, USER, "salah-1")
    fake_clock.now += 100
    login(client, USER, "salah-2")
    login(client, USER, "salah-3")
    r = login(client, USER)
    assert r.status_code == 429 and r.headers["Retry-After"] == "20"
    assert "coba lagi dalam 1 menit" in text(r)
    fake_clock.now += 21             # the oldest failure left the window: one more attempt is allowed
    assert login(client, USER).status_code == 302


def test_success_clears_the_user_counter(client: Any, fake_clock: FakeClock) -> None:
    for _ in range(2):
        assert login(client, USER, "salah").status_code == 401
    assert login(client, USER).status_code == 302
    make_fresh(client)
    for _ in range(2):
        assert login(client, USER, "salah").status_code == 401
    assert login(client, USER).status_code == 302


def test_the_user_name_is_counted_case_and_space_insensitive(client: Any, fake_clock: FakeClock) -> None:
    for name in ("PPK.pagaralam", " ppk.pagaralam ", "Ppk.Pagaralam"):
        assert login(client, name, "salah").status_code == 401
    assert login(client, USER).status_code == 429


def test_failures_per_address_across_user_names(client: Any, fake_clock: FakeClock) -> None:
    # 3 per name, 12 per address: four names with three failures each lock the address for everyone.
    for i in range(12):
        assert login(client, f"tebakan-{i // 3}", "salah").status_code == 401
    assert login(client, USER).status_code == 429
    # Another address is not affected.
    r = client.post("/masuk", data={"username": USER, "password": PASSWORD, "csrf_token": csrf(client)},
                    environ_overrides={"REMOTE_ADDR": "10.1.2.3"})
    assert r.status_code == 302


def test_the_message_in_english(client: Any, fake_clock: FakeClock) -> None:
    post(client, "/bahasa", {"lang": "en"}, token_from="/masuk")
    for _ in range(3):
        login(client, USER, "salah")
    r = login(client, USER)
    assert r.status_code == 429
    assert "Too many login attempts; try again in 2 minutes" in text(r)


def test_default_limits_from_the_app_config(app: Any, client: Any) -> None:
    assert app.extensions["alur"].ops.login_throttle.settings == ThrottleSettings(max_failures=5, window_seconds=300)
    for _ in range(5):
        assert login(client, USER, "salah").status_code == 401
    r = login(client, USER)
    assert r.status_code == 429 and "coba lagi dalam 5 menit" in text(r)


def test_a_bad_setting_stops_the_app_start(tmp_path: Any) -> None:
    from service.app import create_app
    from service.config import ConfigError

    with pytest.raises(ConfigError, match="ALUR_LOGIN_WINDOW_SECONDS"):
        create_app({"database_url": f"sqlite:///{tmp_path / 'a.db'}", "instance_path": tmp_path,
                    "scheduler": False, "TESTING": True, "ALUR_LOGIN_WINDOW_SECONDS": "sebentar"})


def test_the_window_slides() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(ThrottleSettings(max_failures=2, window_seconds=10), clock=clock)
    assert throttle.retry_after("a", "1.1.1.1") is None
    throttle.failed("a", "1.1.1.1")
    clock.now += 4
    throttle.failed("a", "1.1.1.1")
    assert throttle.retry_after("a", "1.1.1.1") == pytest.approx(6)
    assert throttle.retry_after("b", "2.2.2.2") is None
    clock.now += 6
    assert throttle.retry_after("a", "1.1.1.1") is None
    throttle.failed("a", "1.1.1.1")
    assert throttle.retry_after("a", "1.1.1.1") == pytest.approx(4)
    throttle.succeeded("A ")
    assert throttle.retry_after("a", "1.1.1.1") is None


def test_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lt, "MAX_KEYS", 100)
    throttle = LoginThrottle(ThrottleSettings(max_failures=1000, window_seconds=60), clock=FakeClock())
    for i in range(500):
        throttle.failed(f"u{i}", f"10.0.{i // 256}.{i % 256}")
    assert len(throttle._failures) <= 102


def test_counting_is_thread_safe() -> None:
    throttle = LoginThrottle(ThrottleSettings(max_failures=800, window_seconds=60), clock=FakeClock())

    def hammer() -> None:
        for _ in range(100):
            throttle.failed("a", "1.1.1.1")

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert throttle.retry_after("a", "9.9.9.9") is not None     # exactly 800 failures: the name is locked
    throttle.succeeded("a")
    assert throttle.retry_after("a", "9.9.9.9") is None


def test_parallel_attempts_cannot_all_pass_the_check() -> None:
    throttle = LoginThrottle(ThrottleSettings(max_failures=3, window_seconds=60), clock=FakeClock())
    allowed: list[bool] = []
    barrier = threading.Barrier(12)

    def try_once() -> None:
        barrier.wait()
        allowed.append(throttle.attempt("a", "1.1.1.1") is None)

    threads = [threading.Thread(target=try_once) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 3


def test_a_success_takes_back_its_counted_attempt() -> None:
    throttle = LoginThrottle(ThrottleSettings(max_failures=1, window_seconds=60), clock=FakeClock())
    for i in range(10):      # an office of ten colleagues logging in rightly from one address
        assert throttle.attempt(f"user{i}", "10.0.0.1") is None
        throttle.succeeded(f"user{i}", "10.0.0.1")
    assert throttle.retry_after("user0", "10.0.0.1") is None


def test_the_password_is_checked_outside_the_transaction(ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.ops import users

    open_transactions = [0]
    real_transaction = ctx.transaction

    @contextmanager
    def tracked() -> Iterator[Any]:
        open_transactions[0] += 1
        try:
            with real_transaction() as session:
                yield session
        finally:
            open_transactions[0] -= 1

    seen: list[int] = []
    real_check = users.check_password_hash

    def check(pwhash: str, password: str) -> bool:
        seen.append(open_transactions[0])
        return real_check(pwhash, password)

    monkeypatch.setattr(ctx, "transaction", tracked)
    monkeypatch.setattr(users, "check_password_hash", check)
    assert users.authenticate(ctx, USER, PASSWORD) is not None
    assert users.authenticate(ctx, USER, "salah") is None
    assert users.authenticate(ctx, "tidak-ada", "salah") is None
    assert seen and all(n == 0 for n in seen), seen
