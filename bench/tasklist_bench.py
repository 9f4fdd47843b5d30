"""Task list, count and instance list latency at 1k, 10k and 100k open instances (prints figures; not a test).

Through the real server (`alur serve`, a subprocess of this checkout) over HTTP, REST Basic auth on, pages
with a logged-in session. Every open instance waits at step 1 of a 15-step model (bench/benchlib.py);
5% of them are offered to lane `lane_a`, the rest to `lane_b`; due dates spread from 10 days ago to
30 days ahead. Lines (p50/p95 wall ms of sequential requests, one keep-alive connection each):
  web /        staf_a (lane_a: sees 5% of the tasks)      web /        staf_ab (both lanes: sees all)
  GET /task?sortBy=dueDate&sortOrder=asc&maxResults=25   as admin and as staf_a (lane user)
  GET /task/count as admin                               GET /process-instance?maxResults=25 as admin

Creation: `--templates` instances (default 100) are started through the operations layer
(ops.start_instance: the engine runs, the state, projections and history are written as in production);
the rest are clones of their stored rows, made in SQL with fresh UUIDs for the instance, its engine tasks and
its projection rows (benchlib.clone_instances: the tables are found from the schema, so new projection tables
are cloned too). A clone is what a start with the same variables writes, apart from ids, so the lists, counts,
access rules and sort keys see the same data. `--direct` starts every instance through the operations layer
instead (slow: the figure of one start is printed, so the time of 100k is known without it).

Run (SQLite):     .venv/bin/python bench/tasklist_bench.py [--sizes 1000,10000,100000] [--samples 30]
                  [--keep FILE]  (keep the SQLite file; `--reuse --keep FILE --sizes 100000` measures it again)
Run (PostgreSQL): scripts/with-postgres.sh sh -c \
                    '.venv/bin/python bench/tasklist_bench.py --database-url "$DATABASE_URL_PG"'
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib as bl  # noqa: E402

USERS = {"staf_a": ["lane_a"], "staf_ab": ["lane_a", "lane_b"]}


def template_variables(count: int) -> list[dict[str, Any]]:
    dues = bl.due_dates(count)
    return [{"grup": "lane_a" if j % 20 == 0 else "lane_b", "tenggat": dues[j]} for j in range(count)]


def grow(ctx: Any, url: str, have: int, want: int, args: argparse.Namespace,
         templates: list[bl.Template]) -> float:
    """Bring the open instances from `have` to `want`; returns seconds taken."""
    begin = time.perf_counter()
    todo = want - have
    if args.direct:
        variables = template_variables(args.templates)
        bl.start_instances(ctx, (variables[(have + i) % len(variables)] for i in range(todo)))
    else:
        if not templates:
            t0 = time.perf_counter()
            ids = bl.start_instances(ctx, template_variables(args.templates))
            per = (time.perf_counter() - t0) / len(ids)
            print(f"  {len(ids)} instances started through ops.start_instance: {per * 1000:.1f} ms each "
                  f"(100k that way: ~{per * 100_000 / 60:.0f} min)", flush=True)
            templates.extend(bl.read_template(url, i) for i in ids)
            todo -= len(ids)
            have += len(ids)
        bl.clone_instances(url, templates, todo, offset=have)
    return time.perf_counter() - begin


def open_instances(ctx: Any) -> int:
    from sqlalchemy import func, select

    from service.store import ProcessInstance

    with ctx.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(ProcessInstance)) or 0)


def existing_templates(ctx: Any) -> list[str]:
    """Instances to clone from, in the bench's mix: 5 of lane_a, 95 of lane_b."""
    from sqlalchemy import select

    from service.store import TaskCandidate, UserTask

    with ctx.transaction() as session:
        def of(lane: str, n: int) -> list[str]:
            return list(session.scalars(select(UserTask.instance_id).join(TaskCandidate)
                                        .where(TaskCandidate.value == lane).limit(n)))
        return of("lane_a", 5) + of("lane_b", 95)


def lines(port: int) -> list[tuple[str, Callable[[], tuple[int, bytes]]]]:
    web_a, web_all = bl.Client(port), bl.Client(port)
    web_a.login("staf_a")
    web_all.login("staf_ab")
    admin, lane = bl.Client(port, "admin"), bl.Client(port, "staf_a")
    page = {"sortBy": "dueDate", "sortOrder": "asc", "firstResult": 0, "maxResults": 25}
    return [
        ("web / (sees 5%)", lambda: web_a.request("GET", "/")),
        ("web / (sees all)", lambda: web_all.request("GET", "/")),
        ("GET /task admin", lambda: admin.request("GET", "/engine-rest/task", query=page)),
        ("GET /task lane user", lambda: lane.request("GET", "/engine-rest/task", query=page)),
        ("GET /task/count", lambda: admin.request("GET", "/engine-rest/task/count")),
        ("GET /process-instance", lambda: admin.request(
            "GET", "/engine-rest/process-instance", query={"firstResult": 0, "maxResults": 25})),
    ]


