"""Declaring a REST endpoint in one place: the route, the access rule it needs and its OpenAPI
description are given together, on the handler, by `Resource.get/post/put/delete/route`.

The registries below are filled as the resource modules are imported (explicitly, by `service.api`);
`access.check_request` reads `ROUTE_RULES` and `openapi.build_spec` reads `DOCS`. A route added with the
plain Blueprint methods has no rule: it is refused to restricted users, and a test lists every such route.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from flask import Blueprint
from flask.typing import RouteCallable
from marshmallow import Schema

# What a route needs, beyond seeing the resources its URL names (a task, instance, definition, deployment
# or tenant in the path is always checked). Lists and bulk operations narrow themselves in their handlers.
OPEN = "open"          # no check at all (engine list, API description, version)
READ = "read"          # see the resources named in the path; lists are narrowed by the handler
WORK = "work"          # tasks: hold or find unclaimed (can_work_task); other resources: as READ
ASSIGN = "assign"      # unclaim / set assignee: see access._check_reassign
START = "start"        # start an instance: a member of a start lane (can_start)
WRITE = "write"        # change an instance: a process owner of its tenant
MANAGE = "manage"      # deploy or delete models: can_manage_models


@dataclass(frozen=True)
class Doc:
    """The OpenAPI description of one operation."""

    summary: str
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    response: type[Schema] | None = None
    many: bool = False
    status: int = 200
    multipart: bool = False
    body_required: bool = False


# (path without the /engine-rest prefix, HTTP method) -> access rule
ROUTE_RULES: dict[tuple[str, str], str] = {}
# endpoint suffix ("blueprint.function") -> description
DOCS: dict[str, Doc] = {}
# endpoint suffix -> the URL query parameters a route reads besides its Doc.query schema (`params.py`)
PARAMS: dict[str, frozenset[str]] = {}

View = TypeVar("View", bound=RouteCallable)


class Resource:
    """One REST resource: a blueprint whose routes each declare their access rule and description."""

    def __init__(self, name: str, import_name: str) -> None:
        self.bp = Blueprint(name, import_name)

    def route(self, path: str, methods: Iterable[str], *, access: str, doc: Doc | None = None,
              endpoint: str | None = None, params: Iterable[str] = ()) -> Callable[[View], View]:
        """`params`: the URL query parameters the handler reads itself (a Doc.query schema declares its own);
        any other parameter is refused (`params.check_query_parameters`)."""
        verbs = list(methods)

        def register(view: View) -> View:
            name = endpoint or view.__name__
            self.bp.add_url_rule(path, name, view, methods=verbs)
            for verb in verbs:
                ROUTE_RULES[(path, verb)] = access
            if doc is not None:
                DOCS[f"{self.bp.name}.{name}"] = doc
            PARAMS[f"{self.bp.name}.{name}"] = frozenset(params)
            return view
        return register

    def get(self, path: str, *, access: str, doc: Doc | None = None,
            params: Iterable[str] = ()) -> Callable[[View], View]:
        return self.route(path, ("GET",), access=access, doc=doc, params=params)

    def post(self, path: str, *, access: str, doc: Doc | None = None) -> Callable[[View], View]:
        return self.route(path, ("POST",), access=access, doc=doc)

    def put(self, path: str, *, access: str, doc: Doc | None = None) -> Callable[[View], View]:
        return self.route(path, ("PUT",), access=access, doc=doc)

    def delete(self, path: str, *, access: str, doc: Doc | None = None,
               params: Iterable[str] = ()) -> Callable[[View], View]:
        return self.route(path, ("DELETE",), access=access, doc=doc, params=params)

    def query(self, path: str, *, doc: Doc | None = None) -> Callable[[View], View]:
        """A list or count answering GET and POST (Camunda's two query forms), narrowed by its handler."""
        return self.route(path, ("GET", "POST"), access=READ, doc=doc)


__all__ = ["Resource", "Doc", "ROUTE_RULES", "DOCS", "PARAMS", "OPEN",
           "READ", "WORK", "ASSIGN", "START", "WRITE", "MANAGE"]
