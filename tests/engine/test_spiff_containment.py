"""SpiffWorkflow's internals are touched in one module, service/engine/spiff.py, and only the engine imports
SpiffWorkflow at all: an upgrade of the (pinned) library has one module to re-check.

Checked on the source: every private name SpiffWorkflow defines (`def _x`, `self._x = ...`, `class _X`) is
collected from the installed package; a module of `service/` other than spiff.py may neither import such a
name nor reach it on an object. Calling a hook on `self`, `super()` or an explicit base class with `self`
is how subclasses extend SpiffWorkflow's specs, and stays allowed.
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import SpiffWorkflow

SERVICE = Path(__file__).resolve().parents[2] / "service"
SPIFF_MODULE = SERVICE / "engine" / "spiff.py"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@lru_cache(maxsize=1)
def spiff_private_names() -> frozenset[str]:
    names: set[str] = {"__defaults__"}     # patching a function's defaults is an internal change too
    for path in Path(SpiffWorkflow.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and _private(node.name):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _private(node.attr):
                names.add(node.attr)
    return frozenset(names)


def _is_own_hook_call(node: ast.Attribute, parents: dict[ast.AST, ast.AST]) -> bool:
    receiver = node.value
    if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
        return True
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super":
        return True
    # `Base._hook(self, ...)`: a subclass calling a base class's hook on itself.
    call = parents.get(node)
    return (isinstance(receiver, ast.Name) and isinstance(call, ast.Call) and call.func is node and bool(call.args)
            and isinstance(call.args[0], ast.Name) and call.args[0].id == "self")


def internal_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    private = spiff_private_names()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("SpiffWorkflow"):
            found += [f"line {node.lineno}: imports {a.name}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Attribute) and node.attr in private and not _is_own_hook_call(node, parents):
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


def spiff_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "SpiffWorkflow":
            lines.append(node.lineno)
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "SpiffWorkflow" for a in node.names):
            lines.append(node.lineno)
    return lines


def test_the_private_names_are_found() -> None:
    # The collection must see the internals spiff.py wraps, or the test below proves nothing.
    assert {"_set_state", "_add_child", "_update", "_parent", "_children", "_encoder_mode", "_encoder_cls",
            "_on_subworkflow_completed", "_EndJoin"} <= spiff_private_names()


def test_only_spiff_module_touches_spiffworkflow_internals() -> None:
    offenders = {str(path.relative_to(SERVICE.parent)): uses for path in sorted(SERVICE.rglob("*.py"))
                 if path != SPIFF_MODULE and (uses := internal_uses(path))}
    assert offenders == {}


def test_the_spiff_module_is_where_the_internals_are() -> None:
    uses = internal_uses(SPIFF_MODULE)
    assert any(".__defaults__" in u for u in uses) and any("imports _EndJoin" in u for u in uses)


def test_only_the_engine_imports_spiffworkflow() -> None:
    engine = SERVICE / "engine"
    outside = {str(path.relative_to(SERVICE.parent)): lines for path in sorted(SERVICE.rglob("*.py"))
               if engine not in path.parents and (lines := spiff_imports(path))}
    assert outside == {}


def test_the_checks_catch_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from SpiffWorkflow.bpmn.specs.control import _EndJoin\n"
                   "from SpiffWorkflow.util.task import TaskState\n"
                   "def f(task):\n    task._set_state(TaskState.READY)\n    return task.task_spec._update(task)\n",
                   encoding="utf-8")
    assert internal_uses(bad) == ["line 1: imports _EndJoin", "line 4: ._set_state", "line 5: ._update"]
    assert spiff_imports(bad) == [1, 2]
