"""The `alur` command.

Exit codes: 0 success, 1 the operation failed (message on stderr), 2 wrong usage.
The subcommands of `service.sop.cli` (`alur sop import`, `alur simulate`) and `service.cli.users`
(`alur users ...`, `alur documents sweep`) are registered in `build_parser`.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from service.config import Config
    from service.ops import OpsContext

log = logging.getLogger("alur")


class UsageError(Exception):
    """Wrong command-line input (exit code 2)."""


def parse_var(text: str) -> tuple[str, Any]:
    """`name=value`; the value is read as JSON when it is valid JSON (5, true, "x", {...}), else as text."""
    if "=" not in text:
        raise UsageError(f"--var expects name=value, got {text!r}")
    name, raw = text.split("=", 1)
    name = name.strip()
    if not name:
        raise UsageError(f"--var {text!r}: the variable name is empty")
    try:
        value = json.loads(raw, parse_constant=_not_json)
    except ValueError:
        value = raw
    return name, value


def _not_json(constant: str) -> Any:
    # Python's json accepts NaN/Infinity, which JSON does not: such a value stays text.
    raise ValueError(f"{constant} is not JSON")


def _vars(items: Sequence[str] | None) -> dict[str, Any]:
    return dict(parse_var(v) for v in items or [])


def _config(args: argparse.Namespace) -> "Config":
    from service.config import Config

    overrides: dict[str, Any] = {}
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    return Config.from_env(**overrides)


def context(args: argparse.Namespace) -> "tuple[OpsContext, Config]":
    """The operations context of a command (the schema must exist) and its configuration."""
    from service.ops import OpsContext
    from service.store import Database

    cfg = _config(args)
    db = Database(cfg.effective_database_url, echo=cfg.sql_echo, create_folder=cfg.uses_default_database)
    # Without tables every command would fail with "no such table": say what to run instead.
    db.require_schema()
    from service.app import input_limits
    return OpsContext(db=db, timer_lease_seconds=cfg.timer_lease_seconds, holidays_file=cfg.holidays_file,
                      limits=input_limits(cfg)), cfg


def _upgrade(cfg: "Config") -> None:
    from service.store import upgrade
    upgrade(cfg.effective_database_url, create_folder=cfg.uses_default_database)
    _project_variables(cfg)


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


# -- commands -------------------------------------------------------------------------------------

def cmd_db_upgrade(args: argparse.Namespace) -> int:
    cfg = _config(args)
    _upgrade(cfg)
    from service.store import current_revision
    print(f"database at revision {current_revision(cfg.effective_database_url)}: {cfg.effective_database_url}")
    return 0


def _project_variables(cfg: "Config") -> None:
    """After a migration: the variables of instances saved before the variable projection (0260)."""
    from service.app import input_limits
    from service.ops import OpsContext
    from service.ops.variable_backfill import project_missing_variables
    from service.store import Database

    db = Database(cfg.effective_database_url, create_folder=cfg.uses_default_database)
    try:
        ctx = OpsContext(db=db, timer_lease_seconds=cfg.timer_lease_seconds, holidays_file=cfg.holidays_file,
                         limits=input_limits(cfg))
        done, failed = project_missing_variables(ctx)
    finally:
        db.dispose()
    if done:
        print(f"variables of {done} instance(s) projected for variable filters")
    for instance_id in failed:
        print(f"alur: instance {instance_id} could not be loaded; its variables are not filterable until it is "
              "saved", file=sys.stderr)


def _deploy_dirs(ctx: Any, root: Path) -> None:
    from service.ops import deploy_directories

    def report(tenant: str | None, exc: Any) -> None:
        print(f"alur: deployment of tenant {tenant or '-'} failed, its models are not served: {exc.message}",
              file=sys.stderr)

    for view in deploy_directories(ctx, root, on_error=report):
        what = (f"{len(view.processes)} process, {len(view.decisions)} decision, {len(view.forms)} form definitions"
                if not view.duplicate else "unchanged")
        print(f"deployed {view.name} (tenant {view.tenant_id or '-'}): {what}", file=sys.stderr)


def seed_demo_users(ctx: "OpsContext", cfg: "Config") -> list[str]:
    """Only when ALUR_DEMO_USERS is on (`make run` sets it): a production server never gets known passwords."""
    if not cfg.demo_users:
        return []
    from service.ops.users import DEMO_PASSWORD
    from service.ops.users import seed_demo_users as seed

    created = seed(ctx)
    if created:
        print(f"alur: demo users created (password {DEMO_PASSWORD!r}): {', '.join(created)}", file=sys.stderr)
    return created


def safe_url(url: str) -> str:
    """A database URL fit for a log or a terminal: the password masked."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:           # not a URL SQLAlchemy can read: show no part of it
        return "(unreadable DATABASE_URL)"


