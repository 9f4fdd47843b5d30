"""The child process of `regex_guard`: compiles one pattern at a time under a memory cap and reports the cost.

Protocol: one JSON object per line on stdin, `{"pattern": str, "flags": int}`; one JSON line back,
`{"ok": true, "bytes": int, "seconds": float}` or `{"ok": false, "error": str}`. The parent kills this
process when a compile takes too long, so only memory needs a cap here (RLIMIT_AS).
"""
from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc

import regex


def _cap_memory(extra_bytes: int) -> None:
    # Address space now plus the allowance: a pattern that needs more fails with MemoryError, not the host.
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[0])
    limit = pages * resource.getpagesize() + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _measure(pattern: str, flags: int) -> dict[str, object]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        compiled = regex.compile(pattern, flags)
    except MemoryError:
        return {"ok": False, "error": "memory"}
    except (regex.error, ValueError, OverflowError, RecursionError) as exc:
        return {"ok": False, "error": f"invalid: {exc}"}
    finally:
        seconds = time.perf_counter() - started
        size, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    del compiled
    regex.purge()
    return {"ok": True, "bytes": size, "seconds": seconds}


def main() -> None:
    _cap_memory(int(sys.argv[1]) if len(sys.argv) > 1 else 256 * 1024 * 1024)
    sys.stdout.write("ready\n")          # the parent times compiles only from here on
    sys.stdout.flush()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = _measure(request["pattern"], int(request["flags"]))
        except MemoryError:
            answer = {"ok": False, "error": "memory"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
