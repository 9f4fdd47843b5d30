"""`alur serve` processes: one listening socket, N forked worker processes, each a threaded waitress server.

Waitress serves from one process and one GIL; to use every core, the parent binds the socket once and forks
workers that all accept on it (the kernel hands each new connection to one of them). The parent only
supervises: it restarts a worker that dies and stops them all on SIGTERM/SIGINT. Workers share nothing but
the database, as separate nodes do, so the guarantees that hold between nodes (optimistic locking of
instances, leased timers) hold between workers.

Waitress 3.0 closes every HTTP/1.1 connection whose response carries no Content-Length, including 204 and
304, which by RFC 9112 section 6.3 end with their headers and must not carry one: every `POST .../complete`
(204) cost the client a new connection. `KeepAliveChannel` keeps such connections open.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time
import traceback
from typing import Any, Callable

from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import WSGITask

log = logging.getLogger(__name__)

# A worker that dies sooner than this after its start counts as failing to start; after
# MAX_QUICK_DEATHS of those in a row the parent gives up instead of forking in a loop.
QUICK_DEATH_SECONDS = 5.0
MAX_QUICK_DEATHS = 5
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class KeepAliveTask(WSGITask):
    """A WSGI task that keeps an HTTP/1.1 connection open after a response that has no body by definition."""

    _bodyless_keep_alive = False

    def build_response_header(self) -> bytes:
        connection = self.request.headers.get("CONNECTION", "").lower()
        self._bodyless_keep_alive = self.version == "1.1" and not self.has_body and connection != "close"
        try:
            header: bytes = super().build_response_header()
            return header
        finally:
            self._bodyless_keep_alive = False

    def set_close_on_finish(self) -> None:
        # Waitress calls this for any response lacking Content-Length; a 1xx/204/304 response is complete
        # without one, so only there the call is skipped (other closes, e.g. a short body, still happen).
        if self._bodyless_keep_alive:
            return
        super().set_close_on_finish()


class KeepAliveChannel(HTTPChannel):
    task_class = KeepAliveTask


def bind(host: str, port: int, *, backlog: int = 1024) -> socket.socket:
    """The listening socket, bound before any worker starts (port 0: a free port, see getsockname())."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(backlog)
    sock.setblocking(False)
    return sock


def make_server(app: Any, sock: socket.socket, *, threads: int) -> Any:
    """A waitress server of `app` on the pre-bound `sock` with `threads` request threads (call `run()`)."""
    server: Any = create_server(app, sockets=[sock], threads=threads, ident="alur")
    server.channel_class = KeepAliveChannel
    return server


def serve_socket(app: Any, sock: socket.socket, *, threads: int) -> None:
    """Serve `app` on `sock` until the process ends."""
    make_server(app, sock, threads=threads).run()


def run_workers(count: int, worker: Callable[[int], object]) -> int:
    """Fork `count` processes running `worker(index)` and supervise them until SIGTERM/SIGINT.

    The caller binds the socket and finishes all one-time work (migrations, deployment) first, and must
    hold no threads or database connections: a forked child inherits neither safely.
    """
    children: dict[int, tuple[int, float]] = {}     # pid -> (worker index, start time)
    stopping = False

    def spawn(index: int) -> None:
        # Signals wait until the child is recorded (the parent) or has its own handlers (the child): a SIGTERM
        # in between would otherwise miss a worker, or run the parent's handler inside the child.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                _worker_main(index, worker)
            children[pid] = (index, time.monotonic())
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def stop(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            _kill(pid)

    previous = {s: signal.signal(s, stop) for s in STOP_SIGNALS}
    quick_deaths = 0
    try:
        for index in range(count):
            if not stopping:
                spawn(index)
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            entry = children.pop(pid, None)
            if entry is None or stopping:
                continue
            index, started = entry
            quick_deaths = quick_deaths + 1 if time.monotonic() - started < QUICK_DEATH_SECONDS else 0
            print(f"alur: worker {index} (pid {pid}) ended ({_describe(status)})"
                  + ("; restarting it" if quick_deaths < MAX_QUICK_DEATHS else ""), file=sys.stderr)
            if quick_deaths >= MAX_QUICK_DEATHS:
                print(f"alur: workers keep failing at start ({MAX_QUICK_DEATHS} in a row): stopping",
                      file=sys.stderr)
                stop(signal.SIGTERM, None)
                _reap(children)
                return 1
            if quick_deaths:
                time.sleep(min(quick_deaths, 3))      # no tight fork loop while e.g. the database is down
            if not stopping:
                spawn(index)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _worker_main(index: int, worker: Callable[[int], object]) -> None:
    """The forked child: default signal handling (SIGTERM ends it), run, and never return to the caller."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    code = 0
    try:
        worker(index)
    except BaseException:                             # noqa: B036 - report, then leave without the parent's cleanup
        traceback.print_exc()
        code = 1
    finally:
        sys.stderr.flush()
        os._exit(code)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


def _reap(children: dict[int, tuple[int, float]]) -> None:
    while children:
        try:
            pid, _status = os.wait()
        except ChildProcessError:
            return
        children.pop(pid, None)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


def default_workers() -> int:
    """One worker per core the process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:                            # not Linux
        return max(1, os.cpu_count() or 1)


__all__ = ["KeepAliveChannel", "KeepAliveTask", "bind", "default_workers", "make_server", "run_workers", "serve_socket"]
