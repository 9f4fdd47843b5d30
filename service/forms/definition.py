"""Form definitions: Camunda Forms (form-js JSON) and camunda:formData, read into one shape.

The web pages render a task's form from a `FormDefinition` and the server validates a submission against
it (see `validation.py`). Both sources of forms a Camunda 7 model can reference end up here: a Camunda
Form (`camunda:formRef`, the JSON that form-js and Camunda Modeler write) and embedded
`camunda:formData` fields.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

# Component types that carry no value: rendered, never submitted.
DISPLAY_TYPES = frozenset({"text", "html", "image", "spacer", "separator", "button", "iframe", "table"})
# Component types that hold other components.
CONTAINER_TYPES = frozenset({"group", "dynamiclist"})
VALUE_TYPES = frozenset({
    "textfield", "textarea", "number", "checkbox", "checklist", "radio", "select", "taglist",
    "datetime", "filepicker", "expression",
})


class FormDefinitionError(ValueError):
    """The form JSON is not a usable form; the message names the component."""


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """One component of a form. `key` is the process variable it reads and writes."""

    id: str
    type: str
    key: str | None = None
    label: str | None = None
    description: str | None = None
    text: str | None = None                 # content of display components (markdown in form-js)
    required: bool = False
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    validation_type: str | None = None      # form-js: email | phone
    options: tuple[Option, ...] = ()
    default: Any = None
    readonly: bool = False
    hide_if: str | None = None              # FEEL, without the leading "="
    subtype: str | None = None              # datetime: date | time | datetime
    decimal_digits: int | None = None
    multiple: bool = False                  # filepicker
    accept: str | None = None               # filepicker
    components: tuple["Field", ...] = ()    # group children

    @property
    def submits_value(self) -> bool:
        return self.type in VALUE_TYPES and self.type != "expression" and bool(self.key)

    @property
    def variable(self) -> str:
        """The key of a field that submits a value (every field of `FormDefinition.value_fields()`)."""
        if not self.key:
            raise FormDefinitionError(f"component '{self.id}' ({self.type}) has no key")
        return self.key


@dataclass(frozen=True)
class FormDefinition:
    id: str
    fields: tuple[Field, ...]
    source: str = "camunda-form"            # camunda-form | form-data
    schema_version: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def value_fields(self) -> list[Field]:
        """Every field that submits a value, groups flattened, in display order."""
        out: list[Field] = []

        def walk(items: Iterable[Field]) -> None:
            for item in items:
                if item.type in CONTAINER_TYPES:
                    walk(item.components)
                elif item.submits_value:
                    out.append(item)

        walk(self.fields)
        return out


def parse_camunda_form(content: str | bytes | Mapping[str, Any], *, name: str = "form") -> FormDefinition:
    """Read a Camunda Form (form-js schema). Raises FormDefinitionError naming the bad component."""
    if isinstance(content, (str, bytes)):
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            raise FormDefinitionError(f"{name}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    else:
        data = content
    if not isinstance(data, Mapping):
        raise FormDefinitionError(f"{name}: a form must be a JSON object")
    form_id = data.get("id")
    if not isinstance(form_id, str) or not form_id:
        raise FormDefinitionError(f"{name}: the form has no 'id'")
    components = data.get("components")
    if not isinstance(components, list):
        raise FormDefinitionError(f"{name}: form '{form_id}' has no 'components' list")
    fields = tuple(_component(c, name, f"components[{i}]") for i, c in enumerate(components))
    _check_unique_keys(fields, name)
    version = data.get("schemaVersion")
    return FormDefinition(id=form_id, fields=fields, source="camunda-form",
                          schema_version=version if isinstance(version, int) else None, raw=data)


def _component(data: Any, name: str, where: str) -> Field:
    if not isinstance(data, Mapping):
        raise FormDefinitionError(f"{name}: {where} is not an object")
    ctype = data.get("type")
    if not isinstance(ctype, str):
        raise FormDefinitionError(f"{name}: {where} has no 'type'")
    cid = str(data.get("id") or data.get("key") or where)
    known = ctype in DISPLAY_TYPES or ctype in CONTAINER_TYPES or ctype in VALUE_TYPES
    if not known:
        raise FormDefinitionError(f"{name}: component '{cid}' has unknown type '{ctype}'")
    key = data.get("key") if ctype in VALUE_TYPES else None
    if ctype in VALUE_TYPES and ctype != "expression" and not (isinstance(key, str) and key):
        raise FormDefinitionError(f"{name}: component '{cid}' ({ctype}) has no 'key'")
    validate = data.get("validate") or {}
    if not isinstance(validate, Mapping):
        raise FormDefinitionError(f"{name}: component '{cid}' has a 'validate' that is not an object")
    conditional = data.get("conditional") or {}
    hide = conditional.get("hide") if isinstance(conditional, Mapping) else None
    options = _options(data.get("values"), name, cid)
    if ctype in ("radio", "select", "checklist", "taglist") and not options and not data.get("valuesKey") \
            and not data.get("valuesExpression"):
        raise FormDefinitionError(f"{name}: component '{cid}' ({ctype}) has no 'values'")
    children: tuple[Field, ...] = ()
    if ctype in CONTAINER_TYPES:
        children = tuple(_component(c, name, f"{cid}.components[{i}]")
                         for i, c in enumerate(data.get("components") or []))
    return Field(
        id=cid,
        type=ctype,
        key=key,
        label=_str(data.get("label")) or _str(data.get("dateLabel")),
        description=_str(data.get("description")),
        text=_str(data.get("text")),
        required=bool(validate.get("required")),
        min=_num(validate.get("min"), name, cid, "min"),
        max=_num(validate.get("max"), name, cid, "max"),
        min_length=_int(validate.get("minLength"), name, cid, "minLength"),
        max_length=_int(validate.get("maxLength"), name, cid, "maxLength"),
        pattern=_str(validate.get("pattern")),
        validation_type=_str(validate.get("validationType")),
        options=options,
        default=data.get("defaultValue"),
        readonly=bool(data.get("readonly")) or bool(data.get("disabled")),
        hide_if=_feel(hide),
        subtype=_str(data.get("subtype")),
        decimal_digits=_int(data.get("decimalDigits"), name, cid, "decimalDigits"),
        multiple=bool(data.get("multiple")),
        accept=_str(data.get("accept")),
        components=children,
    )


def _options(values: Any, name: str, cid: str) -> tuple[Option, ...]:
    if values is None:
        return ()
    if not isinstance(values, list):
        raise FormDefinitionError(f"{name}: component '{cid}' has 'values' that is not a list")
    out = []
    for item in values:
        if not isinstance(item, Mapping) or "value" not in item:
            raise FormDefinitionError(f"{name}: component '{cid}' has a value without 'value'")
        out.append(Option(value=str(item["value"]), label=str(item.get("label", item["value"]))))
    return tuple(out)


def _check_unique_keys(fields: tuple[Field, ...], name: str) -> None:
    seen: dict[str, str] = {}
    for f in FormDefinition(id="-", fields=fields).value_fields():
        if f.variable in seen:
            raise FormDefinitionError(f"{name}: components '{seen[f.variable]}' and '{f.id}' share key '{f.key}'")
        seen[f.variable] = f.id


def _feel(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        text = value.strip()
        return text[1:].strip() if text.startswith("=") else text
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _num(value: Any, name: str, cid: str, attr: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FormDefinitionError(f"{name}: component '{cid}' has a non-numeric '{attr}'") from None
    if not math.isfinite(number) or isinstance(value, bool):
        raise FormDefinitionError(f"{name}: component '{cid}' has '{attr}' {value!r}, expected a finite number")
    return number


def _int(value: Any, name: str, cid: str, attr: str) -> int | None:
    number = _num(value, name, cid, attr)
    return None if number is None else int(number)


def _pairs(items: Any, first: str, second: str) -> list[tuple[Any, Any]]:
    """The engine gives formData constraints and enum values as dicts; older callers as pairs."""
    out = []
    for item in items or []:
        if isinstance(item, Mapping):
            out.append((item.get(first), item.get(second)))
        else:
            a, b = item
            out.append((a, b))
    return [(str(a), b) for a, b in out if a is not None]


# camunda:formData types -> form-js component types
_FORM_DATA_TYPES = {
    "string": "textfield",
    "long": "number",
    "boolean": "checkbox",
    "date": "datetime",
    "enum": "select",
}


def form_from_form_data(form_id: str, fields: Iterable[Mapping[str, Any]]) -> FormDefinition:
    """Build a form from camunda:formField entries (as dicts: id, type, label, default_value,
    validation [(name, config)], options [(id, name)], properties)."""
    out = []
    for data in fields:
        fid = str(data.get("id"))
        ftype = str(data.get("type") or "string")
        constraints = dict(_pairs(data.get("validation"), "name", "config"))
        options = tuple(Option(value=str(i), label=str(n if n is not None else i))
                        for i, n in _pairs(data.get("options") or data.get("values"), "id", "name"))
        out.append(Field(
            id=fid,
            type=_FORM_DATA_TYPES.get(ftype, "textfield"),
            key=fid,
            label=data.get("label") or fid,
            required="required" in constraints,
            readonly="readonly" in constraints,
            min=_num(constraints.get("min"), form_id, fid, "min"),
            max=_num(constraints.get("max"), form_id, fid, "max"),
            min_length=_int(constraints.get("minlength"), form_id, fid, "minlength"),
            max_length=_int(constraints.get("maxlength"), form_id, fid, "maxlength"),
            options=options,
            default=data.get("default_value"),
            subtype="date" if ftype == "date" else None,
            decimal_digits=0 if ftype == "long" else None,
        ))
    return FormDefinition(id=form_id, fields=tuple(out), source="form-data")
