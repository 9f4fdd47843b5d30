"""DMN imports (DMN 1.3, 6.3.3): elements of another model, reached through the import's name.

`parse_dmn(name, content, imports={resource name: content})` makes the other DMN files of a deployment
available; an `<import namespace=... name=N>` picks the file whose definitions have that namespace. Its
decisions, business knowledge models and item definitions are then referenced by href (`namespace#id`)
and read in FEEL as `N.element name` (a context named N holds them).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

MAX_IMPORT_DEPTH = 8
_DMN_IMPORT_TYPES = ("https://www.omg.org/spec/DMN/", "http://www.omg.org/spec/DMN/")


@dataclass(frozen=True)
class ImportedKnowledge:
    """A business knowledge model (or decision service) of an imported model, called as `N.name(...)`."""
    import_name: str
    model: Any                       # boxed.KnowledgeModel | boxed.ServiceKnowledge

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def name(self) -> str:
        return self.model.name


def namespace_of(content: bytes) -> str | None:
    """The namespace attribute of a DMN file's definitions, read without building its models."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        return None
    return root.get("namespace")


def is_dmn_import(import_type: str | None) -> bool:
    return bool(import_type) and any(import_type.startswith(p) for p in _DMN_IMPORT_TYPES)  # type: ignore[union-attr]


def find_import(pool: Mapping[str, bytes], namespace: str) -> tuple[str, bytes] | None:
    for resource, content in pool.items():
        if namespace_of(content) == namespace:
            return resource, content
    return None


__all__ = ["ImportedKnowledge", "MAX_IMPORT_DEPTH", "find_import", "is_dmn_import", "namespace_of"]
