"""Process definitions: queries and count, one definition by id, key or key + tenant, its deployed XML,
the start form (startForm, form-variables), and starting an instance (start, submit-form)."""
from __future__ import annotations

from typing import Any

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields

from service import ops as operations
from service.ops import definitions as definition_ops
from service.ops.tasks import select_form_values

from .common import arg_list, load, ops
from .definitions import DefinitionQuerySchema, ProcessDefinitionSchema, process_schema, read_definition_query
from .openapi import CountResultSchema
from .process_instance import ProcessInstanceSchema, instance_json
from .queries import load_body
from .routes import READ, START, Doc, Resource
from .variables import VALUE_PARAMS, variables_to_plain, variables_to_typed

resource = Resource("rest_process_definition", __name__)
bp = resource.bp


class StartSchema(Schema):
    class Meta:
        unknown = EXCLUDE     # Camunda ignores fields it does not use (startInstructions, caseInstanceId...)

    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    businessKey = fields.String(load_default=None, allow_none=True)
    withVariablesInReturn = fields.Boolean(load_default=False)


class SubmitFormSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    businessKey = fields.String(load_default=None, allow_none=True)


class XmlSchema(Schema):
    id = fields.String()
    bpmn20Xml = fields.String()


class StartFormSchema(Schema):
    key = fields.String(allow_none=True)
    contextPath = fields.String(allow_none=True)
    camundaFormRef = fields.Dict(allow_none=True)


query_schema = DefinitionQuerySchema()
start_schema = StartSchema()
submit_schema = SubmitFormSchema()

# The three ways Camunda names a definition in a path.
BY_ID = "/process-definition/<definition_id>"
BY_KEY = "/process-definition/key/<key>"
BY_KEY_TENANT = "/process-definition/key/<key>/tenant-id/<tenant>"


def _user() -> str | None:
    p = getattr(g, "rest_principal", None)
    return p.user_id if p is not None else None


@resource.get("/process-definition", access=READ, doc=Doc("Query process definitions", query=DefinitionQuerySchema,
                                                          response=ProcessDefinitionSchema, many=True))
def list_() -> ResponseReturnValue:
    q = read_definition_query(query_schema)
    return jsonify([process_schema.dump(v)
                    for v in (definition_ops.query_definitions(ops(), "process", q) if q is not None else [])])


@resource.get("/process-definition/count", access=READ,
              doc=Doc("Count process definitions", query=DefinitionQuerySchema, response=CountResultSchema))
def count() -> ResponseReturnValue:
    q = read_definition_query(query_schema)
    return jsonify({"count": definition_ops.count_definitions(ops(), "process", q) if q is not None else 0})


@resource.get(BY_ID, access=READ, doc=Doc("A process definition", response=ProcessDefinitionSchema))
def get_by_id(definition_id: str) -> ResponseReturnValue:
    return jsonify(process_schema.dump(operations.get_definition(ops(), "process", definition_id=definition_id)))


@resource.get(BY_KEY, access=READ, doc=Doc("Latest process definition of a key", response=ProcessDefinitionSchema))
def get_by_key(key: str) -> ResponseReturnValue:
    return jsonify(process_schema.dump(operations.get_definition(ops(), "process", key=key)))


@resource.get(BY_KEY_TENANT, access=READ)
def get_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return jsonify(process_schema.dump(operations.get_definition(ops(), "process", key=key, tenant=tenant)))


def _start(*, key: str | None = None, definition_id: str | None = None,
           tenant: str | None = None) -> ResponseReturnValue:
    body = load(start_schema)
    view = operations.start_instance(ops(), key=key, definition_id=definition_id, tenant=tenant,
                                     variables=variables_to_plain(body["variables"]),
                                     business_key=body["businessKey"],
                                     with_variables=body["withVariablesInReturn"], user=_user())
    return jsonify(instance_json(view, variables=view.variables if body["withVariablesInReturn"] else None))


@resource.post(BY_ID + "/start", access=START,
               doc=Doc("Start a process definition", body=StartSchema, response=ProcessInstanceSchema))