def measure(port: int, samples: int, budget: float, skip: set[str]) -> dict[str, tuple[list[float], int]]:
    """Round robin over the lines (so load changes hit all of them); a line stops after `samples`
    requests or `budget` seconds, whichever first (at least 3). Lines in `skip` are not requested."""
    todo = [(name, call) for name, call in lines(port) if name not in skip]
    for _, call in todo:                 # warm-up: caches, connections, compiled templates
        call()
    times: dict[str, list[float]] = {name: [] for name, _ in todo}
    errors: dict[str, int] = {name: 0 for name, _ in todo}
    spent: dict[str, float] = {name: 0.0 for name, _ in todo}
    for _ in range(samples):
        for name, call in todo:
            if len(times[name]) >= 3 and spent[name] > budget:
                continue
            start = time.perf_counter()
            status, _ = call()
            took = time.perf_counter() - start
            spent[name] += took
            times[name].append(took * 1000)
            if status != 200:
                errors[name] += 1
    return {name: (times[name], errors[name]) for name in times}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--budget", type=float, default=40.0, help="seconds per line and size at most")
    ap.add_argument("--cap", type=float, default=20.0,
                    help="skip a line at the next size when its p50 scaled by the size ratio exceeds this (s)")
    ap.add_argument("--templates", type=int, default=100)
    ap.add_argument("--direct", action="store_true", help="start every instance through the operations layer")
    ap.add_argument("--workers", type=int, default=None, help="passed to `alur serve --workers` when it has it")
    ap.add_argument("--keep", metavar="FILE", help="SQLite: use and keep this database file (default: a temporary "
                    "one); with --database-url the database is kept anyway")
    ap.add_argument("--reuse", action="store_true",
                    help="start from the open instances already in the database (a run with --keep or the same "
                         "--database-url): sizes below them are skipped, larger ones cloned from them")
    args = ap.parse_args()
    bl.stop_server_on_sigterm()
    sizes = [int(s) for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory(prefix="alur-tlbench-") as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite:///{Path(args.keep).resolve() if args.keep else workdir / 'bench.db'}"
        ctx = bl.ops_context(url)
        have = open_instances(ctx) if args.reuse else 0
        templates: list[bl.Template] = []
        if have:
            templates = [bl.read_template(url, i) for i in existing_templates(ctx)]
            print(f"reusing {have} open instances of {url.split('@')[-1]}", flush=True)
        else:
            bl.deploy_model(ctx)
        bl.create_users(ctx, {**USERS, "admin": [bl.admin_group()]})
        workers = args.workers
        if workers is not None and not bl.serve_supports_workers(sys.executable, bl.ROOT):
            print("note: this checkout's `alur serve` has no --workers: one process", flush=True)
            workers = None
        print(f"database {url.split('@')[-1]}; checkout {bl.ROOT}; load average {bl.load_average()}", flush=True)
        server = bl.Server(url, workdir, workers=workers)
        results = []
        skip: dict[str, float] = {}
        try:
            for size in sizes:
                if size < have:
                    print(f"{size} open instances: skipped (the database holds {have})", flush=True)
                    continue
                took = grow(ctx, url, have, size, args, templates)
                print(f"{size} open instances: created {size - have} in {took:.1f} s", flush=True)
                have = size
                bl.check_counts(server.port, size, size // 20)
                load = bl.load_average()
                figures = measure(server.port, args.samples, args.budget, set(skip))
                print(f"  load average {load} -> {bl.load_average()}")
                print(f"  {'line':26} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'errors':>6}")
                for name, estimate in skip.items():
                    print(f"  {name:26} skipped: about {estimate:.0f} s per request (p50 scaled by size)")
                for name, (times, errs) in figures.items():
                    p50, p95 = statistics.median(times), bl.percentile(times, 95)
                    results.append((size, name, p50, p95))
                    print(f"  {name:26} {len(times):4d} {p50:9.1f} {p95:9.1f} {errs:6d}", flush=True)
                nxt = sizes[sizes.index(size) + 1] if size != sizes[-1] else size
                for s, name, p50, _ in results:
                    if s == size and p50 / 1000 * nxt / size > args.cap:
                        skip[name] = p50 / 1000 * nxt / size
        finally:
            server.stop()
        if len(sizes) > 1:
            lo, hi = sizes[0], sizes[-1]
            print(f"p95 ratio {hi}/{lo}:")
            last = {(s, n): v for s, n, _, v in results}
            for name in dict.fromkeys(n for _, n, _, _ in results):
                if (hi, name) not in last:
                    continue
                print(f"  {name:26} {last[(hi, name)] / last[(lo, name)]:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
