"""The login back-off on the web login `/masuk`: per user name and client address, never a lock-out of
the right password; the address back-off across user names; trusted proxies; and password hashing
outside the database transaction."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from service.ops import login_throttle as lt
from service.ops.client_address import client_address, parse_networks
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
    app.extensions["alur"].ops.login_throttle = LoginThrottle(
        ThrottleSettings(max_failures=3, window_seconds=120, max_delay_seconds=8), clock=clock)
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


OTHER = "pemilik-proses.pagaralam"


def make_fresh(client: Any) -> Any:
    client.post("/keluar", data={"csrf_token": csrf(client, "/tugas")})
    return client


def from_address(client: Any, address: str, username: str, password: str = PASSWORD, **headers: str) -> Any:
    return client.post("/masuk", data={"username": username, "password": password, "csrf_token": csrf(client)},
                       environ_overrides={"REMOTE_ADDR": address}, headers=headers)


def test_wrong_passwords_delay_the_pair_then_the_right_one_is_accepted(client: Any, fake_clock: FakeClock,
                                                                       hash_calls: list[str]) -> None:
    for _ in range(3):
        assert login(client, USER, "salah-sekali").status_code == 401
    assert len(hash_calls) == 3
    r = login(client, USER)          # even the right password waits out the back-off
    assert r.status_code == 429
    assert "Terlalu banyak kata sandi salah; coba lagi dalam 1 detik" in text(r)
    assert r.headers["Retry-After"] == "1"
    assert len(hash_calls) == 3      # refused before any hashing, and not counted
    fake_clock.now += 1
    assert login(client, USER).status_code == 302


def test_the_delay_doubles_up_to_the_maximum(client: Any, fake_clock: FakeClock) -> None:
    for _ in range(3):
        assert login(client, USER, "salah").status_code == 401
    waits = []
    for _ in range(5):
        r = login(client, USER, "salah")          # refused: the back-off is on
        assert r.status_code == 429
        waits.append(int(r.headers["Retry-After"]))
        fake_clock.now += waits[-1]
        assert login(client, USER, "salah").status_code == 401      # heard after the delay, and wrong
    assert waits == [1, 2, 4, 8, 8]
    fake_clock.now += 8
    assert login(client, USER).status_code == 302       # after the longest delay the right password is in


def test_guesses_from_elsewhere_never_delay_the_user(client: Any, fake_clock: FakeClock) -> None:
    for _ in range(30):              # someone else guessing this user's password from another address
        from_address(client, "10.66.0.1", USER, "salah")
    assert from_address(client, "10.66.0.1", USER).status_code == 429
    assert login(client, USER).status_code == 302        # the user at their own address is not locked


def test_a_spray_across_user_names_delays_the_address_not_known_users(client: Any, fake_clock: FakeClock,
                                                                      hash_calls: list[str]) -> None:
    assert login(client, OTHER).status_code == 302       # a colleague logged in from this address earlier
    make_fresh(client)
    for i in range(12):              # 3 per name x 4: the address limit
        assert login(client, f"tebakan-{i}", "salah").status_code == 401
    hashed = len(hash_calls)
    r = login(client, USER)          # never logged in from here: waits the address back-off
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert len(hash_calls) == hashed
    assert login(client, OTHER).status_code == 302       # known here: not delayed by the spray
    make_fresh(client)
    fake_clock.now += 1
    assert login(client, USER).status_code == 302        # after the delay the right password is accepted
    # Another address was never affected.
    make_fresh(client)
    assert from_address(client, "10.1.2.3", USER).status_code == 302


def test_a_success_forgets_the_pairs_failures(client: Any, fake_clock: FakeClock) -> None:
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


def test_the_message_in_english(client: Any, fake_clock: FakeClock) -> None:
    post(client, "/bahasa", {"lang": "en"}, token_from="/masuk")
    for _ in range(3):
        login(client, USER, "salah")
    r = login(client, USER)
    assert r.status_code == 429
    assert "Too many wrong passwords; try again in 1 seconds" in text(r)


def test_default_limits_from_the_app_config(app: Any, client: Any) -> None:
    assert app.extensions["alur"].ops.login_throttle.settings == ThrottleSettings(
        max_failures=5, window_seconds=300, max_delay_seconds=60)
    for _ in range(5):
        assert login(client, USER, "salah").status_code == 401
    assert login(client, USER).status_code == 429


def test_trusted_proxies_name_the_client(app: Any, client: Any, fake_clock: FakeClock) -> None:
    proxy = ThrottleSettings(max_failures=3, window_seconds=120, max_delay_seconds=8,
                             trusted_proxies=parse_networks(["10.0.0.0/8"]))
    app.extensions["alur"].ops.login_throttle = LoginThrottle(proxy, clock=fake_clock)
    for _ in range(3):               # a guesser behind the proxy
        from_address(client, "10.0.0.2", USER, "salah", **{"X-Forwarded-For": "203.0.113.9"})
    assert from_address(client, "10.0.0.2", USER, **{"X-Forwarded-For": "203.0.113.9"}).status_code == 429
    # The user behind the same proxy, at another address: not delayed.
    assert from_address(client, "10.0.0.2", USER, **{"X-Forwarded-For": "198.51.100.7"}).status_code == 302


def test_client_address_believes_only_trusted_proxies() -> None:
    proxies = parse_networks(["10.0.0.1", "192.168.0.0/16", "::1"])
    assert client_address("10.0.0.1", "203.0.113.9", proxies) == "203.0.113.9"
    # A client writing its own header gets past no proxy: the last untrusted hop counts.
    assert client_address("10.0.0.1", "1.2.3.4, 203.0.113.9, 192.168.1.1", proxies) == "203.0.113.9"
    assert client_address("203.0.113.9", "1.2.3.4", proxies) == "203.0.113.9"        # not a proxy
    assert client_address("10.0.0.1", None, proxies) == "10.0.0.1"
    assert client_address("10.0.0.1", "192.168.1.1", proxies) == "192.168.1.1"       # all hops trusted
    assert client_address("10.0.0.1", "1.2.3.4", ()) == "10.0.0.1"                    # none configured
    with pytest.raises(ValueError, match="bukan-ip"):
        parse_networks(["bukan-ip"])


def test_bad_settings_stop_the_app_start(tmp_path: Any) -> None:
    from service.app import create_app
    from service.config import ConfigError

    for key, value in (("ALUR_LOGIN_WINDOW_SECONDS", "sebentar"), ("ALUR_TRUSTED_PROXIES", "10.0.0.0/8, proksi"),
                       ("ALUR_LOGIN_MAX_DELAY_SECONDS", "0")):
        with pytest.raises(ConfigError, match=key):
            create_app({"database_url": f"sqlite:///{tmp_path / 'a.db'}", "instance_path": tmp_path,
                        "scheduler": False, "TESTING": True, key: value})


def test_failures_are_forgotten_after_the_window() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(ThrottleSettings(max_failures=2, window_seconds=10), clock=clock)
    assert throttle.retry_after("a", "1.1.1.1") is None
    throttle.failed("a", "1.1.1.1")
    clock.now += 4
    throttle.failed("a", "1.1.1.1")
    assert throttle.retry_after("a", "1.1.1.1") == pytest.approx(1)
    assert throttle.retry_after("b", "2.2.2.2") is None
    assert throttle.retry_after("a", "2.2.2.2") is None
    clock.now += 10
    throttle.failed("a", "1.1.1.1")   # the earlier two are forgotten: one failure, no delay
    assert throttle.retry_after("a", "1.1.1.1") is None
    throttle.failed("a", "1.1.1.1")
    assert throttle.retry_after("a", "1.1.1.1") is not None
    throttle.succeeded("A ", "1.1.1.1")
    assert throttle.retry_after("a", "1.1.1.1") is None


def test_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lt, "MAX_KEYS", 300)
    throttle = LoginThrottle(ThrottleSettings(max_failures=1000, window_seconds=60), clock=FakeClock())
    for i in range(2000):
        throttle.failed(f"u{i}", f"10.0.{i // 256}.{i % 256}")
        throttle.succeeded(f"v{i}", "10.9.9.9")
    assert len(throttle._pairs) + len(throttle._addresses) + len(throttle._trusted) <= 300 + 3


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
    assert throttle._pairs[("a", "1.1.1.1")].count == 800
    assert throttle.retry_after("a", "1.1.1.1") is not None
    throttle.succeeded("a", "1.1.1.1")
    assert throttle.retry_after("a", "1.1.1.1") is None


def test_parallel_guesses_are_checked_one_after_another() -> None:
    throttle = LoginThrottle(ThrottleSettings(max_failures=3, window_seconds=60), clock=FakeClock())
    hashed: list[int] = []
    barrier = threading.Barrier(12)

    def guess() -> None:
        barrier.wait()
        with throttle.guard("a", "1.1.1.1"):
            if throttle.retry_after("a", "1.1.1.1") is None:
                hashed.append(1)          # the password check would run here
                throttle.failed("a", "1.1.1.1")

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(hashed) == 3
    assert not throttle._guards             # nothing left behind


def test_only_a_wrong_password_counts(ctx: Any) -> None:
    from service.ops.users import check_login, update_user

    assert check_login(ctx, USER, "salah").wrong_password
    assert check_login(ctx, "tidak-ada", "salah").wrong_password
    update_user(ctx, USER, active=False)
    inactive = check_login(ctx, USER, PASSWORD)
    assert inactive.user is None and not inactive.wrong_password


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
