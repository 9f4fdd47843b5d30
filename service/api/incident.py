"""GET /incident, /incident/count, /incident/{id}. An incident is resolved by setting the retries of
its external task (PUT /external-task/{id}/retries)."""
from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from service.ops import incidents as inc

from .access import apply_tenant_filter, tenant_predicate
from .openapi import CountResultSchema
from .routes import READ, WRITE, Doc, Resource
from .common import CamundaDate, ops
from .errors import RestError
from .queries import QuerySchema, date, flag, read_query, string, strings, without_paging

resource = Resource("rest_incident", __name__)
bp = resource.bp


class IncidentQuerySchema(QuerySchema):
    incident_id = string("incidentId")
    incident_type = string("incidentType")
    incident_message = string("incidentMessage")
    incident_message_like = string("incidentMessageLike")
    instance_id = string("processInstanceId")
    instance_ids = strings("processInstanceIdIn")
    definition_id = string("processDefinitionId")
    definition_key = string("processDefinitionKey")
    activity_id = string("activityId")
    configuration = string("configuration")
    tenant_ids = strings("tenantIdIn")
    without_tenant = flag("withoutTenantId")
    execution_id = string("executionId")
    failed_activity_id = string("failedActivityId")
    cause_id = string("causeIncidentId")
    root_cause_id = string("rootCauseIncidentId")
    definition_keys = strings("processDefinitionKeyIn")
    created_after = date("incidentTimestampAfter")
    created_before = date("incidentTimestampBefore")


class IncidentSchema(Schema):
    id = fields.String()
    processDefinitionId = fields.String(attribute="definition_id", allow_none=True)
    processInstanceId = fields.String(attribute="instance_id", allow_none=True)
    executionId = fields.Function(lambda i: i.instance_id)
    incidentTimestamp = CamundaDate(attribute="created")
    incidentType = fields.String(attribute="incident_type")
    activityId = fields.String(attribute="element_id", allow_none=True)
    failedActivityId = fields.Function(lambda i: i.element_id)
    causeIncidentId = fields.Function(lambda i: i.id)
    rootCauseIncidentId = fields.Function(lambda i: i.id)
    configuration = fields.String(allow_none=True)
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    incidentMessage = fields.String(attribute="message", allow_none=True)
    jobDefinitionId = fields.Constant(None)
    annotation = fields.String(allow_none=True)


query_schema = IncidentQuerySchema()
incident_schema = IncidentSchema()


def _run(paged: bool) -> list[inc.IncidentView]:
    values = read_query(query_schema)
    if not paged:
        values = without_paging(values)
    scope = apply_tenant_filter(values.pop("tenant_ids"), without_tenant=values.pop("without_tenant"))
    if scope.empty:
        return []
    values["cause_ids"] = [c for c in (values.pop("cause_id"), values.pop("root_cause_id")) if c is not None]
    return inc.query_incidents(ops(), inc.IncidentQuery(**values, **scope.explicit()))


@resource.get("/incident", access=READ,
              doc=Doc("Open incidents", query=IncidentQuerySchema, response=IncidentSchema, many=True))
def list_() -> ResponseReturnValue:
    return jsonify([incident_schema.dump(i) for i in _run(paged=True)])


@resource.get("/incident/count", access=READ,
              doc=Doc("Count open incidents", query=IncidentQuerySchema, response=CountResultSchema))
def count() -> ResponseReturnValue:
    return jsonify({"count": len(_run(paged=False))})


@resource.get("/incident/<incident_id>", access=READ, doc=Doc("An incident", response=IncidentSchema))
def get(incident_id: str) -> ResponseReturnValue:
    return jsonify(incident_schema.dump(_visible_incident(incident_id)))


def _visible_incident(incident_id: str) -> inc.IncidentView:
    view = inc.get_incident(ops(), incident_id)
    allowed = tenant_predicate()
    if allowed is not None and not allowed(view.tenant_id):
        from service.ops.access import forbidden
        raise forbidden("this incident")
    return view


@resource.delete("/incident/<incident_id>", access=WRITE,
                 doc=Doc("Resolve an incident (only custom incidents; refused here)", status=204))
def resolve(incident_id: str) -> ResponseReturnValue:
    """Camunda resolves only custom incidents this way; ours come from external tasks and timers."""
    view = _visible_incident(incident_id)
    raise RestError(400, f"Cannot resolve an incident of type {view.incident_type}: set the retries of its "
                         f"{'external task' if view.incident_type == inc.FAILED_EXTERNAL_TASK else 'job'} instead",
                    "BadUserRequestException")


__all__ = ["bp", "IncidentQuerySchema", "IncidentSchema"]


class AnnotationSchema(Schema):
    annotation = fields.String(required=True, allow_none=True, validate=validate.Length(max=4000))


annotation_schema = AnnotationSchema()


@resource.put("/incident/<incident_id>/annotation", access=WRITE,
              doc=Doc("Annotate an incident", body=AnnotationSchema, body_required=True, status=204))
def annotate(incident_id: str) -> ResponseReturnValue:
    from .operator import require_operator, user_id
    from .queries import load_body

    require_operator()
    _visible_incident(incident_id)
    inc.set_annotation(ops(), incident_id, load_body(annotation_schema, required=True)["annotation"], user=user_id())
    return "", 204


@resource.delete("/incident/<incident_id>/annotation", access=WRITE,
                 doc=Doc("Clear an incident's annotation", status=204))
def clear_annotation(incident_id: str) -> ResponseReturnValue:
    from .operator import require_operator, user_id

    require_operator()
    _visible_incident(incident_id)
    inc.set_annotation(ops(), incident_id, None, user=user_id())
    return "", 204
