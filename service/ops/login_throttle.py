"""Back-off after wrong passwords (web `/masuk` and REST Basic auth) that cannot lock the right user out.

Each failed password check costs a full password hash, and unlimited guesses find weak passwords; but a
limit must never become a way to lock someone else out (issue 11). So:
- Failures are counted per (user name, client address). After `max_failures` of them the pair waits a
  back-off delay that doubles with each further failure, from 1 s up to `max_delay_seconds`; once the
  delay has passed, the next attempt is heard, and the right password is accepted. Guesses from another
  address never delay a user.
- One address guessing many user names (a password spray, or every user behind one proxy) is delayed
  the same way after `max_failures * ip_factor` failures, except for user names that logged in
  successfully from that address within the window: colleagues behind a shared proxy keep working.
- Only a wrong password counts (a refused attempt is not heard and counts nothing), and a key is
  forgotten `window_seconds` after its last failure.
- Password checks of one pair run one at a time (`guard`), so parallel guesses cannot all pass the check
  before any of them has failed; each waiting guess is then refused without hashing.

In-process and thread-safe; each worker process counts on its own (no shared store to run). A small
module rather than Flask-Limiter, which counts requests rather than wrong passwords.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .client_address import Network, client_address

DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW_SECONDS = 300.0
DEFAULT_MAX_DELAY_SECONDS = 60.0
# Failures an address may have across user names, as a multiple of max_failures (an office behind one NAT).
IP_FACTOR = 4
# Bounds the memory an attacker cycling through names or addresses can make us hold.
MAX_KEYS = 50_000


@dataclass(frozen=True)
class ThrottleSettings:
    max_failures: int = DEFAULT_MAX_FAILURES
    window_seconds: float = DEFAULT_WINDOW_SECONDS
    max_delay_seconds: float = DEFAULT_MAX_DELAY_SECONDS
    ip_factor: int = IP_FACTOR
    # reverse proxies whose X-Forwarded-For is believed (client_address.parse_networks)
    trusted_proxies: tuple[Network, ...] = ()

    @property
    def max_ip_failures(self) -> int:
        return self.max_failures * self.ip_factor


@dataclass
class _Failures:
    count: int
    last: float


def user_key(username: str | None) -> str:
    # The same normalisation as `users.authenticate`: "Admin " and "admin" are one account.
    return (username or "").strip().lower()


class LoginThrottle:
    def __init__(self, settings: ThrottleSettings | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings or ThrottleSettings()
        self._clock = clock
        # (user, address) -> failures, and address -> failures; keyed by Any so one code path serves both
        self._pairs: dict[Any, _Failures] = {}
        self._addresses: dict[Any, _Failures] = {}
        self._trusted: dict[tuple[str, str], float] = {}     # (user, address) -> time of the last success
        self._lock = threading.Lock()
        self._guards: dict[tuple[str, str], tuple[threading.Lock, int]] = {}

    def address(self, peer: str | None, forwarded_for: str | None) -> str:
        """The client address of a login request (see client_address)."""
        return client_address(peer, forwarded_for, self.settings.trusted_proxies)

    def _delay(self, failures: _Failures | None, limit: int, now: float) -> float:
        """Seconds still to wait for a key with these failures (0: may try now)."""
        if failures is None or failures.count < limit:
            return 0.0
        delay = min(2.0 ** (failures.count - limit), self.settings.max_delay_seconds)
        return max(0.0, failures.last + delay - now)

    def _live(self, table: dict[Any, _Failures], key: Any, now: float) -> _Failures | None:
        entry = table.get(key)
        if entry is not None and now - entry.last >= self.settings.window_seconds:
            del table[key]
            return None
        return entry

    def retry_after(self, username: str | None, address: str | None) -> float | None:
        """Seconds until this user name may try again from this address, or None when it may try now."""
        user, addr = user_key(username), address or "unknown"
        with self._lock:
            now = self._clock()
            wait = self._delay(self._live(self._pairs, (user, addr), now), self.settings.max_failures, now)
            if not self._known(user, addr, now):
                wait = max(wait, self._delay(self._live(self._addresses, addr, now),
                                             self.settings.max_ip_failures, now))
        return wait if wait > 0 else None

    def _known(self, user: str, addr: str, now: float) -> bool:
        since = self._trusted.get((user, addr))
        if since is not None and now - since >= self.settings.window_seconds:
            del self._trusted[(user, addr)]
            return False
        return since is not None

    @contextmanager
    def guard(self, username: str | None, address: str | None) -> Iterator[None]:
        """Hold while checking a password: checks of one (user, address) pair run one after another."""
        key = (user_key(username), address or "unknown")
        with self._lock:
            lock, users = self._guards.get(key) or (threading.Lock(), 0)
            self._guards[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                lock, users = self._guards[key]
                if users <= 1:
                    del self._guards[key]
                else:
                    self._guards[key] = (lock, users - 1)

    def failed(self, username: str | None, address: str | None) -> None:
        """Count one wrong password of `username` from `address`."""
        user, addr = user_key(username), address or "unknown"
        with self._lock:
            now = self._clock()
            if len(self._pairs) + len(self._addresses) + len(self._trusted) >= MAX_KEYS:
                self._prune(now)
            for table, key in ((self._pairs, (user, addr)), (self._addresses, addr)):
                entry = self._live(table, key, now)
                if entry is None:
                    table[key] = _Failures(1, now)
                else:
                    entry.count, entry.last = entry.count + 1, now

    def succeeded(self, username: str | None, address: str | None) -> None:
        """The right password: forget the pair's failures and trust the pair despite its address's."""
        user, addr = user_key(username), address or "unknown"
        with self._lock:
            now = self._clock()
            self._pairs.pop((user, addr), None)
            if len(self._trusted) >= MAX_KEYS:
                self._prune(now)
            self._trusted[(user, addr)] = now

    def _prune(self, now: float) -> None:
        window = self.settings.window_seconds
        for table in (self._pairs, self._addresses):
            for stale in [k for k, v in table.items() if now - v.last >= window]:
                del table[stale]
        for pair in [k for k, t in self._trusted.items() if now - t >= window]:
            del self._trusted[pair]
        for failures in (self._pairs, self._addresses):
            if len(failures) >= MAX_KEYS // 3:
                # Still full of live keys (a flood): forget the older half rather than grow without bound.
                for oldest in sorted(failures, key=lambda k: failures[k].last)[:len(failures) // 2]:
                    del failures[oldest]
        if len(self._trusted) >= MAX_KEYS // 3:
            for pair in sorted(self._trusted, key=self._trusted.__getitem__)[:len(self._trusted) // 2]:
                del self._trusted[pair]


def minutes(seconds: float) -> int:
    """Whole minutes to tell a user (never 0: "try again in 0 minutes" reads as "now")."""
    return max(1, math.ceil(seconds / 60))


def wait_text(seconds: float) -> tuple[str, str]:
    """How long to wait, in English and Indonesian: seconds under two minutes, else minutes."""
    if seconds < 120:
        n = max(1, math.ceil(seconds))
        return f"{n} seconds", f"{n} detik"
    return f"{minutes(seconds)} minutes", f"{minutes(seconds)} menit"


__all__ = [
    "DEFAULT_MAX_DELAY_SECONDS",
    "DEFAULT_MAX_FAILURES",
    "DEFAULT_WINDOW_SECONDS",
    "LoginThrottle",
    "ThrottleSettings",
    "minutes",
    "user_key",
    "wait_text",
]
