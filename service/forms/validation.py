"""Server-side validation of a form submission with marshmallow schemas built from the form definition.

The browser is never trusted: whatever form-js or the HTML form enforced, the same rules are checked
here (type, required, min/max, length, pattern, allowed values, conditional visibility). Hidden fields
are neither validated nor submitted, as form-js does. Messages are Indonesian first, English on request.
"""
from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any, Mapping

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from service.expr import ExpressionError, feel
from service.expr.regex_guard import PatternRefused, compile_pattern
from service.forms.definition import Field, FormDefinition

PATTERN_TIMEOUT = 0.2  # a model-supplied pattern must not hang a worker

MESSAGES: dict[str, dict[str, str]] = {
    "id": {
        "required": "Wajib diisi.",
        "type": "Nilai tidak valid.",
        "number": "Harus berupa angka.",
        "integer": "Harus berupa bilangan bulat.",
        "min": "Minimal {min}.",
        "max": "Maksimal {max}.",
        "min_length": "Minimal {min} karakter.",
        "max_length": "Maksimal {max} karakter.",
        "pattern": "Format tidak sesuai.",
        "choice": "Pilihan tidak dikenal: {value}.",
        "date": "Tanggal tidak valid (format TTTT-BB-HH).",
        "datetime": "Tanggal dan waktu tidak valid.",
        "time": "Waktu tidak valid (format JJ:MM).",
        "email": "Alamat email tidak valid.",
        "phone": "Nomor telepon tidak valid.",
        "boolean": "Harus ya atau tidak.",
        "pattern_timeout": "Pola validasi terlalu rumit untuk diperiksa.",
    },
    "en": {
        "required": "This field is required.",
        "type": "Invalid value.",
        "number": "Must be a number.",
        "integer": "Must be a whole number.",
        "min": "Must be at least {min}.",
        "max": "Must be at most {max}.",
        "min_length": "Must have at least {min} characters.",
        "max_length": "Must have at most {max} characters.",
        "pattern": "Does not match the required format.",
        "choice": "Unknown choice: {value}.",
        "date": "Invalid date (format YYYY-MM-DD).",
        "datetime": "Invalid date and time.",
        "time": "Invalid time (format HH:MM).",
        "email": "Invalid e-mail address.",
        "phone": "Invalid phone number.",
        "boolean": "Must be yes or no.",
        "pattern_timeout": "The validation pattern is too complex to check.",
    },
}

_TRUE = {"true", "on", "1", "yes", "ya"}
_FALSE = {"false", "off", "0", "no", "tidak", ""}


class SubmissionInvalid(Exception):
    """Raised by `validate_or_raise`: `errors` maps a field key to its messages, `values` holds the input."""

    def __init__(self, errors: dict[str, list[str]], values: Mapping[str, Any]) -> None:
        self.errors = errors
        self.values = dict(values)
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


class _Number(fields.Field):
    """A form-js number: int when integral, float otherwise; decimals parsed exactly first."""

    def __init__(self, *, integer: bool, msgs: Mapping[str, str], **kw: Any) -> None:
        super().__init__(**kw)
        self.integer = integer
        self.msgs = msgs

    def _deserialize(self, value: Any, attr: Any, data: Any, **kw: Any) -> int | float:
        if isinstance(value, bool):
            raise ValidationError(self.msgs["number"])
        try:
            number = decimal.Decimal(str(value).strip().replace(",", "."))
        except decimal.InvalidOperation:
            raise ValidationError(self.msgs["number"]) from None
        if not number.is_finite():
            raise ValidationError(self.msgs["number"])
        if number == number.to_integral_value():
            return int(number)
        if self.integer:
            raise ValidationError(self.msgs["integer"])
        return float(number)


class _Bool(fields.Field):
    def __init__(self, *, msgs: Mapping[str, str], **kw: Any) -> None:
        super().__init__(**kw)
        self.msgs = msgs

    def _deserialize(self, value: Any, attr: Any, data: Any, **kw: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValidationError(self.msgs["boolean"])


def _pattern_validator(pattern: str, msgs: Mapping[str, str]):
    try:
        compiled = compile_pattern(pattern)
    except PatternRefused:
        compiled = None        # deployed before the deploy check: refuse values instead of failing the page

    def check(value: Any) -> None:
        if compiled is None:
            raise ValidationError(msgs["pattern_timeout"])
        try:
            matched = compiled.fullmatch(str(value), timeout=PATTERN_TIMEOUT)
        except TimeoutError:
            raise ValidationError(msgs["pattern_timeout"]) from None
        if matched is None:
            raise ValidationError(msgs["pattern"])

    return check


# Fixed, trusted patterns: the stdlib engine marshmallow expects (user patterns go through `regex`).
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9 ()\-]{6,20}")


