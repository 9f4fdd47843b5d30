"""Pages of a list already filtered by the access rules (the rules run in Python, so paging does too)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

PER_PAGE = 25
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int          # 1-based
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """1-based position of the first item shown (0 when the list is empty)."""
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)


def _positive(text: Any, default: int) -> int:
    try:
        value = int(str(text))
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def paginate(rows: Sequence[T], args: Mapping[str, Any], *, per_page: int = PER_PAGE) -> Page[T]:
    """The page named by `args["halaman"]` (and optional `args["per"]`); out-of-range pages show the last one,
    junk shows the first, so an old bookmark never errors."""
    size = min(_positive(args.get("per"), per_page), MAX_PER_PAGE)
    total = len(rows)
    last = max(1, -(-total // size))
    number = min(_positive(args.get("halaman"), 1), last)
    start = (number - 1) * size
    return Page(items=rows[start:start + size], number=number, per_page=size, total=total)


__all__ = ["MAX_PER_PAGE", "PER_PAGE", "Page", "paginate"]
