"""The web pages of Alur (issue 5): staff task lists and forms, instances, process-owner editors, admin.

`service.app.create_app` calls `register(app)`; nothing happens at import.
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.web.setup import init_app
    init_app(app)


__all__ = ["register"]
