"""The BPMN 2.0 XML Schema check Camunda 7 runs on every new deployment (BpmnParser with schema validation):
an element or attribute the schema does not allow refuses the whole file, executable processes or not.

The schema is SpiffWorkflow's copy of OMG's BPMN20.xsd with Camunda's one change (calledElement is a string, so
that it may hold an expression); other namespaces (camunda:, DI extensions) are laxly validated, as in Camunda.
The document is validated as uploaded (no rewriting first).
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


class _CamundaSemantic(etree.Resolver):
    """Serves Semantic.xsd as Camunda's engine ships it: `calledElement` typed xsd:string, not xsd:QName."""

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        if not system_url.endswith("Semantic.xsd"):
            return None
        tree = etree.parse(system_url)
        xs = "{http://www.w3.org/2001/XMLSchema}"
        for attribute in tree.iter(f"{xs}attribute"):
            if attribute.get("name") == "calledElement":
                attribute.set("type", "xsd:string")
        return self.resolve_string(etree.tostring(tree), context, base_url=system_url)


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser()
    parser.resolvers.add(_CamundaSemantic())
    return etree.XMLSchema(etree.parse(XSD_PATH, parser))


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
