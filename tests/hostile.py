"""Shared hostile corpus: texts a model author or form user might try in any expression slot.

Every entry must be refused when compiled (ExpressionSyntaxError / ModelError) or bounded when
evaluated (null, LimitExceeded or DecisionError) within a second, and must never touch the file
system or the environment. Payloads aim at CANARY so a successful escape is visible.

    from tests.hostile import HOSTILE, hostile_id, Sandbox
    @pytest.mark.parametrize("text", HOSTILE, ids=hostile_id)
    def test_x(text):
        with Sandbox():
            ...
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from types import TracebackType

CANARY = "/tmp/alur_hostile_canary"

_NEST = 3000   # deeper than any parser's limit and than Python's recursion limit

HOSTILE: list[str] = [
    # Python escapes
    f"__import__('os').system('touch {CANARY}')",
    "().__class__.__base__.__subclasses__()",
    "x.__class__.__mro__[1].__subclasses__()",
    "getattr(x, '__class__')",
    "open('/etc/passwd').read()",
    f"exec(\"import os; os.system('touch {CANARY}')\")",
    "eval('1 + 1')",
    "compile('1', 'x', 'eval')",
    "globals()",
    "locals()['__builtins__']",
    "lambda: 1",
    "(lambda: __import__('os'))()",
    f"f\"{{__import__('os').system('touch {CANARY}')}}\"",
    "__builtins__.__dict__['__import__']('os')",
    "x.__init__.__globals__['os']",
    f"import os; os.system('touch {CANARY}')",
    f"os.system('touch {CANARY}')",
    f"$(touch {CANARY})",
    f"`touch {CANARY}`",
    # JUEL / Java escapes
    f"${{''.getClass().forName('java.lang.Runtime').getRuntime().exec('touch {CANARY}')}}",
    f"${{T(java.lang.Runtime).getRuntime().exec('touch {CANARY}')}}",
    "#{execution.getClass()}",
    "${execution.getProcessEngineServices().getRuntimeService()}",
    f"${{new java.io.File('{CANARY}').createNewFile()}}",
    "${x.toString().getClass().getClassLoader()}",
    "${''.class.forName('java.lang.System').getenv()}",
    "${'a'.repeat(1000000000)}",
    "${x.concat(x).concat(x)}",
    "${a = 'b'}",
    "${x -> x}",
    # resource bombs
    "10**10**10",
    "2**99999999",
    "9999999999 ** 9999999999",
    "for i in 1..1000000000 return i",
    "[1..1000000000]",
    "count(for i in 1..100000000 return i)",
    "sum(for i in 1..10000000 return i)",
    "for x in 1..1000, y in 1..1000, z in 1..1000 return x",
    'string join(for i in 1..100000 return "aaaaaaaaaa")',
    'string join(for i in 1..1000 return string join(for j in 1..1000 return "xxxxxxxxxx"))',
    'matches("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "(a+)+$")',
    'replace("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "(a|a)*b", "x")',
    'substring("abc", 1, 1000000000)',
    "decimal(1, 999999999)",
    'date("999999999-01-01")',
    'duration("P999999999999999Y")',
    "{f: function(n) f(n)}.f(1)",
    "(" * _NEST + "1" + ")" * _NEST,
    "[" * _NEST + "]" * _NEST,
    "-" * _NEST + "1",
    "not(" * _NEST + "1" + ")" * _NEST,
    "${" + "(" * _NEST + "1" + ")" * _NEST + "}",
    "x" + ".a" * _NEST,
    " + ".join(["1"] * 20_000),
    "a" * 200_000,
]


def hostile_id(text: str) -> str:
    """Short printable pytest id for a corpus entry."""
    flat = " ".join(text.split())
    return flat if len(flat) <= 40 else f"{flat[:30]}...({len(text)})"


class Sandbox:
    """Asserts on exit that nothing escaped: no canary file, same environment, same working directory."""

    def __enter__(self) -> "Sandbox":
        Path(CANARY).unlink(missing_ok=True)
        self._environ = dict(os.environ)
        self._cwd = os.getcwd()
        self.started = time.monotonic()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert not os.path.exists(CANARY), f"hostile input created {CANARY}"
        assert dict(os.environ) == self._environ, "hostile input changed os.environ"
        assert os.getcwd() == self._cwd, "hostile input changed the working directory"

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


def assert_untouched() -> None:
    """One-shot form of the Sandbox check, for tests that manage their own setup."""
    assert not os.path.exists(CANARY), f"hostile input created {CANARY}"
