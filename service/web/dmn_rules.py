"""The rules of a decision table with their annotations, read from the DMN XML for display.

dmn-js shows the DMN 1.1 `description` of a rule, not the DMN 1.3 `annotationEntry` our tables carry
(their legal basis), so the editor page lists them beside the table.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree


@dataclass(frozen=True)
class RuleNote:
    index: int
    rule_id: str
    annotations: tuple[str, ...]


def rule_notes(xml: bytes, decision_key: str) -> list[RuleNote]:
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True,
                                                            huge_tree=False))
    except etree.XMLSyntaxError:
        return []
    decision = next((d for d in root.iter("{*}decision") if d.get("id") == decision_key), None)
    if decision is None:
        return []
    notes = []
    for index, rule in enumerate(decision.iter("{*}rule"), start=1):
        texts = [" ".join("".join(t.itertext()).split()) for entry in rule.findall("{*}annotationEntry")
                 for t in entry.findall("{*}text")]
        description = rule.find("{*}description")
        if description is not None and (description.text or "").strip():
            texts.insert(0, description.text.strip())
        notes.append(RuleNote(index=index, rule_id=rule.get("id") or "", annotations=tuple(t for t in texts if t)))
    return notes


__all__ = ["RuleNote", "rule_notes"]
