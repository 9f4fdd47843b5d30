"""Suspend or activate process definitions, Camunda's `PUT /process-definition/{id}/suspended`,
`/key/{key}/suspended` and `/key/{key}/tenant-id/{tenant}/suspended`, with `includeProcessInstances`."""
from __future__ import annotations

from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields

from service.ops import suspension

from .common import ops
from .operator import require_tenant, tenant_scope, user_id
from .queries import load_body
from .routes import READ, Doc, Resource

resource = Resource("rest_definition_suspension", __name__)
bp = resource.bp


class DefinitionSuspensionSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    suspended = fields.Boolean(required=True)
    includeProcessInstances = fields.Boolean(load_default=False)
    executionDate = fields.String(load_default=None, allow_none=True)


body_schema = DefinitionSuspensionSchema()
DOC = Doc("Suspend or activate a process definition", body=DefinitionSuspensionSchema, body_required=True,
          status=204)


def _apply(**selector: object) -> ResponseReturnValue:
    scope = tenant_scope()
    body = load_body(body_schema, required=True)
    suspension.suspend_definition(ops(), body["suspended"], include_instances=body["includeProcessInstances"],
                                  execution_date=body["executionDate"], user=user_id(), tenant_scope=scope,
                                  **selector)    # type: ignore[arg-type]
    return "", 204


@resource.put("/process-definition/<definition_id>/suspended", access=READ, doc=DOC)
def by_id(definition_id: str) -> ResponseReturnValue:
    return _apply(definition_id=definition_id)


@resource.put("/process-definition/key/<key>/suspended", access=READ, doc=DOC)
def by_key(key: str) -> ResponseReturnValue:
    return _apply(key=key, without_tenant=False)


@resource.put("/process-definition/key/<key>/tenant-id/<tenant>/suspended", access=READ, doc=DOC)
def by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    require_tenant(tenant)
    return _apply(key=key, tenant_id=tenant)


__all__ = ["bp", "resource"]
