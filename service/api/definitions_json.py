"""JSON shapes of process and decision definitions (shared by deployment and definition resources)."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from service.ops.views import DefinitionView


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
    historyTimeToLive = fields.Constant(None)
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


process_schema = ProcessDefinitionSchema()
decision_schema = DecisionDefinitionSchema()


def by_id(schema: Schema, items: list[DefinitionView]) -> dict[str, Any] | None:
    """Camunda's deployment response: {definition id: definition}, or null when none was deployed."""
    if not items:
        return None
    return {d.id: schema.dump(d) for d in items}
