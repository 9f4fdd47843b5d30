"""Measure the JavaScript sandbox: a script end to end through run_script (fresh V8 isolate per script, made
ahead in the child), against mini-racer's raw costs in this process (a fresh isolate per eval vs one reused).

    .venv/bin/python scripts/js_sandbox_bench.py [N]
"""
from __future__ import annotations

import statistics
import sys
import time


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:.2f} ms, p90 {sorted(samples)[int(len(samples) * 0.9)] * 1000:.2f} ms"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    from service.engine.scripting import run_script

    run_script("js", "1")                                   # start the child
    end_to_end = []
    for i in range(n):
        began = time.perf_counter()
        assert run_script("js", "var s = 0; for (var k = 0; k < 100; k++) s += k * x; s", variables={"x": i}) \
            == 4950 * i
        end_to_end.append(time.perf_counter() - began)
    print(f"run_script, fresh isolate per script (sandbox child): {_ms(end_to_end)}")

    from py_mini_racer import MiniRacer
    fresh = []
    for _ in range(n):
        began = time.perf_counter()
        racer = MiniRacer()
        racer.eval("1 + 1")
        racer.close()
        fresh.append(time.perf_counter() - began)
    print(f"mini-racer in process, new isolate per eval:        {_ms(fresh)}")
    racer = MiniRacer()
    reused = []
    for _ in range(n):
        began = time.perf_counter()
        racer.eval("1 + 1")
        reused.append(time.perf_counter() - began)
    print(f"mini-racer in process, one isolate reused:         {_ms(reused)}")


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    import os
    os._exit(0)          # mini-racer's event-loop thread can hold interpreter shutdown
