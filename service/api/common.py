"""Helpers shared by the REST resources: the operations context, JSON bodies, query parameters."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, current_app, request
from marshmallow import Schema, fields

from service.ops import OpsContext

from .dates import DateFormatError, format_date, parse_date
from .errors import invalid


def ops() -> OpsContext:
    return current_app.extensions["alur"].ops


def json_body(*, required: bool = False) -> dict[str, Any]:
    """The request's JSON object; malformed JSON or a non-object is a 400 naming the problem."""
    raw = request.get_data(cache=True)
    if not raw or not raw.strip():
        if required:
            raise invalid("A JSON request body is required")
        return {}
    try:
        import json
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid(f"Malformed JSON request body: {exc}") from None
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object")
    return body


def load(schema: Schema, *, required: bool = False) -> dict[str, Any]:
    return schema.load(json_body(required=required))


def arg_str(name: str) -> str | None:
    value = request.args.get(name)
    return value if value not in (None, "") else None


def arg_list(name: str) -> list[str] | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    return [v for v in value.split(",") if v]


def arg_bool(name: str, default: bool = False) -> bool:
    value = request.args.get(name)
    if value in (None, ""):
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise invalid(f"Cannot set query parameter '{name}' to value '{value}': expected true or false")


def arg_int(name: str, default: int | None = None) -> int | None:
    value = request.args.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise invalid(f"Cannot set query parameter '{name}' to value '{value}': expected an integer") from None
    if number < 0:
        raise invalid(f"Cannot set query parameter '{name}' to value '{value}': must not be negative")
    return number


def arg_date(name: str) -> datetime | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    try:
        return parse_date(value)
    except DateFormatError as exc:
        raise invalid(f"Cannot set query parameter '{name}' to value '{value}': {exc}") from None


class CamundaDate(fields.Field):
    """A date in Camunda's REST format."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return format_date(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        try:
            return parse_date(value)
        except DateFormatError as exc:
            raise self.make_error("invalid", input=value, message=str(exc)) from None

    default_error_messages = {"invalid": "{message}"}


def links(rel_href: list[tuple[str, str]]) -> list[dict[str, str]]:
    base = request.host_url.rstrip("/") + "/engine-rest"
    return [{"method": "GET", "href": base + href, "rel": rel} for rel, href in rel_href]


__all__ = ["ops", "json_body", "load", "arg_str", "arg_list", "arg_bool", "arg_int", "arg_date", "CamundaDate",
           "links"]


def file_response(content: bytes, mime_type: str, filename: str) -> Response:
    """A File variable's bytes as Camunda serves them: its MIME type, as an attachment named after it."""
    response = Response(content, content_type=mime_type)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response

