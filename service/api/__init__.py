"""The Camunda 7 compatible REST API under /engine-rest: one blueprint (and schema module) per resource."""
from __future__ import annotations

import importlib

from flask import Blueprint

from .errors import register_error_handlers

URL_PREFIX = "/engine-rest"

# Resource modules of this package; each has a blueprint `bp`. A new resource = a module + a name here.
RESOURCES: tuple[str, ...] = (
    "version", "deployment", "process_definition", "process_instance", "task", "decision_definition", "message",
)


def create_blueprint() -> Blueprint:
    """A fresh /engine-rest blueprint with every resource in RESOURCES."""
    api = Blueprint("engine_rest", __name__, url_prefix=URL_PREFIX)
    from .extensions import register_extensions
    register_extensions(api)   # issue 6 resources + auth; first, so their fuller queries answer shared paths
    for name in RESOURCES:
        api.register_blueprint(importlib.import_module(f"{__name__}.{name}").bp)
    register_error_handlers(api)
    return api


__all__ = ["create_blueprint", "URL_PREFIX", "RESOURCES"]
