"""The one compile path for every pattern that comes from a model, a form or a request.

Compiling in the `regex` module cannot be interrupted and a small pattern can need gigabytes and seconds
(`(?:(?:a{300}[](]){300}[](]){100}`), so a pattern seen for the first time is compiled in a child process
(`regex_worker.py`) that has a memory cap and is killed after `COMPILE_SECONDS`. Only a pattern whose
compile stayed under `COMPILE_SECONDS` and `COMPILED_BYTES` there is compiled here; the compiled patterns
are kept in a cache bounded by total size. Matching is bounded separately by the callers' `timeout=`.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
from collections import OrderedDict
from typing import Any

import regex

MAX_PATTERN_LENGTH = 10_000          # characters of one pattern
COMPILE_SECONDS = 0.5                # compile time in the child
COMPILED_BYTES = 4 * 1024 * 1024     # memory a compiled pattern keeps
WORKER_MEMORY = 512 * 1024 * 1024    # address space the child may add while compiling
CACHE_BYTES = 64 * 1024 * 1024       # all compiled patterns kept in this process


WORKER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "regex_worker.py")


class PatternRefused(ValueError):
    """A pattern that is invalid or too costly to compile; the message names the limit."""


class PatternTooCostly(PatternRefused):
    """A pattern over a compile limit (length, time, memory): refused even where invalid ones give null."""


class _Worker:
    """One child process, used by one thread at a time; restarted after a kill."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen([sys.executable, WORKER_SCRIPT, str(WORKER_MEMORY)], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True)
            assert self._proc.stdout is not None
            ready, _, _ = select.select([self._proc.stdout], [], [], _STARTUP_SECONDS)
            if not ready or self._proc.stdout.readline() != b"ready\n":
                self._kill()
                raise PatternRefused("the regular expression checker did not start")
        return self._proc

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def measure(self, pattern: str, flags: int) -> dict[str, Any]:
        with self._lock:
            for attempt in range(2):          # a child that died (e.g. after a MemoryError) is started again once
                proc = self._start()
                assert proc.stdin is not None and proc.stdout is not None
                try:
                    proc.stdin.write((json.dumps({"pattern": pattern, "flags": flags}) + "\n").encode())
                    proc.stdin.flush()
                except BrokenPipeError:
                    self._kill()
                    continue
                ready, _, _ = select.select([proc.stdout], [], [], COMPILE_SECONDS + _PIPE_SLACK)
                if not ready:
                    self._kill()
                    return {"ok": False, "error": "time"}
                line = proc.stdout.readline()
                if line:
                    answer: dict[str, Any] = json.loads(line)
                    if answer.get("ok") and answer["seconds"] > COMPILE_SECONDS:
                        return {"ok": False, "error": "time"}
                    return answer
                self._kill()
                if attempt:
                    return {"ok": False, "error": "memory"}
            return {"ok": False, "error": "memory"}


_STARTUP_SECONDS = 10.0      # a cold child imports `regex` (slow on a loaded machine)
_PIPE_SLACK = 0.1            # JSON over the pipe, on top of the compile itself
_worker = _Worker()
_cache: OrderedDict[tuple[str, int], tuple[Any, int]] = OrderedDict()
_cache_bytes = 0
_cache_lock = threading.Lock()
_refused: OrderedDict[tuple[str, int], PatternTooCostly] = OrderedDict()
_REFUSED_KEPT = 1024


def _remember(key: tuple[str, int], compiled: Any, size: int) -> None:
    global _cache_bytes
    with _cache_lock:
        if key in _cache:
            return
        _cache[key] = (compiled, size)
        _cache_bytes += size
        while _cache_bytes > CACHE_BYTES and len(_cache) > 1:
            _, (_, dropped) = _cache.popitem(last=False)
            _cache_bytes -= dropped


def _cached(key: tuple[str, int]) -> Any:
    with _cache_lock:
        hit = _cache.get(key)
        if hit is None:
            return None
        _cache.move_to_end(key)
        return hit[0]


def compile_pattern(pattern: str, flags: int = 0) -> Any:
    """`regex.compile(pattern, flags)` for an untrusted pattern, or `PatternRefused` naming the limit."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternTooCostly(f"pattern longer than {MAX_PATTERN_LENGTH} characters")
    key = (pattern, flags)
    hit = _cached(key)
    if hit is not None:
        return hit
    try:
        compiled = regex.compile(pattern, flags, cache_pattern=False) if _trivial(pattern) else None
    except (regex.error, ValueError, OverflowError, RecursionError) as exc:
        raise PatternRefused(f"invalid regular expression: {exc}") from None
    if compiled is not None:
        _remember(key, compiled, _TRIVIAL_BYTES_PER_CHAR * (len(pattern) + 1))
        return compiled
    with _cache_lock:
        refused = _refused.get(key)
    if refused is not None:
        raise refused
    try:
        return _measured_compile(key)
    except PatternTooCostly as exc:
        with _cache_lock:          # a bomb sent again costs nothing the second time
            _refused[key] = exc
            if len(_refused) > _REFUSED_KEPT:
                _refused.popitem(last=False)
        raise


def _measured_compile(key: tuple[str, int]) -> Any:
    pattern, flags = key
    answer = _worker.measure(pattern, flags)
    if not answer["ok"]:
        error = answer["error"]
        if error == "time":
            raise PatternTooCostly(f"regular expression takes longer than {COMPILE_SECONDS} s to compile")
        if error == "memory":
            raise PatternTooCostly(f"regular expression needs more than {WORKER_MEMORY // 2**20} MB to compile")
        raise PatternRefused(f"invalid regular expression: {error.removeprefix('invalid: ')}")
    if answer["bytes"] > COMPILED_BYTES:
        raise PatternTooCostly(f"regular expression compiles to more than {COMPILED_BYTES} bytes")
    try:
        compiled = regex.compile(pattern, flags, cache_pattern=False)
    except (regex.error, ValueError, OverflowError, RecursionError) as exc:  # pragma: no cover - the child agreed
        raise PatternRefused(f"invalid regular expression: {exc}") from None
    _remember(key, compiled, int(answer["bytes"]))
    return compiled


# Cache accounting for the patterns compiled without the child (measured: well under 100 bytes a character).
_TRIVIAL_BYTES_PER_CHAR = 256


def _trivial(pattern: str) -> bool:
    """No repetition count and no nesting beyond one group level: compiling is linear in the text, no child."""
    if "{" in pattern or len(pattern) > 200:
        return False
    depth = 0
    for c in pattern:
        if c == "(":
            depth += 1
            if depth > 1:
                return False
        elif c == ")":
            depth -= 1
    return True


__all__ = ["compile_pattern", "PatternRefused", "PatternTooCostly", "MAX_PATTERN_LENGTH", "COMPILE_SECONDS",
           "COMPILED_BYTES"]
