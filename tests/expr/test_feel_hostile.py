"""Hostile FEEL text: nothing reaches Python objects, the OS or unbounded resources.

Each string is refused at compile time (ExpressionSyntaxError), evaluates to null, or
stops with LimitExceeded; while it runs, no process may be started, no environment
variable read and no file created.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import MutableMapping
from typing import Any, Iterator

import pytest

from service.expr import ExpressionSyntaxError, LimitExceeded, feel, regex_guard


class _GuardedEnviron(MutableMapping):
    """os.environ stand-in that records every read made while armed."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.armed = False
        self.reads: list[str] = []

    def _note(self, key: Any) -> None:
        if self.armed:
            self.reads.append(str(key))

    def __getitem__(self, key: str) -> str:
        self._note(key)
        return self.real[key]

    def __setitem__(self, key: str, value: str) -> None:
        self._note(key)
        self.real[key] = value

    def __delitem__(self, key: str) -> None:
        self._note(key)
        del self.real[key]

    def __iter__(self) -> Iterator[str]:
        self._note("<iter>")
        return iter(self.real)

    def __len__(self) -> int:
        return len(self.real)

    def get(self, key: str, default: Any = None) -> Any:
        self._note(key)
        return self.real.get(key, default)

    def copy(self) -> dict:
        self._note("<copy>")
        return self.real.copy()


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Any):
    env = _GuardedEnviron(os.environ)
    calls: list[str] = []

    def forbidden(name: str):
        def fail(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise AssertionError(f"{name} called during FEEL evaluation")
        return fail

    monkeypatch.setattr(os, "environ", env)
    monkeypatch.setattr(os, "getenv", lambda key, default=None: (env._note(key), default)[1])
    for name in ("system", "popen", "execv", "execve", "fork", "remove", "unlink"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, forbidden(f"os.{name}"))
    real_popen, popen_forbidden = subprocess.Popen, forbidden("subprocess.Popen")

    def popen(argv: Any, *args: Any, **kwargs: Any) -> Any:
        # The one process FEEL may start: the regex compile checker, with a fixed command line.
        if isinstance(argv, list) and argv[:2] == [sys.executable, regex_guard.WORKER_SCRIPT]:
            return real_popen(argv, *args, **kwargs)
        return popen_forbidden(argv, *args, **kwargs)
    monkeypatch.setattr(subprocess, "Popen", popen)
    marker = tmp_path / "pwned"

    def run(text: str, variables: dict | None = None) -> str:
        text = text.replace("MARKER", str(marker))
        env.armed = True
        start = time.perf_counter()
        try:
            try:
                compiled = feel.compile_expression(text)
            except ExpressionSyntaxError:
                return "syntax"
            try:
                diagnostics: list[str] = []
                value = compiled.evaluate(variables or {"x": 1, "obj": object()}, diagnostics=diagnostics)
            except LimitExceeded:
                return "limit"
            assert value is None, (text, value)
            return "null"
        finally:
            env.armed = False
            assert time.perf_counter() - start < 3.0, text
            assert not marker.exists(), text
            assert not env.reads, (text, env.reads)
            assert not calls, (text, calls)
    return run


HOSTILE = [
    ("__import__('os').system('touch MARKER')", "syntax"),
    ("matches(\"a\", \"(((a{100}){100}){100}){10}\")", "syntax"),     # refused when compiled (deploy)
    ('__import__("os").system("touch MARKER")', "null"),
    ("().__class__.__base__.__subclasses__()", "syntax"),
    ('"".__class__.__mro__', "null"),
    ('"abc".__class__.__base__.__subclasses__', "null"),
    ("x.__class__.__mro__", "null"),
    ("x.__class__", "null"),
    ("obj.__class__.__init__.__globals__", "null"),
    ("(function(a) a).__globals__", "null"),
    ("{f: function(a) a, r: f.__code__}.r", "null"),
    ('date("2024-01-01").__class__.__init__.__globals__', "null"),
    ("{a: 1}.__class__", "null"),
    ("{a: 1}.keys()", "null"),
    ('get value({a: 1}, "__class__")', "null"),
    ('open("MARKER", "w")', "null"),
    ('exec("import os")', "null"),
    ('eval("__import__(\\"os\\")")', "null"),
    ('os.system("touch MARKER")', "null"),
    ('os.environ["HOME"]', "null"),
    ('getenv("HOME")', "null"),
    ("lambda: __import__('os')", "syntax"),
    ('${execution.getVariable("x")}', "syntax"),
    ('import os; os.system("id")', "syntax"),
    ("x; y", "syntax"),
    ("for i in 1..1000000000 return i", "limit"),
    ('string join(for i in 1..100000 return "xxxxxxxxxxxxxxxxxxxx", "")', "limit"),
    ('matches("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "(a|aa)+$")', "limit"),
    ("{f: function(n) f(n), r: f(1)}.r", "limit"),
    ("(" * 10_000 + "1" + ")" * 10_000, "syntax"),
    ("10 ** 999999999", "null"),
    ("count(for a in 1..1000, b in 1..1000 return a)", "limit"),
]


@pytest.mark.parametrize("text, outcome", HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_hostile_expression_is_contained(sandbox, text: str, outcome: str) -> None:
    assert sandbox(text) == outcome


def test_python_objects_in_variables_are_not_exposed(sandbox) -> None:
    class Secret:
        password = "hunter2"

        def __getattr__(self, name: str) -> Any:  # any attribute read would leak
            raise AssertionError(f"attribute {name} read")
    assert sandbox("s.password", {"s": Secret()}) == "null"
    assert sandbox('get value(s, "password")', {"s": Secret()}) == "null"


def test_hostile_unary_tests_are_contained(sandbox) -> None:
    for text in ["x.__class__", '__import__("os")', '? .__class__ = ?']:
        try:
            tests = feel.compile_unary_tests(text)
        except ExpressionSyntaxError:
            continue
        assert tests.matches(1, {"x": 1}) is False


def test_no_eval_in_the_feel_package() -> None:
    import pathlib
    import re
    import service.expr.feel as pkg
    root = pathlib.Path(pkg.__file__).parent
    pattern = re.compile(r"(?<![\w.])(eval|exec|compile)\(|__import__\(|getattr\([^)]*,\s*name")
    for path in root.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            assert not pattern.search(code), f"{path.name}:{number}: {line.strip()}"
