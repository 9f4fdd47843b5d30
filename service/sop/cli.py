"""The `alur sop import` and `alur simulate` commands.

`service/cli.py` calls `register(subparsers)`; every command stores its function in `func` and returns an
exit code. `python -m service.sop.cli ...` runs the same commands on their own.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from service.sop.model import SopFormatError


def register(subparsers: argparse._SubParsersAction) -> None:
    sop = subparsers.add_parser("sop", help="SOP tables: import into BPMN models and forms",
                                description="Impor tabel SOP (PermenPANRB 35/2012) menjadi model BPMN dan formulir.")
    sop_sub = sop.add_subparsers(dest="sop_command", metavar="COMMAND")
    sop_sub.required = True
    imp = sop_sub.add_parser(
        "import", help="SOP tables (YAML/CSV) -> bpmn/<tenant>/<key>.bpmn + forms/<tenant>/*.form",
        description="Impor tabel SOP (YAML/CSV, atau semua tabel dalam folder) menjadi BPMN + Camunda Forms.")
    imp.add_argument("files", nargs="+", metavar="FILE", help="a table (.yaml, .yml, .csv) or a folder of tables")
    imp.add_argument("--out", default=".", metavar="DIR",
                     help="where bpmn/ and forms/ are written (default: the current folder)")
    imp.add_argument("--assumptions", metavar="PATH",
                     help="also write the assumptions page (e.g. bpmn/ASSUMPTIONS.md) from all tables given")
    imp.set_defaults(func=cmd_sop_import)

    sim = subparsers.add_parser(
        "simulate", help="run every path of SOP models through the engine (no server, no database)",
        description="Simulasikan setiap jalur model SOP pada engine (tanpa server dan basis data).")
    sim.add_argument("key", nargs="?", metavar="KEY", help="process key (every tenant having it, or --tenant)")
    sim.add_argument("--tenant", metavar="T", help="only this tenant's model")
    sim.add_argument("--all", action="store_true", help="every model under bpmn/")
    sim.add_argument("--root", default=".", metavar="DIR", help="the folder holding bpmn/, dmn/ and forms/")
    sim.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    sim.set_defaults(func=cmd_simulate)


def cmd_sop_import(args: argparse.Namespace) -> int:
    from service.sop.importer import assumptions_markdown, find_tables, import_tables
    from service.sop.model import load_table
    try:
        generated = import_tables(args.files, args.out)
        if args.assumptions:
            tables = [g.table for g in generated]
            if not tables:       # still regenerate from every table named
                tables = [load_table(p) for p in find_tables(args.files)]
            path = Path(args.assumptions)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = assumptions_markdown(tables)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
    except SopFormatError as exc:
        print("Impor gagal / import failed:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    out = Path(args.out)
    for g in generated:
        note = f" ({g.validation_note})" if g.validation_note else ""
        print(f"{g.table.path} -> {g.bpmn_path(out)} + {len(g.forms)} form(s){note}")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from service.sop.repository import Repository
    from service.sop.simulate import ProgressBar, run
    root = Path(args.root)
    models = Repository(root).models()
    if args.all:
        targets = [m for m in models if args.tenant is None or m[0] == args.tenant]
    elif args.key:
        targets = [m for m in models if m[1] == args.key and (args.tenant is None or m[0] == args.tenant)]
    else:
        print("give a process KEY or --all", file=sys.stderr)
        return 2
    if not targets:
        what = "no models" if args.all else f"no model {args.key!r}"
        print(f"{what} under {root / 'bpmn'}" + (f" for tenant {args.tenant!r}" if args.tenant else ""),
              file=sys.stderr)
        return 2
    calendar = None
    try:
        from service.config import Config
        from service.engine.workdays import WorkCalendar
        calendar = WorkCalendar.default(Config.from_env().holidays_file)
    except Exception as exc:     # simulation still runs without due dates
        print(f"warning: working-day calendar unavailable: {exc}", file=sys.stderr)
    return run(root, targets, progress=None if args.no_progress else ProgressBar(), calendar=calendar)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="alur")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    register(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
