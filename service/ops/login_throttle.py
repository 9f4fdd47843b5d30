"""Throttling of failed logins (web `/masuk` and REST Basic auth), per user name and per client address.

Each failed password check costs a full password hash; without a limit an unauthenticated client can
burn the CPU and guess passwords. A sliding window counts failures: once a user name has
`max_failures` failures (or a client address `ip_factor` times as many) within `window_seconds`, further
attempts are refused WITHOUT hashing until the oldest failure leaves the window. A successful login
clears its user name's failures (not the address's: one valid account must not reset a guesser).

In-process and thread-safe; each worker process counts on its own (a deliberate trade-off: no shared
store to run, and N workers allow at most N times the limit). A small module rather than Flask-Limiter,
which counts requests rather than failures and has no "clear this user on success".
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW_SECONDS = 300.0
# A client address may fail for several user names (colleagues behind one office NAT) before it is refused.
IP_FACTOR = 4
# Bounds the memory an attacker cycling through names or addresses can make us hold.
MAX_KEYS = 50_000


@dataclass(frozen=True)
class ThrottleSettings:
    max_failures: int = DEFAULT_MAX_FAILURES
    window_seconds: float = DEFAULT_WINDOW_SECONDS
    ip_factor: int = IP_FACTOR

    @property
    def max_ip_failures(self) -> int:
        return self.max_failures * self.ip_factor


def user_key(username: str | None) -> str:
    # The same normalisation as `users.authenticate`: "Admin " and "admin" are one account.
    return "u:" + (username or "").strip().lower()


def ip_key(address: str | None) -> str:
    return "ip:" + (address or "unknown")


class LoginThrottle:
    def __init__(self, settings: ThrottleSettings | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings or ThrottleSettings()
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> deque[float] | None:
        """The key's failures still inside the window (expired ones dropped); caller holds the lock."""
        times = self._failures.get(key)
        if times is None:
            return None
        cutoff = now - self.settings.window_seconds
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def _wait(self, key: str, limit: int, now: float) -> float:
        times = self._live(key, now)
        if times is None or len(times) < limit:
            return 0.0
        # Refused until enough failures leave the window for one more attempt.
        return times[len(times) - limit] + self.settings.window_seconds - now

    def retry_after(self, username: str | None, address: str | None) -> float | None:
        """Seconds until this user name may try again from this address, or None when it may try now."""
        with self._lock:
            now = self._clock()
            wait = max(self._wait(user_key(username), self.settings.max_failures, now),
                       self._wait(ip_key(address), self.settings.max_ip_failures, now))
        return wait if wait > 0 else None

    def attempt(self, username: str | None, address: str | None) -> float | None:
        """Check and count in one step: None lets the attempt go ahead, already counted as a failure (undone
        by `succeeded`); else the seconds to wait. Counting first means parallel requests cannot all pass
        the check before any of them has failed."""
        with self._lock:
            now = self._clock()
            wait = max(self._wait(user_key(username), self.settings.max_failures, now),
                       self._wait(ip_key(address), self.settings.max_ip_failures, now))
            if wait > 0:
                return wait
            self._record(username, address, now)
            return None

    def failed(self, username: str | None, address: str | None) -> None:
        with self._lock:
            self._record(username, address, self._clock())

    def _record(self, username: str | None, address: str | None, now: float) -> None:
        if len(self._failures) >= MAX_KEYS:
            self._prune(now)
        for key, limit in ((user_key(username), self.settings.max_failures),
                           (ip_key(address), self.settings.max_ip_failures)):
            times = self._live(key, now) or self._failures.setdefault(key, deque())
            times.append(now)
            while len(times) > limit:      # older failures beyond the limit change nothing
                times.popleft()

    def succeeded(self, username: str | None, address: str | None = None) -> None:
        """Clear the name's failures; with `address`, take back the failure `attempt` counted for it."""
        with self._lock:
            self._failures.pop(user_key(username), None)
            times = self._failures.get(ip_key(address)) if address is not None else None
            if times:
                times.pop()
                if not times:
                    del self._failures[ip_key(address)]

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            self._live(key, now)
        if len(self._failures) >= MAX_KEYS:
            # Still full of live keys (a flood): forget the oldest half rather than grow without bound.
            oldest = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in oldest[:len(oldest) // 2]:
                del self._failures[key]


def minutes(seconds: float) -> int:
    """Whole minutes to tell a user (never 0: "try again in 0 minutes" reads as "now")."""
    return max(1, math.ceil(seconds / 60))


__all__ = [
    "DEFAULT_MAX_FAILURES",
    "DEFAULT_WINDOW_SECONDS",
    "LoginThrottle",
    "ThrottleSettings",
    "minutes",
]
