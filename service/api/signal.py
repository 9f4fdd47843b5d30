"""POST /signal: deliver a signal to every instance waiting for it and start the processes whose
signal start event has its name (Camunda broadcasts: nothing waiting is not an error)."""
from __future__ import annotations

from flask import g
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields

from service.ops.signals import deliver_signal

from .access import apply_tenant_filter
from .common import ops
from .errors import invalid
from .params import load_declared
from .routes import WORK, Doc, Resource
from .variables import variables_to_plain

resource = Resource("rest_signal", __name__)
bp = resource.bp


class SignalSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, allow_none=True)
    executionId = fields.String(load_default=None, allow_none=True)
    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    tenantId = fields.String(load_default=None, allow_none=True)
    withoutTenantId = fields.Boolean(load_default=False, allow_none=True)


signal_schema = SignalSchema()


@resource.post("/signal", access=WORK,
               doc=Doc("Deliver a signal (catch events, boundaries, signal starts)", body=SignalSchema, status=204,
                       body_required=True))
def signal() -> ResponseReturnValue:
    body = load_declared(signal_schema, required=True)
    if not body["name"]:
        raise invalid("No signal name given")
    if body["tenantId"] is not None and body["withoutTenantId"]:
        raise invalid("Parameter 'tenantId' cannot be used together with parameter 'withoutTenantId'.")
    scope = apply_tenant_filter(None)
    if scope.ids is not None and body["tenantId"] is not None and body["tenantId"] not in scope.ids:
        from service.ops.access import forbidden
        raise forbidden(f"tenant {body['tenantId']}")
    principal = getattr(g, "rest_principal", None)
    deliver_signal(ops(), body["name"], variables=variables_to_plain(body["variables"]), tenant=body["tenantId"],
                   without_tenant=bool(body["withoutTenantId"]), instance_id=body["executionId"],
                   tenant_filter=(scope.ids, scope.include_null) if scope.ids is not None else None,
                   user=getattr(principal, "user_id", None))
    return "", 204


__all__ = ["bp", "SignalSchema"]
