"""The web pages of Alur: staff task lists and forms, instances, process-owner editors, admin.

`service.app.create_app` calls `init_app(app, config, rest_prefix=...)`; nothing happens at import.
"""
from __future__ import annotations

from service.web.setup import init_app

__all__ = ["init_app"]
