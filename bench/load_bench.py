"""Completion throughput of the real server under concurrent clients (prints figures; not a test).

Starts `alur serve --workers N` of this checkout (a subprocess; without `--workers` in this checkout, one
process, and it says so) on the given database, REST Basic auth on, and drives it over HTTP: each client
(a thread with its own keep-alive connection, as user `pekerja` of lane `lane_b`) works through instances
of the 15-step model of bench/benchlib.py, one step = GET /engine-rest/task?processInstanceId=... +
POST /engine-rest/task/{id}/complete. A new instance is started (as admin, untimed, not counted) when one
is finished. For 1, 2, 4 and 8 clients, `--seconds` each, it prints completions/s, p50/p95/p99 latency of a
step (GET + POST), errors (any status other than 200/204, or a failed connection), reconnections (a closed
keep-alive connection) and the server's CPU ms per completion (user + system time of the server's process
tree; the untimed instance starts, one per 15 completions, are included).

Run: scripts/with-postgres.sh sh -c '.venv/bin/python bench/load_bench.py --database-url "$DATABASE_URL_PG"'
     [--workers 1,2] [--clients 1,2,4,8] [--seconds 20]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib as bl  # noqa: E402

START = f"/engine-rest/process-definition/key/{bl.PROCESS_KEY}/start"
VARIABLES = {"variables": {"grup": {"value": "lane_b", "type": "String"},
                           "tenggat": {"value": "2030-01-01T00:00:00Z", "type": "String"}}}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    reconnects: int = 0
    messages: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors += 1
        self.messages[what] = self.messages.get(what, 0) + 1


def client(port: int, deadline: float, tally: Tally, lock: threading.Lock) -> None:
    starter, worker = bl.Client(port, "admin"), bl.Client(port, "pekerja")
    mine = Tally()
    while time.monotonic() < deadline:
        try:
            status, body = starter.request("POST", START, body=VARIABLES)
        except OSError as exc:
            mine.error(f"start {type(exc).__name__}")
            time.sleep(0.05)
            continue
        if status != 200:
            mine.error(f"start {status}")
            time.sleep(0.05)
            continue
        instance = bl.json.loads(body)["id"]
        for _ in range(bl.STEPS):
            if time.monotonic() >= deadline:
                break
            begin = time.perf_counter()
            try:
                status, body = worker.request("GET", "/engine-rest/task", query={"processInstanceId": instance})
                if status != 200 or not bl.json.loads(body):
                    mine.error(f"GET task {status}")
                    break
                task = bl.json.loads(body)[0]["id"]
                status, body = worker.request("POST", f"/engine-rest/task/{task}/complete", body={})
            except OSError as exc:
                mine.error(type(exc).__name__)
                break
            if status != 204:
                mine.error(f"complete {status}")
                break
            mine.latencies.append((time.perf_counter() - begin) * 1000)
    mine.reconnects = worker.reconnects
    with lock:
        tally.latencies.extend(mine.latencies)
        tally.errors += mine.errors
        tally.reconnects += mine.reconnects
        for k, v in mine.messages.items():
            tally.messages[k] = tally.messages.get(k, 0) + v


def phase(server: bl.Server, clients: int, seconds: float, label: str | None = None) -> None:
    tally, lock = Tally(), threading.Lock()
    load = bl.load_average()
    cpu0 = server.cpu_seconds()
    begin = time.monotonic()
    deadline = begin + seconds
    threads = [threading.Thread(target=client, args=(server.port, deadline, tally, lock)) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - begin
    cpu = server.cpu_seconds() - cpu0
    done = len(tally.latencies)
    lat = tally.latencies or [float("nan")]
    print(f"  {label or clients:>7} {done / took:10.1f} {statistics.median(lat):8.1f} {bl.percentile(lat, 95):8.1f} "
          f"{bl.percentile(lat, 99):8.1f} {tally.errors:6d} {tally.reconnects:6d} "
          f"{cpu * 1000 / max(done, 1):9.1f}   {load}", flush=True)
    if tally.messages:
        print(f"          errors: {tally.messages}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True, help="PostgreSQL (SQLite works, with one writer at a time)")
    ap.add_argument("--workers", default="1,2", help="server processes to try (needs `alur serve --workers`)")
    ap.add_argument("--threads", type=int, default=8, help="threads per server process")
    ap.add_argument("--clients", default="1,2,4,8")
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()
    bl.stop_server_on_sigterm()

    ctx = bl.ops_context(args.database_url)
    bl.deploy_model(ctx)
    bl.create_users(ctx, {"pekerja": ["lane_b"], "admin": [bl.admin_group()]})
    has_workers = bl.serve_supports_workers(sys.executable, bl.ROOT)
    worker_counts: list[int | None] = [int(w) for w in args.workers.split(",")] if has_workers else [None]
    if not has_workers:
        print("note: this checkout's `alur serve` has no --workers: one server process", flush=True)
    print(f"database {args.database_url.split('@')[-1]}; checkout {bl.ROOT}; {args.seconds:.0f} s per line")
    with tempfile.TemporaryDirectory(prefix="alur-loadbench-") as tmp:
        for workers in worker_counts:
            server = bl.Server(args.database_url, Path(tmp), workers=workers, threads=args.threads)
            try:
                print(f"workers {workers or 1} x {args.threads} threads")
                print(f"  {'clients':>7} {'compl./s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} "
                      f"{'reconn':>6} {'CPU ms/c':>9}   load average")
                phase(server, 1, min(args.seconds, 5.0), "warm-up")    # caches and connections
                for clients in (int(c) for c in args.clients.split(",")):
                    phase(server, clients, args.seconds)
            finally:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
