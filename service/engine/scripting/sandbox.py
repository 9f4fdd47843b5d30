"""The service side of the JavaScript sandbox: a small pool of child processes (`js_worker.py`), each running
one script at a time in a fresh V8 isolate, and the bounds a script cannot pass.

- time: V8 terminates a script at `timeout_ms`; a child that has not answered `_GRACE` later (a builtin
  that ignores termination) is killed.
- memory: V8's heap stops at `memory_mb` (the script fails with the memory limit); a child whose resident
  memory grows past `memory_mb` plus `_RSS_SLACK` (memory outside V8's heap: typed arrays) is killed, and
  so is one that V8 aborts (an allocation past V8's own limits).
- size: the source (`MAX_SOURCE_CHARS`), the variables sent in and the answer coming back (`max_bytes`).
A killed child is replaced on the next script; the script gets a `SandboxError` naming the bound.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

WORKER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js_worker.py")
MAX_SOURCE_CHARS = 256 * 1024          # one script's text
MAX_WORKERS = 4                        # child processes of one service process (each ~60 MB)
_GRACE = 0.5                           # seconds past the time limit before a silent child is killed
_STARTUP_SECONDS = 15.0                # a cold child imports mini-racer and starts V8 (slow on a busy machine)
_RSS_SLACK = 192 * 1024 * 1024         # the child's own memory (Python, V8's code) beside the script's heap
_POLL = 0.02                           # seconds between memory checks while a script runs
_ANSWER_SLACK = 64 * 1024              # the answer's JSON around the values (messages, date paths)


@dataclass(frozen=True)
class SandboxLimits:
    timeout_ms: int = 1000             # ALUR_SCRIPT_TIMEOUT_MS
    memory_mb: int = 64                # ALUR_SCRIPT_MEMORY_MB
    max_bytes: int = 16 * 1024 * 1024  # variables in, result and writes out (JSON)


class SandboxError(Exception):
    """A script that failed or was stopped; `kind` is syntax, error, result, timeout, memory or unavailable."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        self.message = message
        super().__init__(message)


class _Worker:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, WORKER_SCRIPT], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True,
                                     env={})      # nothing of the service's environment (secrets, URLs)
        assert self.proc.stdout is not None
        line = self._read_line(time.monotonic() + _STARTUP_SECONDS, None)
        if line is None or not json.loads(line or b"{}").get("ready"):
            self.kill()
            raise SandboxError("unavailable", "the JavaScript sandbox did not start (is mini-racer installed?)")

    def _read_line(self, deadline: float, rss_limit: int | None, max_bytes: int = 4096) -> bytes | None:
        """One answer line, or None when the deadline or the memory limit passes first (the child is killed)."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], min(left, _POLL))
            if ready:
                line = fd.readline(max_bytes + _ANSWER_SLACK)
                if line and not line.endswith(b"\n"):     # longer than any answer the harness may give
                    raise SandboxError("result", f"the script's answer is larger than {max_bytes} bytes")
                return line
            if rss_limit is not None and _rss(self.proc.pid) > rss_limit:
                raise SandboxError("memory", "memory")

    def ask(self, request: dict[str, Any], limits: SandboxLimits) -> dict[str, Any]:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise SandboxError("unavailable", "the JavaScript sandbox stopped") from None
        deadline = time.monotonic() + limits.timeout_ms / 1000 + _GRACE
        line = self._read_line(deadline, limits.memory_mb * 1024 * 1024 + _RSS_SLACK, limits.max_bytes)
        if line is None:
            raise SandboxError("timeout", "timeout")
        if not line:                                   # the child died: V8 aborted on an allocation
            raise SandboxError("memory", "memory")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class _Pool:
    """Idle children, reused one script at a time; at most MAX_WORKERS exist, further callers wait."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._count = 0
        self._cond = threading.Condition()

    def _take(self) -> _Worker | None:
        with self._cond:
            while True:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        return worker
                    self._count -= 1
                    worker.kill()
                if self._count < MAX_WORKERS:
                    self._count += 1
                    return None           # the caller starts a new one
                self._cond.wait()

    def _give_back(self, worker: _Worker | None) -> None:
        with self._cond:
            if worker is not None and worker.alive():
                self._idle.append(worker)
            else:
                self._count -= 1
            self._cond.notify()

    def ask(self, request: dict[str, Any], limits: SandboxLimits) -> dict[str, Any]:
        worker = self._take()
        try:
            if worker is None:
                worker = _Worker()
            answer = worker.ask(request, limits)
        except SandboxError:
            if worker is not None:
                worker.kill()
            self._give_back(None)
            raise
        except BaseException:
            if worker is not None:
                worker.kill()
            self._give_back(None)
            raise
        if answer.get("fatal"):          # the child exits after this answer
            worker.kill()
            self._give_back(None)
        else:
            self._give_back(worker)
        return answer

    def forget(self) -> None:
        """In a forked process: the children belong to the parent; start afresh without touching them."""
        self._idle = []
        self._count = 0
        self._cond = threading.Condition()

    def close(self) -> None:
        with self._cond:
            for worker in self._idle:
                worker.kill()
            self._count -= len(self._idle)
            self._idle.clear()


