"""Demo users for `make run` (called by `alur serve` through `service.cli.seed_demo_users`)."""
from __future__ import annotations

import os
import sys
from typing import Any

from service.ops.users import DEMO_PASSWORD
from service.ops.users import seed_demo_users as _seed


ENV = "ALUR_DEMO_USERS"


def seed_demo_users(ctx: Any) -> list[str]:
    """Only when ALUR_DEMO_USERS is on (`make run` sets it): a production server never gets known passwords."""
    if os.environ.get(ENV, "").strip().lower() not in ("1", "true", "yes", "on", "ya"):
        return []
    created = _seed(ctx)
    if created:
        print(f"alur: demo users created (password {DEMO_PASSWORD!r}): {', '.join(created)}", file=sys.stderr)
    return created


__all__ = ["seed_demo_users"]
