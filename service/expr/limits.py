"""Resource bounds applied to every expression evaluation."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bounds for one evaluation; the defaults are sane for a shared server."""

    max_seconds: float = 1.0          # wall clock per evaluation
    max_steps: int = 200_000          # evaluator node visits
    max_collection: int = 100_000     # list/range/string sizes produced
    max_string: int = 1_000_000
    max_depth: int = 64               # nesting (parser and evaluator)
    max_number_digits: int = 1_000    # Decimal results (huge exponents)
    regex_timeout: float = 0.2        # matches()/replace()/split() via the `regex` module
    max_text: int = 20_000            # source length accepted by the compilers (a cell, a condition)


DEFAULT_LIMITS = Limits()

__all__ = ["Limits", "DEFAULT_LIMITS"]
