"""Verified REST logins, so a request rarely costs a password hash or a database read.

A login (user name + password, keyed by their SHA-256) verified once is trusted for `TRUST_SECONDS`
without asking the database, as long as no account changed in this process (`credentials_generation`);
after that one SELECT of the account's session version renews it (`user_stamps`), for up to
`KEEP_SECONDS`, then the password is verified again. Logout, a password, membership or activity change
moves the session version, which ends the cached login in every process.

Concurrent requests with the same credentials and no cached login wait for ONE verification
(`single_flight`) instead of each running scrypt (hundreds of MB and CPU seconds at once).
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from service.ops.access import Principal

TRUST_SECONDS = 5.0
KEEP_SECONDS = 900.0
MAX_ENTRIES = 10_000

T = TypeVar("T")


@dataclass
class Login:
    principal: Principal
    session_version: int
    generation: int
    checked: float
    verified: float


def key(user: str, password: str) -> str:
    return hashlib.sha256(f"{user.strip().lower()}\0{password}".encode("utf-8", "surrogatepass")).hexdigest()


class LoginCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: dict[str, Login] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def now(self) -> float:
        return self._clock()

    def get(self, k: str) -> Login | None:
        with self._lock:
            login = self._items.get(k)
            if login is not None and self._clock() - login.verified >= KEEP_SECONDS:
                del self._items[k]
                return None
            return login

    def put(self, k: str, login: Login) -> None:
        with self._lock:
            if len(self._items) >= MAX_ENTRIES and k not in self._items:
                self._items.pop(next(iter(self._items)))      # the oldest entry
            self._items[k] = login

    def drop(self, k: str) -> None:
        with self._lock:
            self._items.pop(k, None)


class _Call(Generic[T]):
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None


class SingleFlight(Generic[T]):
    """`run(key, fn)`: concurrent callers with one key share one call of `fn` and its result."""

    def __init__(self) -> None:
        self._calls: dict[str, _Call[T]] = {}
        self._lock = threading.Lock()

    def run(self, k: str, fn: Callable[[], T]) -> T:
        with self._lock:
            call = self._calls.get(k)
            leader = call is None
            if call is None:
                call = self._calls[k] = _Call()
        if not leader:
            call.done.wait()
        else:
            try:
                call.result = fn()
            except BaseException as exc:   # noqa: BLE001 - handed to every waiter, then re-raised
                call.error = exc
            finally:
                with self._lock:
                    del self._calls[k]
                call.done.set()
        if call.error is not None:
            raise call.error
        return call.result  # type: ignore[return-value]


__all__ = ["Login", "LoginCache", "SingleFlight", "key", "TRUST_SECONDS", "KEEP_SECONDS"]
