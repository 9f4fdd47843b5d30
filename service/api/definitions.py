"""What the process and decision definition resources share: their JSON shapes (also in deployment
responses) and the query filters of their lists."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from service.ops import definitions as definition_ops
from service.ops.views import DefinitionView

from .access import apply_tenant_filter
from .queries import QuerySchema, date, flag, integer, read_query, string, strings


class ProcessDefinitionSchema(Schema):
    id = fields.String()
    key = fields.String()
    category = fields.Constant("http://bpmn.io/schema/bpmn")
    description = fields.Constant(None)
    name = fields.String(allow_none=True)
    version = fields.Integer()
    resource = fields.String(attribute="resource_name")
    deploymentId = fields.String(attribute="deployment_id")
    diagram = fields.Constant(None)
    suspended = fields.Boolean()
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    versionTag = fields.String(attribute="version_tag", allow_none=True)
    historyTimeToLive = fields.Integer(attribute="history_time_to_live", allow_none=True)
    startableInTasklist = fields.Boolean(attribute="startable")


class DecisionDefinitionSchema(Schema):
    id = fields.String()
    key = fields.String()
    category = fields.Constant("http://camunda.org/schema/1.0/dmn")
    name = fields.String(allow_none=True)
    version = fields.Integer()
    resource = fields.String(attribute="resource_name")
    deploymentId = fields.String(attribute="deployment_id")
    decisionRequirementsDefinitionId = fields.Constant(None)
    decisionRequirementsDefinitionKey = fields.Constant(None)
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    versionTag = fields.String(attribute="version_tag", allow_none=True)
    historyTimeToLive = fields.Constant(None)


class DefinitionQuerySchema(QuerySchema):
    id = string("processDefinitionId")
    ids = strings("processDefinitionIdIn")
    key = string("key")
    keys = strings("keysIn")
    key_like = string("keyLike")
    name = string("name")
    name_like = string("nameLike")
    deployment_id = string("deploymentId")
    version = integer("version")
    latest = flag("latestVersion")
    resource_name = string("resourceName")
    version_tag = string("versionTag")
    version_tag_like = string("versionTagLike")
    without_version_tag = flag("withoutVersionTag")
    resource_name_like = string("resourceNameLike")
    deployed_after = date("deployedAfter")
    deployed_at = date("deployedAt")
    tenant_ids = strings("tenantIdIn")
    without_tenant = flag("withoutTenantId")
    include_without_tenant = flag("includeProcessDefinitionsWithoutTenantId")
    suspended = flag("suspended")
    active = flag("active")


process_schema = ProcessDefinitionSchema()
decision_schema = DecisionDefinitionSchema()


def by_id(schema: Schema, items: list[DefinitionView]) -> dict[str, Any] | None:
    """Camunda's deployment response: {definition id: definition}, or null when none was deployed."""
    if not items:
        return None
    return {d.id: schema.dump(d) for d in items}


def read_definition_query(schema: QuerySchema) -> definition_ops.DefinitionQuery | None:
    """The query of a definition list, or None when the caller can see none of the tenants it asks for."""
    values = read_query(schema)
    scope = apply_tenant_filter(values.pop("tenant_ids"), without_tenant=values.pop("without_tenant"),
                                include_without_tenant=values.pop("include_without_tenant"))
    if scope.empty:
        return None
    return definition_ops.DefinitionQuery(**values, **scope.three_way())


__all__ = ["ProcessDefinitionSchema", "DecisionDefinitionSchema", "DefinitionQuerySchema", "process_schema",
           "decision_schema", "by_id", "read_definition_query"]
