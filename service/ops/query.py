"""The one helper of every list query (tasks, instances, definitions, deployments, incidents, jobs, external
tasks, history): Camunda's sorting, paging, counting and the tenant condition, all run in the database.

NULL sorts as the lowest value (first ascending, last descending) on every database, written out with
NULLS FIRST/LAST, because SQLite and PostgreSQL disagree by default and a list must not change order when
the database does.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from .errors import BadRequest


def order_clauses(sort: Sequence[tuple[str, str]], columns: Mapping[str, Any], *,
                  default: Sequence[tuple[str, str]] = ()) -> list[Any]:
    """ORDER BY clauses for Camunda's `sortBy`/`sortOrder` pairs (`default` when none was asked)."""
    clauses = []
    for sort_by, order in sort or default:
        column = columns.get(sort_by)
        if column is None:
            raise BadRequest(f"Cannot set query parameter 'sortBy' to value '{sort_by}'",
                             pesan=f"Urutan '{sort_by}' tidak dikenal")
        if order not in ("asc", "desc"):
            raise BadRequest(f"Cannot set query parameter 'sortOrder' to value '{order}'",
                             pesan=f"Arah urutan '{order}' tidak dikenal")
        clauses.append(column.asc().nulls_first() if order == "asc" else column.desc().nulls_last())
    return clauses


def ordered(query: Select[Any], sort: Sequence[tuple[str, str]], columns: Mapping[str, Any], *tiebreak: Any,
            default: Sequence[tuple[str, str]] = ()) -> Select[Any]:
    """`query` ordered by the asked sorting, then by `tiebreak` so pages never overlap."""
    return query.order_by(*order_clauses(sort, columns, default=default), *tiebreak)


def paged(query: Select[Any], first_result: int, max_results: int | None) -> Select[Any]:
    """OFFSET/LIMIT; negative values count as 0, as Camunda's REST API treats them."""
    query = query.offset(max(first_result, 0)) if first_result else query
    return query if max_results is None else query.limit(max(max_results, 0))


def count(session: Session, query: Select[Any], key: Any) -> int:
    """COUNT(*) of `query`'s rows; `key` is one column of it, so the count reads no more than needed."""
    inner = query.with_only_columns(key).order_by(None).limit(None).offset(None).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def tenant_condition(column: Any, tenant_ids: Sequence[str] | None, *,
                     include_without_tenant: bool = False) -> ColumnElement[bool] | None:
    """Rows of `tenant_ids` (and tenant-less rows when `include_without_tenant`); `tenant_ids` None or empty
    with `include_without_tenant` means tenant-less rows only; None and not including: no condition."""
    if tenant_ids:
        cond = column.in_(list(tenant_ids))
        return or_(cond, column.is_(None)) if include_without_tenant else cond
    if include_without_tenant:
        return column.is_(None)
    return None


def where_tenant(query: Select[Any], column: Any, tenant_ids: Sequence[str] | None, *,
                 include_without_tenant: bool = False) -> Select[Any]:
    cond = tenant_condition(column, tenant_ids, include_without_tenant=include_without_tenant)
    return query if cond is None else query.where(cond)


__all__ = ["order_clauses", "ordered", "paged", "count", "tenant_condition", "where_tenant"]