def cmd_serve(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from service.app import create_app

    from . import serving

    cfg = _config(args)
    if args.threads is not None:
        cfg = replace(cfg, threads=args.threads).validated()
    sqlite = cfg.effective_database_url.startswith("sqlite")
    workers = args.workers if args.workers is not None else cfg.workers
    if workers is None:
        workers = 1 if sqlite else serving.default_workers()
    if workers < 1:
        print("alur: --workers must be at least 1", file=sys.stderr)
        return 2
    if sqlite and workers > 1:
        # SQLite lets one process write at a time: more processes add lock waits and "database is locked"
        # failures, not throughput.
        print(f"alur: --workers {workers} needs PostgreSQL: SQLite allows one writer, serve it with --workers 1 "
              "(SQLite hanya mengizinkan satu penulis)", file=sys.stderr)
        return 2
    # Workers must share the session key, or a login made in one would be unknown to the others.
    cfg = cfg.with_secret()
    _upgrade(cfg)
    app = create_app(cfg)
    ctx = app.extensions["alur"].ops
    if args.deploy_dirs:
        _deploy_dirs(ctx, Path(args.root) if args.root else cfg.effective_root)
    seed_demo_users(ctx, cfg)
    port = args.port if args.port is not None else cfg.port
    sock = serving.bind(args.host, port)
    host, port = sock.getsockname()[:2]
    print(f"Alur serving on http://{host}:{port} with {workers} process(es) of {cfg.threads} threads "
          f"(database {safe_url(cfg.effective_database_url)})", file=sys.stderr)
    scheduler = cfg.scheduler and not args.no_scheduler
    if workers == 1:
        return _serve_process(app, sock, cfg, scheduler=scheduler)
    # The workers build their own app: a forked child must not reuse the parent's pooled connections.
    app.extensions["alur"].db.dispose()
    del app, ctx
    return serving.run_workers(workers, lambda _index: _serve_process(create_app(cfg), sock, cfg,
                                                                      scheduler=scheduler))


def _serve_process(app: Any, sock: Any, cfg: "Config", *, scheduler: bool) -> int:
    """One serving process: its timer scheduler (every process runs one: the timer leases let any number
    of schedulers share a database, each timer fires once) and its waitress threads."""
    from service.ops import Scheduler

    from . import serving

    # Engine actions are CPU-bound Python holding the GIL for up to their budget; a shorter switch interval
    # (default 5 ms) lets the other request threads (a page, /version) in between, so one tenant's heavy
    # action does not delay everyone's answers.
    sys.setswitchinterval(0.001)
    running = None
    if scheduler:
        running = Scheduler(app.extensions["alur"].ops, interval=cfg.scheduler_interval)
        running.start()
    try:
        serving.serve_socket(app, sock, threads=cfg.threads)
    finally:
        if running is not None:
            running.stop()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from service.ops import Scheduler

    ctx, cfg = context(args)
    scheduler = Scheduler(ctx, interval=args.interval or cfg.scheduler_interval)
    if args.once:
        run = scheduler.run_once()
        print(f"fired {run.instances_fired} instance timers, {run.timer_starts} timer starts, "
              f"{run.failures} failures, {run.locks_expired} external-task locks expired")
        return 0 if not run.failures else 1
    print(f"alur worker {scheduler.owner}: polling every {scheduler.interval}s", file=sys.stderr)
    try:
        scheduler.run_forever()
    except KeyboardInterrupt:
        pass
    return 0


def _collect_files(paths: Sequence[str]) -> list[tuple[str, bytes]]:
    from service.ops.deployments import BPMN_SUFFIXES, DMN_SUFFIXES, FORM_SUFFIXES

    suffixes = BPMN_SUFFIXES + DMN_SUFFIXES + FORM_SUFFIXES
    files: list[tuple[str, bytes]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(suffixes))
            files.extend((p.relative_to(path).as_posix(), p.read_bytes()) for p in found)
        elif path.is_file():
            files.append((path.name, path.read_bytes()))
        else:
            raise UsageError(f"{raw}: no such file or directory")
    if not files:
        raise UsageError("nothing to deploy: no .bpmn, .dmn or .form files found")
    return files


def cmd_deploy(args: argparse.Namespace) -> int:
    from service.ops import deploy

    files = _collect_files(args.paths)
    ctx, _ = context(args)
    view = deploy(ctx, files, name=args.name, source="alur cli", tenant=args.tenant,
                  duplicate_filtering=args.changed_only, changed_only=args.changed_only)
    if args.json:
        _print_json({"id": view.id, "duplicate": view.duplicate,
                     "processes": [d.id for d in view.processes], "decisions": [d.id for d in view.decisions],
                     "forms": [d.id for d in view.forms]})
        return 0
    print(f"deployment {view.id}" + (" (unchanged, nothing new)" if view.duplicate else ""))
    for d in view.processes + view.decisions + view.forms:
        print(f"  {d.kind:8} {d.key} version {d.version}  ({d.id})")
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    from service.ops import start_instance

    ctx, _ = context(args)
    view = start_instance(ctx, key=args.key, tenant=args.tenant, variables=_vars(args.var),
                          business_key=args.business_key, user=args.user)
    if args.json:
        _print_json({"id": view.id, "definitionId": view.definition_id, "state": view.state})
    else:
        print(f"{view.id}  {view.definition_id}  {view.state}")
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    from service.ops import TaskQuery, query_tasks

    ctx, _ = context(args)
    tasks = query_tasks(ctx, TaskQuery(candidate_group=args.group, tenant_ids=[args.tenant] if args.tenant else None,
                                       assignee=args.assignee, instance_id=args.instance,
                                       include_assigned=args.group is not None))
    if args.json:
        _print_json([{"id": t.id, "name": t.name, "taskDefinitionKey": t.element_id,
                      "processInstanceId": t.instance_id, "assignee": t.assignee,
                      "candidateGroups": t.candidate_groups, "due": t.due, "tenantId": t.tenant_id}
                     for t in tasks])
        return 0
    if not tasks:
        print("no tasks", file=sys.stderr)
    for t in tasks:
        due = t.due.isoformat() if t.due else "-"
        print(f"{t.id}  {t.name or t.element_id}  [{', '.join(t.candidate_groups) or '-'}]  "
              f"assignee={t.assignee or '-'}  due={due}  instance={t.instance_id}")
    return 0


def cmd_complete(args: argparse.Namespace) -> int:
    from service.ops import complete_task

    ctx, _ = context(args)
    complete_task(ctx, args.task, _vars(args.var), user=args.user)
    print(f"task {args.task} completed")
    return 0


# -- parser ---------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alur", description="Alur: BPMN/DMN process service for procurement SOPs")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: DATABASE_URL or instance/alur.db)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("serve", help="run the web service (and the timer scheduler)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=None, help="default: $PORT or 5000")
    p.add_argument("--threads", type=int, default=None, help="request threads per process (default: $ALUR_THREADS "
                                                                "or 8)")
    p.add_argument("--workers", type=int, default=None,
                   help="processes sharing the port (default: $ALUR_WORKERS, else one per core on PostgreSQL and "
                        "1 on SQLite, which allows one writer)")
    p.add_argument("--deploy-dirs", action="store_true", help="deploy bpmn/, dmn/, forms/ first (unchanged files "
                                                              "create no new versions)")
    p.add_argument("--root", help="folder holding bpmn/, dmn/, forms/ (default: $ALUR_ROOT or the current folder)")
    p.add_argument("--no-scheduler", action="store_true", help="do not fire timers in this process")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="fire due timers (a scheduler process of its own)")
    p.add_argument("--interval", type=float, default=None, help="seconds between polls")
    p.add_argument("--once", action="store_true", help="poll once and exit")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("deploy", help="deploy .bpmn, .dmn and .form files or folders")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--tenant")
    p.add_argument("--name", default="alur-cli")
    p.add_argument("--changed-only", action="store_true", help="deploy only files that changed since the last "
                                                               "deployment of this name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_deploy)

    p = sub.add_parser("start", help="start a process instance (latest version of KEY)")
    p.add_argument("key", metavar="KEY")
    p.add_argument("--var", action="append", metavar="NAME=VALUE", help="repeatable; VALUE is JSON or text")
    p.add_argument("--tenant")
    p.add_argument("--business-key")
    p.add_argument("--user")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_start)

    p = sub.add_parser("tasks", help="list open user tasks")
    p.add_argument("--group", help="candidate group (lane)")
    p.add_argument("--tenant")
    p.add_argument("--assignee")
    p.add_argument("--instance")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tasks)

    p = sub.add_parser("complete", help="complete a user task")
    p.add_argument("task", metavar="TASK")
    p.add_argument("--var", action="append", metavar="NAME=VALUE")
    p.add_argument("--user")
    p.set_defaults(func=cmd_complete)

    p = sub.add_parser("db", help="database maintenance")
    db_sub = p.add_subparsers(dest="db_command", metavar="ACTION")
    db_sub.required = True
    up = db_sub.add_parser("upgrade", help="create or migrate the schema to the newest version")
    up.set_defaults(func=cmd_db_upgrade)

    from service.cli import users
    from service.sop import cli as sop_cli
    sop_cli.register(sub)
    users.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    # SpiffWorkflow logs every task state change at INFO: far too much for a service log.
    logging.getLogger("spiff").setLevel(logging.WARNING)
    from sqlalchemy.exc import SQLAlchemyError

    from service.config import ConfigError
    from service.ops.errors import OpsError
    from service.store import DatabaseSetupError

    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"alur: error: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"alur: configuration error: {exc}", file=sys.stderr)
        return 2
    except OpsError as exc:
        print(f"alur: {exc.message}", file=sys.stderr)
        return 1
    except DatabaseSetupError as exc:
        print(f"alur: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc)
        if _missing_table(detail):
            print(f"alur: the database schema is missing or old ({detail.splitlines()[0]}): "
                  "run `alur db upgrade`", file=sys.stderr)
            return 1
        print(f"alur: database error: {exc.__class__.__name__}: {detail}", file=sys.stderr)
        print("  (is the database reachable, and was `alur db upgrade` run?)", file=sys.stderr)
        return 1


def _missing_table(detail: str) -> bool:
    # SQLite: "no such table: x" / "no such column"; PostgreSQL: 'relation "x" does not exist'
    text = detail.lower()
    return "no such table" in text or "no such column" in text or (
        "relation" in text and "does not exist" in text)
