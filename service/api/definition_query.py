"""Process and decision definitions beyond the first surface: queries with Camunda's filters and
count, the deployed XML, start forms (form-variables, startForm, submit-form)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields

from service import ops as operations
from service.ops import definitions as dq
from service.ops.tasks import select_form_values

from .access import apply_tenant_filter
from .common import arg_list, ops
from .definitions_json import decision_schema, process_schema
from .process_instance import instance_json
from .queries import QuerySchema, flag, integer, load_body, read_query, string, strings
from .variables import variables_to_plain, variables_to_typed

bp = Blueprint("rest_definition_query", __name__)


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
    tenant_ids = strings("tenantIdIn")
    without_tenant = flag("withoutTenantId")
    include_without_tenant = flag("includeProcessDefinitionsWithoutTenantId")
    suspended = flag("suspended")
    active = flag("active")


class DecisionQuerySchema(DefinitionQuerySchema):
    id = string("decisionDefinitionId")
    ids = strings("decisionDefinitionIdIn")
    include_without_tenant = flag("includeDecisionDefinitionsWithoutTenantId")


class XmlSchema(Schema):
    id = fields.String()
    bpmn20Xml = fields.String()


class DmnXmlSchema(Schema):
    id = fields.String()
    dmnXml = fields.String()


class StartFormSchema(Schema):
    key = fields.String(allow_none=True)
    contextPath = fields.String(allow_none=True)
    camundaFormRef = fields.Dict(allow_none=True)


class SubmitFormSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    businessKey = fields.String(load_default=None, allow_none=True)


process_query_schema = DefinitionQuerySchema()
decision_query_schema = DecisionQuerySchema()
submit_schema = SubmitFormSchema()


def _query(schema: QuerySchema) -> dq.DefinitionQuery | None:
    values = read_query(schema)
    scope = apply_tenant_filter(values.pop("tenant_ids"), without_tenant=values.pop("without_tenant"),
                                include_without_tenant=values.pop("include_without_tenant"))
    if scope.empty:
        return None
    return dq.DefinitionQuery(**values, **scope.three_way())


def _list(kind: str, schema: QuerySchema, out: Schema) -> ResponseReturnValue:
    q = _query(schema)
    return jsonify([out.dump(v) for v in (dq.query_definitions(ops(), kind, q) if q is not None else [])])


def _count(kind: str, schema: QuerySchema) -> ResponseReturnValue:
    q = _query(schema)
    return jsonify({"count": dq.count_definitions(ops(), kind, q) if q is not None else 0})


@bp.get("/process-definition")
def list_processes() -> ResponseReturnValue:
    return _list("process", process_query_schema, process_schema)


@bp.get("/process-definition/count")
def count_processes() -> ResponseReturnValue:
    return _count("process", process_query_schema)


@bp.get("/decision-definition")
def list_decisions() -> ResponseReturnValue:
    return _list("decision", decision_query_schema, decision_schema)


@bp.get("/decision-definition/count")
def count_decisions() -> ResponseReturnValue:
    return _count("decision", decision_query_schema)


def _process_xml(**where: Any) -> ResponseReturnValue:
    view, xml = dq.definition_xml(ops(), "process", **where)
    return jsonify({"id": view.id, "bpmn20Xml": xml})


def _decision_xml(**where: Any) -> ResponseReturnValue:
    view, xml = dq.definition_xml(ops(), "decision", **where)
    return jsonify({"id": view.id, "dmnXml": xml})


@bp.get("/process-definition/<definition_id>/xml")
def process_xml(definition_id: str) -> ResponseReturnValue:
    return _process_xml(definition_id=definition_id)


@bp.get("/process-definition/key/<key>/xml")
def process_xml_by_key(key: str) -> ResponseReturnValue:
    return _process_xml(key=key)


@bp.get("/process-definition/key/<key>/tenant-id/<tenant>/xml")
def process_xml_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _process_xml(key=key, tenant=tenant)


@bp.get("/decision-definition/<definition_id>/xml")
def decision_xml(definition_id: str) -> ResponseReturnValue:
    return _decision_xml(definition_id=definition_id)


@bp.get("/decision-definition/key/<key>/xml")
def decision_xml_by_key(key: str) -> ResponseReturnValue:
    return _decision_xml(key=key)


@bp.get("/decision-definition/key/<key>/tenant-id/<tenant>/xml")
def decision_xml_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _decision_xml(key=key, tenant=tenant)


@bp.get("/decision-definition/key/<key>/tenant-id/<tenant>")
def decision_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return jsonify(decision_schema.dump(operations.get_definition(ops(), "decision", key=key, tenant=tenant)))


def _start_form(**where: Any) -> ResponseReturnValue:
    form = dq.start_form(ops(), **where)
    ref = {"key": form.form_ref, "binding": "latest", "version": None} if form.form_ref else None
    return jsonify({"key": form.form_key, "contextPath": None, "camundaFormRef": ref})


def _form_variables(**where: Any) -> ResponseReturnValue:
    form = dq.start_form(ops(), **where)
    return jsonify(variables_to_typed(select_form_values(form.fields, {}, arg_list("variableNames"))))


def _submit(**where: Any) -> ResponseReturnValue:
    body = load_body(submit_schema)
    view = operations.start_instance(ops(), variables=variables_to_plain(body["variables"]),
                                     business_key=body["businessKey"], user=_user(), **where)
    return jsonify(instance_json(view))


def _user() -> str | None:
    from flask import g
    p = getattr(g, "rest_principal", None)
    return p.user_id if p is not None else None


@bp.get("/process-definition/<definition_id>/startForm")
def start_form(definition_id: str) -> ResponseReturnValue:
    return _start_form(definition_id=definition_id)


@bp.get("/process-definition/key/<key>/startForm")
def start_form_by_key(key: str) -> ResponseReturnValue:
    return _start_form(key=key)


@bp.get("/process-definition/key/<key>/tenant-id/<tenant>/startForm")
def start_form_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _start_form(key=key, tenant=tenant)


@bp.get("/process-definition/<definition_id>/form-variables")
def form_variables(definition_id: str) -> ResponseReturnValue:
    return _form_variables(definition_id=definition_id)


@bp.get("/process-definition/key/<key>/form-variables")
def form_variables_by_key(key: str) -> ResponseReturnValue:
    return _form_variables(key=key)


@bp.get("/process-definition/key/<key>/tenant-id/<tenant>/form-variables")
def form_variables_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _form_variables(key=key, tenant=tenant)


@bp.post("/process-definition/<definition_id>/submit-form")
def submit_form(definition_id: str) -> ResponseReturnValue:
    return _submit(definition_id=definition_id)


@bp.post("/process-definition/key/<key>/submit-form")
def submit_form_by_key(key: str) -> ResponseReturnValue:
    return _submit(key=key)


@bp.post("/process-definition/key/<key>/tenant-id/<tenant>/submit-form")
def submit_form_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _submit(key=key, tenant=tenant)


__all__ = ["bp", "DefinitionQuerySchema", "DecisionQuerySchema", "SubmitFormSchema", "XmlSchema", "DmnXmlSchema",
           "StartFormSchema"]
