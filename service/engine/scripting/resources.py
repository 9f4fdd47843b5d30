"""Scripts kept in their own deployment resource (`camunda:resource="deployment://calc.js"`).

Resources of a deployment never change, so the script text is copied into the model when it is parsed
(at deploy and whenever the model is read again, from the same deployment's resources): at run time a
script from a resource is like an inline one. A name not in the deployment deploys, as in Camunda, and
the script is an incident naming the resource when reached. A bare path (`parseHoliday.js`) is a classpath
file to Camunda; the classpath of a Camunda application is where its deployment's files come from, so
here it names the deployment resource of that name when there is one. `classpath://` names a Java
classpath, which Alur does not have. Both deploy when unresolved (the deploy response warns, naming the
element) and reaching the script is an incident naming the resource, as Camunda fails when it looks
the resource up. Other schemes and expressions choosing the resource are refused at deploy.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
PREFIX = "deployment://"
# The attribute naming a script's resource: camunda:resource on BPMN elements, plain `resource` on camunda:script.
_SCRIPT_HOLDERS = {f"{{{BPMN}}}scriptTask": f"{{{CAMUNDA}}}resource",
                   f"{{{BPMN}}}conditionExpression": f"{{{CAMUNDA}}}resource",
                   f"{{{BPMN}}}condition": f"{{{CAMUNDA}}}resource",
                   f"{{{CAMUNDA}}}script": "resource"}


def resource_name(reference: str) -> str | None:
    """`deployment://x.js` -> `x.js`; None for any other kind of reference."""
    reference = reference.strip()
    if reference.startswith(PREFIX) and reference[len(PREFIX):].strip():
        return reference[len(PREFIX):].strip()
    return None


CLASSPATH = "classpath://"


def _deployment_name(reference: str) -> str | None:
    """The deployment resource a reference can name: `deployment://x` or a bare path `x`; None for
    `classpath://` (never resolvable here). Any other scheme or an expression is a ValueError."""
    reference = reference.strip()
    if reference.startswith(CLASSPATH):
        return None
    name = resource_name(reference)
    if name is not None:
        return name
    if not reference or "://" in reference or "${" in reference or "#{" in reference:
        raise ValueError(reference)
    return reference


def inline_resources(root: Any, resources: Mapping[str, bytes] | None,
                     error: Callable[[Any, str], Exception]) -> list[tuple[Any, str]]:
    """Copy each script resource of the deployment into its element (a script task gets a bpmn:script
    child); returns the (element, reference) of those not resolved (empty there: an incident when run)."""
    unresolved: list[tuple[Any, str]] = []
    for node in root.iter(*_SCRIPT_HOLDERS):
        reference = node.get(_SCRIPT_HOLDERS[node.tag])
        if reference is None:
            continue
        try:
            name = _deployment_name(reference)
        except ValueError:
            raise error(node, f"script resource {reference.strip()!r}: only {PREFIX}<name>, {CLASSPATH}<path> "
                              "or a bare path are supported") from None
        content = (resources or {}).get(name) if name is not None else None
        if content is None:
            unresolved.append((node, reference.strip()))
        text = ""
        if content is not None:
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise error(node, f"script resource {reference.strip()!r} is not UTF-8 text") from None
        if node.tag == f"{{{BPMN}}}scriptTask":
            script = node.find(f"{{{BPMN}}}script")
            if script is None:
                script = node.makeelement(f"{{{BPMN}}}script", {})
                node.append(script)
            script.text = text
        else:
            node.text = text
    return unresolved




# A sequence-flow or event condition in a script language travels through SpiffWorkflow as text: this mark
# (NUL cannot occur in XML, so no model text starts with it) + JSON [format, resource, source].
CONDITION_MARK = "\x00script\x00"
EXPRESSION_LANGUAGES = ("", "feel", "juel", "http://www.omg.org/spec/feel/20140401")


def condition_text(node: Any) -> str | None:
    """The condition a bpmn:conditionExpression / bpmn:condition holds: its text for FEEL and JUEL, the
    marked script for any other `language`."""
    import json

    language = (node.get("language") or "").strip()
    if language.lower() in EXPRESSION_LANGUAGES:
        return node.text
    return CONDITION_MARK + json.dumps([language, node.get(f"{{{CAMUNDA}}}resource"), node.text or ""])


def script_condition(text: Any) -> tuple[str, str | None, str] | None:
    """(format, resource, source) of a marked script condition, else None."""
    if not isinstance(text, str) or not text.startswith(CONDITION_MARK):
        return None
    import json

    fmt, resource, source = json.loads(text[len(CONDITION_MARK):])
    return fmt, resource, source


__all__ = ["inline_resources", "resource_name", "condition_text", "script_condition", "PREFIX", "CONDITION_MARK"]
