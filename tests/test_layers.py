"""The layer rules of docs/ARCHITECTURE.md, checked on the import statements of every module in `service/`.

    web, api -> ops -> engine + store;  engine -> expr;  store imports nothing of ours;
    expr and engine import neither Flask nor SQLAlchemy;  nobody imports another layer's private names.

`app.py` and the `cli` package wire the layers together and may import any of them. An AST walk rather than
import-linter: the rules are a dozen lines, and a violation names the file and line.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "service"

# layer -> the other layers it may import. `config` is a leaf that every outer layer may read.
ALLOWED: dict[str, set[str]] = {
    "web": {"ops", "forms", "expr", "config"},
    "api": {"ops", "config"},
    "ops": {"engine", "store", "expr", "forms", "config"},
    "sop": {"engine", "expr", "forms", "config"},
    "engine": {"expr"},
    "forms": {"expr"},
    "store": set(),
    "expr": set(),
    "config": set(),
}
WIRING = {"app", "cli", "__init__"}
# Third-party frameworks a layer must not depend on.
FORBIDDEN_LIBS: dict[str, set[str]] = {
    "engine": {"flask", "sqlalchemy", "werkzeug"},
    "expr": {"flask", "sqlalchemy", "werkzeug"},
    "store": {"flask", "werkzeug"},
    "forms": {"flask", "sqlalchemy"},
    "ops": {"flask"},
    "sop": {"flask", "sqlalchemy", "werkzeug"},
}

# Known violations, each "module -> target" as reported by the test. Shrinks to empty as the
# refactoring lands; a listed pair that no longer occurs fails too, so the list cannot go stale.
KNOWN_VIOLATIONS: set[str] = set()


@dataclass(frozen=True)
class Import:
    module: str         # importing module, dotted
    line: int
    target: str         # imported module, dotted
    names: tuple[str, ...]


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, package_dir: Path) -> list[Import]:
    """Every import of the module; `from service import ops` counts as an import of `service.ops`, and
    `alias._name` on an imported module as an import of that private name."""
    module = _module_name(path, package_dir)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[Import] = []
    aliases: dict[str, str] = {}        # local name -> module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(module, node.lineno, alias.name, ()))
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                if _is_module(package_dir, f"{target}.{alias.name}"):
                    # `from package import module`: the module is what is imported.
                    found.append(Import(module, node.lineno, f"{target}.{alias.name}", ()))
                    aliases[alias.asname or alias.name] = f"{target}.{alias.name}"
                else:
                    found.append(Import(module, node.lineno, target, (alias.name,)))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and _private(node.attr)):
            found.append(Import(module, node.lineno, aliases[node.value.id], (node.attr,)))
    return found


def _is_module(package_dir: Path, dotted: str) -> bool:
    path = package_dir.parent.joinpath(*dotted.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "service":
        return None
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def violations(package: Path = PACKAGE) -> list[tuple[str, str]]:
    """(key, explanation) for every import that breaks a rule."""
    out: list[tuple[str, str]] = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for imp in _imports(path, package):
            src = _layer(imp.module)
            where = f"{path.relative_to(package.parent)}:{imp.line}"
            dst = _layer(imp.target)
            if dst is None:
                lib = imp.target.split(".")[0]
                if lib in FORBIDDEN_LIBS.get(src or "", set()):
                    out.append((f"{imp.module} -> {lib}", f"{where}: layer {src} imports {lib}"))
                continue
            if dst != src and src not in WIRING and dst not in ALLOWED.get(src or "", set()):
                out.append((f"{imp.module} -> {imp.target}", f"{where}: layer {src} imports {imp.target}"))
            if dst != src:
                private = [n for n in (*imp.names, *imp.target.split(".")) if _private(n)]
                if private:
                    out.append((f"{imp.module} -> {imp.target}.{private[0]}",
                                f"{where}: imports the private {', '.join(private)} of layer {dst}"))
    return out


def test_layer_rules_hold() -> None:
    found = violations()
    new = [why for key, why in found if key not in KNOWN_VIOLATIONS]
    assert not new, "layer rule broken (see docs/ARCHITECTURE.md):\n" + "\n".join(new)


def test_known_violations_are_still_real() -> None:
    keys = {key for key, _ in violations()}
    fixed = sorted(KNOWN_VIOLATIONS - keys)
    assert not fixed, "fixed, remove from KNOWN_VIOLATIONS in tests/test_layers.py: " + ", ".join(fixed)


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The walk itself works: a forbidden import, a relative one and a private name are all reported."""
    engine = tmp_path / "service" / "engine"
    engine.mkdir(parents=True)
    (tmp_path / "service" / "__init__.py").write_text("")
    (engine / "__init__.py").write_text("")
    (engine / "probe.py").write_text("from ..store import db\nfrom service.ops.x import _hidden\nimport flask\n"
                                     "from service.expr import feel\nfrom . import _own\n"
                                     "from service.ops import tasks\ntasks._run()\n")
    (tmp_path / "service" / "ops").mkdir()
    (tmp_path / "service" / "ops" / "tasks.py").write_text("")
    keys = {key for key, _ in violations(tmp_path / "service")}
    assert keys == {"service.engine.probe -> service.store", "service.engine.probe -> service.ops.x",
                    "service.engine.probe -> service.ops.x._hidden", "service.engine.probe -> flask",
                    "service.engine.probe -> service.ops.tasks", "service.engine.probe -> service.ops.tasks._run"}