def start_by_id(definition_id: str) -> ResponseReturnValue:
    return _start(definition_id=definition_id)


@resource.post(BY_KEY + "/start", access=START,
               doc=Doc("Start the latest version of a key", body=StartSchema, response=ProcessInstanceSchema))
def start_by_key(key: str) -> ResponseReturnValue:
    return _start(key=key)


@resource.post(BY_KEY_TENANT + "/start", access=START, doc=Doc(
    "Start the latest version of a key in a tenant", body=StartSchema, response=ProcessInstanceSchema))
def start_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _start(key=key, tenant=tenant)


def _xml(**where: Any) -> ResponseReturnValue:
    view, xml = definition_ops.definition_xml(ops(), "process", **where)
    return jsonify({"id": view.id, "bpmn20Xml": xml})


@resource.get(BY_ID + "/xml", access=READ)
def xml(definition_id: str) -> ResponseReturnValue:
    return _xml(definition_id=definition_id)


@resource.get(BY_KEY + "/xml", access=READ)
def xml_by_key(key: str) -> ResponseReturnValue:
    return _xml(key=key)


@resource.get(BY_KEY_TENANT + "/xml", access=READ)
def xml_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _xml(key=key, tenant=tenant)


def _start_form(**where: Any) -> ResponseReturnValue:
    form = definition_ops.start_form(ops(), **where)
    ref = {"key": form.form_ref, "binding": "latest", "version": None} if form.form_ref else None
    return jsonify({"key": form.form_key, "contextPath": None, "camundaFormRef": ref})


@resource.get(BY_ID + "/startForm", access=READ)
def start_form(definition_id: str) -> ResponseReturnValue:
    return _start_form(definition_id=definition_id)


@resource.get(BY_KEY + "/startForm", access=READ)
def start_form_by_key(key: str) -> ResponseReturnValue:
    return _start_form(key=key)


@resource.get(BY_KEY_TENANT + "/startForm", access=READ)
def start_form_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _start_form(key=key, tenant=tenant)


def _form_variables(**where: Any) -> ResponseReturnValue:
    form = definition_ops.start_form(ops(), **where)
    return jsonify(variables_to_typed(select_form_values(form.fields, {}, arg_list("variableNames"))))


FORM_VARIABLE_PARAMS = ("variableNames", *VALUE_PARAMS)


@resource.get(BY_ID + "/form-variables", access=READ, params=FORM_VARIABLE_PARAMS)
def form_variables(definition_id: str) -> ResponseReturnValue:
    return _form_variables(definition_id=definition_id)


@resource.get(BY_KEY + "/form-variables", access=READ, params=FORM_VARIABLE_PARAMS)
def form_variables_by_key(key: str) -> ResponseReturnValue:
    return _form_variables(key=key)


@resource.get(BY_KEY_TENANT + "/form-variables", access=READ, params=FORM_VARIABLE_PARAMS)
def form_variables_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _form_variables(key=key, tenant=tenant)


def _submit(**where: Any) -> ResponseReturnValue:
    body = load_body(submit_schema)
    view = operations.start_instance(ops(), variables=variables_to_plain(body["variables"]),
                                     business_key=body["businessKey"], user=_user(), **where)
    return jsonify(instance_json(view))


_SUBMIT_DOC = Doc("Start by submitting the start form", body=SubmitFormSchema, response=ProcessInstanceSchema)


@resource.post(BY_ID + "/submit-form", access=START, doc=_SUBMIT_DOC)
def submit_form(definition_id: str) -> ResponseReturnValue:
    return _submit(definition_id=definition_id)


@resource.post(BY_KEY + "/submit-form", access=START, doc=_SUBMIT_DOC)
def submit_form_by_key(key: str) -> ResponseReturnValue:
    return _submit(key=key)


@resource.post(BY_KEY_TENANT + "/submit-form", access=START, doc=_SUBMIT_DOC)
def submit_form_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _submit(key=key, tenant=tenant)


__all__ = ["bp", "resource", "StartSchema", "SubmitFormSchema", "XmlSchema", "StartFormSchema"]
