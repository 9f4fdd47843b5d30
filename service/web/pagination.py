"""Pages of a list: `window` for lists paged in the database, `paginate` for short lists held in memory."""
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


def asked_window(args: Mapping[str, Any], *, per_page: int = PER_PAGE) -> tuple[int, int]:
    """(first row, page size) named by `args["halaman"]` (and optional `args["per"]`); junk shows the first
    page. The query clamps a page past the end to the last one, so an old bookmark never errors."""
    size = min(_positive(args.get("per"), per_page), MAX_PER_PAGE)
    return (_positive(args.get("halaman"), 1) - 1) * size, size


def page_of(items: Sequence[T], total: int, first: int, size: int) -> Page[T]:
    """The page starting at row `first` (already clamped to the last page) of a list of `total` rows."""
    return Page(items=items, number=first // size + 1, per_page=size, total=total)


def paginate(rows: Sequence[T], args: Mapping[str, Any], *, per_page: int = PER_PAGE) -> Page[T]:
    """`asked_window` over a list held in memory; out-of-range pages show the last one."""
    first, size = asked_window(args, per_page=per_page)
    total = len(rows)
    first = min(first, max(total - 1, 0) // size * size)
    return page_of(rows[first:first + size], total, first, size)


__all__ = ["MAX_PER_PAGE", "PER_PAGE", "Page", "paginate", "asked_window", "page_of"]
