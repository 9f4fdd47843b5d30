"""camunda:formField entries of a process's none start event, read from the BPMN XML (the engine keeps only the
start event's formRef/formKey, and the start page must show inline start forms too)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}


def _field(node: Any) -> dict[str, Any]:
    """The same dict shape as the engine's task form fields, so `form_from_form_data` reads both."""
    return {
        "id": node.get("id"), "label": node.get("label"), "type": node.get("type"),
        "default_value": node.get("defaultValue"),
        "properties": {p.get("id"): p.get("value")
                       for p in node.iterfind("camunda:properties/camunda:property", _NS)},
        "validation": [{"name": c.get("name"), "config": c.get("config")}
                       for c in node.iterfind("camunda:validation/camunda:constraint", _NS)],
        "values": [{"id": v.get("id"), "name": v.get("name")} for v in node.iterfind("camunda:value", _NS)],
    }


def _is_none_start(event: Any) -> bool:
    return not any(isinstance(child.tag, str) and child.tag.endswith("EventDefinition") for child in event)


@lru_cache(maxsize=256)
def _cached(xml: bytes, process_key: str) -> tuple[dict[str, Any], ...]:
    # No entity expansion and no network: the XML comes from a deployment an editor uploaded.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        return ()
    for process in root.iterfind("bpmn:process", _NS):
        if process.get("id") != process_key:
            continue
        for event in process.iterfind("bpmn:startEvent", _NS):
            if not _is_none_start(event):
                continue
            fields = event.findall("bpmn:extensionElements/camunda:formData/camunda:formField", _NS)
            if fields:
                return tuple(_field(f) for f in fields)
    return ()


def start_form_fields(xml: bytes, process_key: str) -> list[dict[str, Any]]:
    """The formField dicts of `process_key`'s first none start event that has any; [] when none."""
    return [dict(f) for f in _cached(bytes(xml), process_key)]


__all__ = ["start_form_fields"]
