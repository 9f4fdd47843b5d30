"""The BPMN 2.0 XML Schema check Camunda 7 runs on every new deployment (BpmnParser with schema validation):
an element or attribute the schema does not allow refuses the whole file, executable processes or not.

The schema is SpiffWorkflow's copy of OMG's BPMN20.xsd; other namespaces (camunda:, DI extensions) are
laxly validated, as in Camunda. The document is validated as uploaded (no rewriting first).
"""
from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH

from .errors import ModelError


# One compiled schema per process; its error log is per object, so validations take turns.
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    with open(XSD_PATH, "rb") as xsd:
        return etree.XMLSchema(etree.parse(xsd))


def check_schema(root: Any, filename: str) -> None:
    """Raise ModelError naming the first schema violation and its line."""
    schema = _schema()
    with _LOCK:
        try:
            valid = schema.validate(root)
        except etree.XMLSchemaError as exc:      # e.g. an entity reference left in the tree
            raise ModelError(f"not valid BPMN 2.0 XML: {exc}", file=filename) from None
        error = None if valid else schema.error_log.last_error
    if not valid:
        message = error.message if error is not None else "the document does not match the BPMN 2.0 schema"
        raise ModelError(f"not valid BPMN 2.0 XML: {message}", file=filename,
                         line=error.line if error is not None else None)


__all__ = ["check_schema"]
