"""Persistence of Alur: SQLAlchemy 2.0 models, the unit of work and migrations. No SpiffWorkflow here."""
from .base import table_of
from .db import Database, DatabaseSetupError, make_engine, normalize_url
from .models import *  # noqa: F401,F403
from .models import __all__ as _models_all
from .migrate import upgrade, current_revision, head_revision

__all__ = ["Database", "DatabaseSetupError", "make_engine", "normalize_url", "upgrade", "current_revision",
           "head_revision", "table_of", *_models_all]
