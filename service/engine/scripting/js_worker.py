"""The child process of the JavaScript sandbox (`sandbox.py`): runs one script at a time in a fresh V8 isolate.

V8 runs here, never in the service process: a script can make V8 abort the whole process (an allocation
over V8's own size limits is a fatal error, not an exception) or sit in a builtin that ignores
termination (`new Array(1e8).fill(0)`), so the parent kills this process when a script outlives its time
or its memory, and starts another.

Protocol: one JSON object per line on stdin: `{"op": "run", "source": str, "input": str, "timeout_ms": int,
"memory_bytes": int}` or `{"op": "check", "source": str, "timeout_ms": int, "memory_bytes": int}`; one JSON
line back, the harness's answer (`harness.js`) or `{"ok": false, "kind": "timeout" | "memory" | "error",
"message": str, "fatal": true}`, after which this process exits (its isolate may still be busy).

Each request gets an isolate nobody used before (created while the previous answer was being read), so no
script sees another's globals, prototypes or leftovers; JIT compilation and WebAssembly are off
(`--jitless`), and V8 alone has no file, network, process, timer or module access.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

HARNESS = (Path(__file__).with_name("harness.js")).read_text(encoding="utf-8")
V8_FLAGS = ("--single-threaded", "--jitless")
# The mini-racer wrapper installs these (setTimeout over Atomics.waitAsync); a script gets no timers.
_REMOVE = ("setTimeout", "clearTimeout", "__timer_manager")


class _Isolate:
    """One V8 isolate with the harness loaded, used for one script."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        from py_mini_racer import mini_racer

        self._maker = mini_racer(loop)
        self.racer = self._maker.__enter__()
        # `var`s of the wrapper: not deletable, so emptied.
        cleanup = ";".join(f"globalThis.{name} = undefined" for name in _REMOVE)
        self.racer.eval(f"{cleanup};{HARNESS}")

    def close(self) -> None:
        self._maker.__exit__(None, None, None)


def _answer(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    from py_mini_racer import JSOOMException, JSTimeoutException

    isolate = _Isolate(loop)
    _answer({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        racer = isolate.racer
        racer.set_hard_memory_limit(int(request["memory_bytes"]))
        timeout = int(request["timeout_ms"]) / 1000
        if request["op"] == "check":
            code = f"__alurCheck({json.dumps(request['source'])})"
        else:
            code = f"__alurRun({json.dumps(request['source'])}, {json.dumps(request['input'])})"
        try:
            text = racer.eval(code, timeout_sec=timeout)
        except JSTimeoutException:
            _answer({"ok": False, "kind": "timeout", "message": "timeout", "fatal": True})
            os._exit(0)          # the isolate may still be inside a builtin; the process goes with it
        except JSOOMException:
            _answer({"ok": False, "kind": "memory", "message": "memory", "fatal": True})
            os._exit(0)
        except Exception as exc:  # noqa: BLE001 - an engine failure outside the harness: report, start afresh
            if racer.was_hard_memory_limit_reached():
                _answer({"ok": False, "kind": "memory", "message": "memory", "fatal": True})
                os._exit(0)
            _answer({"ok": False, "kind": "error", "message": str(exc)[:2000], "fatal": True})
            os._exit(0)
        if not isinstance(text, str):
            text = json.dumps({"ok": False, "kind": "error", "message": "the harness gave no answer"})
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        isolate.close()
        isolate = _Isolate(loop)      # the next script's, made while the parent reads this answer


def _die_with_parent() -> None:
    """Exit when the service process dies (this process is re-parented), so a script stuck in a builtin
    cannot outlive it. (PR_SET_PDEATHSIG would fire when the spawning *thread* ends.)"""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    from py_mini_racer import init_mini_racer

    _die_with_parent()

    init_mini_racer(flags=V8_FLAGS)
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    try:
        _serve(loop)
    finally:
        # Tearing down V8 and the loop thread can hang after a terminated script; nothing here needs it.
        sys.stdout.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