def _marshmallow_field(f: Field, msgs: Mapping[str, str]) -> fields.Field:
    common: dict[str, Any] = {
        "required": f.required,
        "allow_none": not f.required,
        "error_messages": {"required": msgs["required"], "null": msgs["required"], "invalid": msgs["type"]},
    }
    checks: list[Any] = []
    if f.type in ("textfield", "textarea"):
        if f.min_length is not None or f.max_length is not None:
            if f.min_length is not None:
                checks.append(validate.Length(min=f.min_length, error=msgs["min_length"].format(min=f.min_length)))
            if f.max_length is not None:
                checks.append(validate.Length(max=f.max_length, error=msgs["max_length"].format(max=f.max_length)))
        if f.pattern:
            checks.append(_pattern_validator(f.pattern, msgs))
        if f.validation_type == "email":
            checks.append(validate.Regexp(_EMAIL, error=msgs["email"]))
        elif f.validation_type == "phone":
            checks.append(validate.Regexp(_PHONE, error=msgs["phone"]))
        if f.required:
            checks.append(validate.Length(min=1, error=msgs["required"]))
        return fields.String(validate=checks, **common)
    if f.type == "number":
        if f.min is not None:
            checks.append(validate.Range(min=f.min, error=msgs["min"].format(min=_fmt(f.min))))
        if f.max is not None:
            checks.append(validate.Range(max=f.max, error=msgs["max"].format(max=_fmt(f.max))))
        return _Number(integer=f.decimal_digits == 0, msgs=msgs, validate=checks, **common)
    if f.type == "checkbox":
        if f.required:
            checks.append(validate.Equal(True, error=msgs["required"]))
        return _Bool(msgs=msgs, validate=checks, **common)
    if f.type in ("radio", "select"):
        if f.options:
            allowed = [o.value for o in f.options]
            checks.append(validate.OneOf(allowed, error=msgs["choice"].format(value="{input}")))
        return fields.String(validate=checks, **common)
    if f.type in ("checklist", "taglist"):
        item_checks = []
        if f.options:
            allowed = [o.value for o in f.options]
            item_checks.append(validate.OneOf(allowed, error=msgs["choice"].format(value="{input}")))
        if f.required:
            checks.append(validate.Length(min=1, error=msgs["required"]))
        return fields.List(fields.String(validate=item_checks), validate=checks, **common)
    if f.type == "datetime":
        if f.subtype == "time":
            return fields.Time(**{**common, "error_messages": {**common["error_messages"], "invalid": msgs["time"]}})
        if f.subtype == "datetime":
            return fields.AwareDateTime(default_timezone=dt.timezone.utc, **{
                **common, "error_messages": {**common["error_messages"], "invalid": msgs["datetime"]}})
        return fields.Date(**{**common, "error_messages": {**common["error_messages"], "invalid": msgs["date"]}})
    if f.type == "filepicker":
        if f.required:
            checks.append(validate.Length(min=1, error=msgs["required"]))
        return fields.List(fields.String(), validate=checks, **common)
    return fields.Raw(**common)


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def html_to_values(form: FormDefinition, raw: Any) -> dict[str, Any]:
    """Turn an HTML form post (a werkzeug MultiDict or a mapping of lists) into form values.

    Empty inputs become missing values, an unticked checkbox is False, lists come from repeated keys.
    """
    getlist = raw.getlist if hasattr(raw, "getlist") else (lambda k: list(raw.get(k, [])))
    values: dict[str, Any] = {}
    for f in form.value_fields():
        items = [v for v in getlist(f.variable) if not (isinstance(v, str) and v.strip() == "")]
        if f.type == "checkbox":
            values[f.variable] = bool(items) and str(items[-1]).strip().lower() in _TRUE
        elif f.type in ("checklist", "taglist", "filepicker"):
            values[f.variable] = [str(v) for v in items]
        elif items:
            values[f.variable] = items[-1].strip() if isinstance(items[-1], str) else items[-1]
    return values


def visible_fields(form: FormDefinition, values: Mapping[str, Any],
                   context: Mapping[str, Any] | None = None) -> list[Field]:
    """The value fields not hidden by their condition, evaluated with FEEL over context + values.

    Only values of the form's editable fields are taken from `values`: a readonly field shows a process
    variable (or its default), and a posted value for it, or for a key the form does not have, must not
    override the variable and so hide a required field.
    """
    fields_ = form.value_fields()
    editable = {f.variable for f in fields_ if not f.readonly}
    readonly_defaults = {f.variable: f.default for f in fields_ if f.readonly and f.default is not None}
    scope = {**readonly_defaults, **(context or {}),
             **{k: v for k, v in values.items() if v is not None and k in editable}}
    out = []
    for f in fields_:
        if f.hide_if and _hidden(f.hide_if, scope):
            continue
        out.append(f)
    return out


def _hidden(expression: str, scope: Mapping[str, Any]) -> bool:
    try:
        return feel.evaluate(expression, scope) is True
    except ExpressionError:
        # A broken condition must not hide a required field and let bad data through.
        return False


def validate_submission(form: FormDefinition, values: Mapping[str, Any], *,
                        context: Mapping[str, Any] | None = None,
                        lang: str = "id") -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate `values` against the form. Returns (clean values of visible fields, errors by key)."""
    msgs = MESSAGES.get(lang, MESSAGES["id"])
    shown = [f for f in visible_fields(form, values, context) if not f.readonly]
    schema_cls = Schema.from_dict({f.variable: _marshmallow_field(f, msgs) for f in shown},
                                  name=f"Form_{form.id}")
    data = {f.variable: values[f.variable] for f in shown if f.variable in values and values[f.variable] is not None}
    for f in shown:
        if f.required and f.variable not in data:
            data[f.variable] = None
    try:
        clean = schema_cls(unknown=EXCLUDE).load(data)
    except ValidationError as exc:
        return {}, {key: _flatten(msg) for key, msg in exc.normalized_messages().items()}
    return clean, {}


def validate_or_raise(form: FormDefinition, values: Mapping[str, Any], **kw: Any) -> dict[str, Any]:
    clean, errors = validate_submission(form, values, **kw)
    if errors:
        raise SubmissionInvalid(errors, values)
    return clean


def _flatten(messages: Any) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, Mapping):
        out: list[str] = []
        for item in messages.values():
            out.extend(_flatten(item))
        return out
    if isinstance(messages, (list, tuple)):
        out = []
        for item in messages:
            out.extend(_flatten(item))
        return out
    return [str(messages)]
