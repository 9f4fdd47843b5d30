"""`alur users add/list/passwd`, `alur users seed-demo` and `alur documents sweep` (registered by
`service.cli.build_parser`)."""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.ops import OpsContext


def register(subparsers: Any) -> None:
    users = subparsers.add_parser("users", help="manage web users (groups = lanes, tenants = organisations)",
                                  description="Kelola pengguna: grup (nama lajur, process-owner, admin) dan instansi.")
    sub = users.add_subparsers(dest="users_command", metavar="ACTION")
    sub.required = True
    add = sub.add_parser("add", help="create a user")
    add.add_argument("username")
    add.add_argument("--name", help="display name")
    add.add_argument("--email")
    add.add_argument("--group", action="append", default=[], metavar="GROUP",
                     help="repeatable: a lane name (e.g. PPK), process-owner or admin")
    add.add_argument("--tenant", action="append", default=[], metavar="TENANT", help="repeatable")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=cmd_add)
    lst = sub.add_parser("list", help="list users")
    lst.add_argument("--tenant")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_list)
    pw = sub.add_parser("passwd", help="set a user's password")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")
    pw.set_defaults(func=cmd_passwd)
    seed = sub.add_parser("seed-demo", help="create the demo users (one per lane per tenant) if missing")
    seed.set_defaults(func=cmd_seed)

    docs = subparsers.add_parser("documents", help="maintain uploaded instance documents")
    docs_sub = docs.add_subparsers(dest="documents_command", metavar="ACTION")
    docs_sub.required = True
    sweep = docs_sub.add_parser("sweep", help="finish or remove documents left pending by a crash",
                                description="Dokumen tertunda (langkah belum selesai) yang lebih tua dari batas: "
                                            "dihapus bila tugasnya masih terbuka, diselesaikan bila tugasnya "
                                            "sudah selesai.")
    sweep.add_argument("--older-than-hours", type=float, default=24.0, metavar="HOURS",
                       help="only documents pending for longer than this (default 24)")
    sweep.set_defaults(func=cmd_documents_sweep)


def _ctx(args: argparse.Namespace) -> "OpsContext":
    from service.cli import context
    ctx, _cfg = context(args)
    return ctx


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Kata sandi / password: ")
    if getpass.getpass("Ulangi / repeat: ") != first:
        from service.cli import UsageError
        raise UsageError("the two passwords differ")
    return first


def cmd_add(args: argparse.Namespace) -> int:
    from service.ops.users import create_user

    user = create_user(_ctx(args), args.username, _password(args), display_name=args.name, email=args.email,
                       groups=args.group, tenants=args.tenant)
    print(f"user {user.id} created: groups {', '.join(user.groups) or '-'}; tenants {', '.join(user.tenants) or '-'}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from service.ops.users import list_users

    users = list_users(_ctx(args), tenant=args.tenant)
    if args.json:
        print(json.dumps([{"id": u.id, "name": u.display_name, "email": u.email, "active": u.active,
                           "groups": list(u.groups), "tenants": list(u.tenants)} for u in users],
                         ensure_ascii=False, indent=2))
        return 0
    if not users:
        print("no users", file=sys.stderr)
    for u in users:
        state = "" if u.active else "  (inactive)"
        print(f"{u.id:32} {', '.join(u.groups) or '-':40} {', '.join(u.tenants) or '-'}{state}")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    from service.ops.users import set_password

    set_password(_ctx(args), args.username, _password(args))
    print(f"password of {args.username} changed")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from service.ops.users import DEMO_PASSWORD, seed_demo_users

    created = seed_demo_users(_ctx(args))
    print(f"created {len(created)} demo users (password {DEMO_PASSWORD!r}): {', '.join(created) or '-'}")
    return 0


def cmd_documents_sweep(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from service.cli import UsageError, context
    from service.ops.documents import DEFAULT_MAX_BYTES, DEFAULT_TYPES, DocumentPolicy, sweep_pending_documents

    if args.older_than_hours < 0:
        raise UsageError("--older-than-hours must not be negative")
    ctx, cfg = context(args)
    policy = DocumentPolicy(root=cfg.effective_documents_path, max_bytes=cfg.document_max_bytes or DEFAULT_MAX_BYTES,
                            allowed=cfg.document_types or DEFAULT_TYPES)
    removed, finalized = sweep_pending_documents(ctx, policy, older_than=timedelta(hours=args.older_than_hours))
    print(f"pending documents: {removed} removed, {finalized} finished")
    return 0


__all__ = ["register"]
