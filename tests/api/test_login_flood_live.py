"""Against a live server (real HTTP, threads, scrypt): a flood of wrong logins from one address, with
many user names, never keeps the right user out longer than the back-off; concurrent correct requests
with an expired login cache never get 429; browsers are never prompted for Basic credentials."""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from support import ADMIN, PPK, make_app

GUESSER = "203.0.113.5"       # the flooding address (behind the trusted proxy 127.0.0.1)
MAX_DELAY = 2                 # seconds: the longest back-off of this server
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    from werkzeug.serving import make_server

    from service.ops.users import create_user

    app = make_app(Path(tmp_path_factory.mktemp("flood")), ALUR_REST_AUTH="on", TESTING=False, web=True,
                   ALUR_LOGIN_MAX_FAILURES="3", ALUR_LOGIN_MAX_DELAY_SECONDS=str(MAX_DELAY),
                   ALUR_TRUSTED_PROXIES="127.0.0.1")
    ctx = app.extensions["alur"].ops
    create_user(ctx, ADMIN[0], ADMIN[1], groups=["admin", "process-owner"], tenants=["pagaralam"])
    create_user(ctx, PPK[0], PPK[1], groups=["PPK"], tenants=["pagaralam"])
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}", app
    finally:
        http.shutdown()
        thread.join(5)
        app.extensions["alur"].db.dispose()


def rest(base: str, user: str, password: str, address: str = GUESSER) -> requests.Response:
    return requests.get(f"{base}/engine-rest/version", auth=(user, password), timeout=30,
                        headers={"X-Forwarded-For": address})


def web_login(base: str, user: str, password: str, address: str = GUESSER) -> requests.Response:
    session = requests.Session()
    session.headers["X-Forwarded-For"] = address
    token = _TOKEN.search(session.get(f"{base}/masuk", timeout=30).text)
    assert token is not None
    return session.post(f"{base}/masuk", data={"username": user, "password": password,
                                                "csrf_token": token.group(1)}, allow_redirects=False, timeout=30)


def eventually_accepted(attempt: Any) -> float:
    """Try the right password; on 429 wait its Retry-After once and try again. The seconds waited."""
    r = attempt()
    if r.status_code != 429:
        assert r.status_code in (200, 302), r.status_code
        return 0.0
    wait = float(r.headers["Retry-After"])
    assert wait <= MAX_DELAY
    time.sleep(wait)
    r = attempt()
    assert r.status_code in (200, 302), (r.status_code, r.text[:200])
    return wait


def test_a_flood_of_wrong_logins_never_locks_out_the_right_user(live: tuple[str, Any]) -> None:
    base, _ = live
    for i in range(12):               # many user names, and the real user's name, from one address
        assert rest(base, f"tebakan{i}", "salah").status_code in (401, 429)
        assert rest(base, PPK[0], "salah").status_code in (401, 429)
        assert web_login(base, f"tebakan-web{i}", "salah").status_code in (401, 429)
        assert web_login(base, ADMIN[0], "salah").status_code in (401, 429)
    assert rest(base, PPK[0], PPK[1]).status_code == 429      # the pair is in its back-off
    eventually_accepted(lambda: rest(base, PPK[0], PPK[1]))
    eventually_accepted(lambda: web_login(base, ADMIN[0], ADMIN[1]))
    # From any other address the flood changed nothing: accepted at once.
    assert rest(base, PPK[0], PPK[1], address="198.51.100.7").status_code == 200
    assert web_login(base, ADMIN[0], ADMIN[1], address="198.51.100.7").status_code == 302


def test_concurrent_correct_requests_with_an_expired_cache_never_get_429(live: tuple[str, Any]) -> None:
    from service.api.login_cache import LoginCache

    base, app = live
    address = "192.0.2.44"
    assert rest(base, ADMIN[0], "salah", address).status_code == 401      # a typo earlier: 1 of 3
    for _ in range(3):
        app.extensions["alur_rest_auth"]["cache"] = LoginCache()          # every remembered login expired
        barrier = threading.Barrier(16)
        statuses: list[int] = []

        def call(barrier: threading.Barrier = barrier, statuses: list[int] = statuses) -> None:
            barrier.wait()
            statuses.append(rest(base, ADMIN[0], ADMIN[1], address).status_code)

        threads = [threading.Thread(target=call) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [200] * 16


def test_browsers_are_not_prompted_and_text_bodies_are_refused(live: tuple[str, Any]) -> None:
    base, _ = live
    r = requests.get(f"{base}/engine-rest/process-instance", timeout=30)
    assert r.status_code == 401 and "WWW-Authenticate" not in r.headers
    r = requests.post(f"{base}/engine-rest/message", data='{"messageName": "x"}', auth=ADMIN, timeout=30,
                      headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and "text/plain" in r.json()["message"]