_pool = _Pool()
os.register_at_fork(after_in_child=_pool.forget)     # `alur serve --workers N` forks after deploying


def _outcome(answer: dict[str, Any], limits: SandboxLimits) -> dict[str, Any]:
    if answer.get("ok"):
        return answer
    kind = str(answer.get("kind") or "error")
    if kind == "timeout":
        raise SandboxError(kind, f"the script ran longer than {limits.timeout_ms} ms (ALUR_SCRIPT_TIMEOUT_MS)")
    if kind == "memory":
        raise SandboxError(kind, f"the script needed more than {limits.memory_mb} MB (ALUR_SCRIPT_MEMORY_MB)")
    raise SandboxError(kind, str(answer.get("message") or kind)[:1000])


def _bounded(source: str) -> str:
    if not isinstance(source, str):
        raise SandboxError("syntax", "the script has no text")
    if len(source) > MAX_SOURCE_CHARS:
        raise SandboxError("syntax", f"the script is longer than {MAX_SOURCE_CHARS} characters")
    return source


def run(source: str, input_json: str, limits: SandboxLimits) -> dict[str, Any]:
    """Run `source` with the harness input (see harness.js); the harness's answer, or SandboxError."""
    if len(input_json) > limits.max_bytes:
        raise SandboxError("result", f"the variables given to the script are larger than {limits.max_bytes} bytes")
    request = {"op": "run", "source": _bounded(source), "input": input_json, "timeout_ms": limits.timeout_ms,
               "memory_bytes": limits.memory_mb * 1024 * 1024}
    return _outcome(_pool_ask(request, limits), limits)


def check(source: str, limits: SandboxLimits) -> None:
    """Compile `source` without running it; SandboxError(kind="syntax") names the error."""
    request = {"op": "check", "source": _bounded(source), "timeout_ms": limits.timeout_ms,
               "memory_bytes": limits.memory_mb * 1024 * 1024}
    _outcome(_pool_ask(request, limits), limits)


def _pool_ask(request: dict[str, Any], limits: SandboxLimits) -> dict[str, Any]:
    try:
        return _pool.ask(request, limits)
    except SandboxError as exc:
        return {"ok": False, "kind": exc.kind, "message": exc.message}
    except (OSError, ValueError) as exc:
        return {"ok": False, "kind": "unavailable", "message": f"the JavaScript sandbox failed: {exc}"}


def shutdown() -> None:
    """Stop the idle children (tests; a service process's children end with it)."""
    _pool.close()


__all__ = ["SandboxLimits", "SandboxError", "run", "check", "shutdown", "MAX_SOURCE_CHARS", "MAX_WORKERS"]
