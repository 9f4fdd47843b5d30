"""GET /engine-rest/openapi.json: an OpenAPI 3 document built from the app's routes and the
marshmallow schemas that validate their requests (apispec + its marshmallow plugin).

Every /engine-rest route is listed. Routes with a known schema describe their query parameters,
JSON body and response; the others still list their path parameters and Camunda's error body.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

bp = Blueprint("rest_openapi", __name__)

_CONVERTER = re.compile(r"<(?:[a-z_]+:)?([a-zA-Z_][a-zA-Z0-9_]*)>")


class ExceptionSchema(Schema):
    type = fields.String(required=True)
    message = fields.String(required=True)


class CountResultSchema(Schema):
    count = fields.Integer(required=True)


class VersionSchema(Schema):
    version = fields.String()


class EngineSchema(Schema):
    name = fields.String()


class TypedValueSchema(Schema):
    value = fields.Raw(allow_none=True)
    type = fields.String(allow_none=True)
    valueInfo = fields.Dict(allow_none=True)


@dataclass(frozen=True)
class Doc:
    summary: str
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    response: type[Schema] | None = None
    many: bool = False
    status: int = 200
    multipart: bool = False
    body_required: bool = False


def _docs() -> dict[str, Doc]:
    """endpoint suffix (blueprint.function) -> documentation."""
    from . import (decision_definition, definition_query, deployment_query, external_task, history,
                   incident, job, message, process_definition, process_instance, process_instance_query, signal,
                   task, task_query)
    from .definitions_json import DecisionDefinitionSchema, ProcessDefinitionSchema

    h = history
    d: dict[str, Doc] = {
        "rest_engine.engines": Doc("Engines served", response=EngineSchema, many=True),
        "rest_version.version": Doc("Camunda REST version imitated", response=VersionSchema),
        "rest_deployment.create": Doc("Deploy BPMN/DMN/form resources (multipart)", multipart=True,
                                      response=deployment_query.DeploymentSchema),
        "rest_deployment.get": Doc("A deployment", response=deployment_query.DeploymentSchema),
        "rest_deployment_query.list_": Doc("Query deployments", query=deployment_query.DeploymentQuerySchema,
                                           response=deployment_query.DeploymentSchema, many=True),
        "rest_deployment_query.count": Doc("Count deployments", query=deployment_query.DeploymentQuerySchema,
                                           response=CountResultSchema),
        "rest_deployment_query.resources": Doc("Resources of a deployment",
                                               response=deployment_query.ResourceSchema, many=True),
        "rest_deployment_query.resource": Doc("One resource", response=deployment_query.ResourceSchema),
        "rest_deployment_query.resource_data": Doc("The bytes of a resource"),
        "rest_deployment_query.delete": Doc("Delete a deployment (cascade=true with its instances)", status=204),
        "rest_definition_query.list_processes": Doc("Query process definitions",
                                                    query=definition_query.DefinitionQuerySchema,
                                                    response=ProcessDefinitionSchema, many=True),
        "rest_definition_query.count_processes": Doc("Count process definitions",
                                                     query=definition_query.DefinitionQuerySchema,
                                                     response=CountResultSchema),
        "rest_definition_query.list_decisions": Doc("Query decision definitions",
                                                    query=definition_query.DecisionQuerySchema,
                                                    response=DecisionDefinitionSchema, many=True),
        "rest_definition_query.count_decisions": Doc("Count decision definitions",
                                                     query=definition_query.DecisionQuerySchema,
                                                     response=CountResultSchema),
        "rest_process_definition.get_by_id": Doc("A process definition", response=ProcessDefinitionSchema),
        "rest_process_definition.get_by_key": Doc("Latest process definition of a key",
                                                  response=ProcessDefinitionSchema),
        "rest_decision_definition.get_by_id": Doc("A decision definition", response=DecisionDefinitionSchema),
        "rest_decision_definition.get_by_key": Doc("Latest decision definition of a key",
                                                   response=DecisionDefinitionSchema),
        "rest_decision_definition.evaluate_by_key": Doc("Evaluate a decision",
                                                        body=decision_definition.EvaluateSchema),
        "rest_decision_definition.evaluate_by_key_tenant": Doc("Evaluate a decision of a tenant",
                                                               body=decision_definition.EvaluateSchema),
        "rest_decision_definition.evaluate_by_id": Doc("Evaluate a decision", body=decision_definition.EvaluateSchema),
        "rest_message.correlate": Doc("Correlate a message", body=message.CorrelateSchema, body_required=True),
        "rest_process_instance_query.list_": Doc("Query process instances",
                                                 query=process_instance_query.InstanceQuerySchema,
                                                 response=process_instance.ProcessInstanceSchema, many=True),
        "rest_process_instance_query.count": Doc("Count process instances",
                                                 query=process_instance_query.InstanceQuerySchema,
                                                 response=CountResultSchema),
        "rest_process_instance_query.put_variable": Doc("Set a variable", status=204, body_required=True,
                                                        body=process_instance_query.VariableValueSchema),
        "rest_process_instance_query.delete_variable": Doc("Remove a variable", status=204),
        "rest_process_instance.get": Doc("A process instance", response=process_instance.ProcessInstanceSchema),
        "rest_process_instance.delete": Doc("Cancel a process instance", status=204),
        "rest_task_query.list_": Doc("Query tasks", query=task_query.TaskQuerySchema, response=task.TaskSchema,
                                     many=True),
        "rest_task_query.count": Doc("Count tasks", query=task_query.TaskQuerySchema, response=CountResultSchema),
        "rest_task_query.complete": Doc("Complete a task", body=task_query.CompleteSchema, status=204),
        "rest_task_query.submit_form": Doc("Submit a task form", body=task_query.CompleteSchema, status=204),
        "rest_task_query.form": Doc("Form of a task", response=task_query.TaskFormSchema),
        "rest_task_query.modify_variables": Doc("Modify variables seen by a task",
                                                body=task_query.ModificationsSchema, status=204),
        "rest_task_query.put_variable": Doc("Set a variable from a task", body=task_query.VariableValueSchema,
                                            status=204, body_required=True),
        "rest_task_query.add_identity_link": Doc("Add an identity link", body=task_query.IdentityLinkSchema,
                                                 status=204, body_required=True),
        "rest_task_query.delete_identity_link": Doc("Delete an identity link", body=task_query.IdentityLinkSchema,
                                                    status=204, body_required=True),
        "rest_task.get": Doc("A task", response=task.TaskSchema),
        "rest_task.claim": Doc("Claim a task", body=task.UserIdSchema, status=204, body_required=True),
        "rest_task.unclaim": Doc("Unclaim a task", status=204),
        "rest_task.assignee": Doc("Set the assignee", body=task.UserIdSchema, status=204, body_required=True),
        "rest_definition_query.submit_form": Doc("Start by submitting the start form",
                                                 body=definition_query.SubmitFormSchema,
                                                 response=process_instance.ProcessInstanceSchema),
        "rest_definition_query.submit_form_by_key": Doc("Start by submitting the start form",
                                                        body=definition_query.SubmitFormSchema,
                                                        response=process_instance.ProcessInstanceSchema),
        "rest_definition_query.submit_form_by_key_tenant": Doc("Start by submitting the start form",
                                                               body=definition_query.SubmitFormSchema,
                                                               response=process_instance.ProcessInstanceSchema),
        "rest_process_definition.start_by_key": Doc("Start the latest version of a key",
                                                    body=process_definition.StartSchema,
                                                    response=process_instance.ProcessInstanceSchema),
        "rest_process_definition.start_by_key_tenant": Doc("Start the latest version of a key in a tenant",
                                                           body=process_definition.StartSchema,
                                                           response=process_instance.ProcessInstanceSchema),
        "rest_process_definition.start_by_id": Doc("Start a process definition", body=process_definition.StartSchema,
                                                   response=process_instance.ProcessInstanceSchema),
        "rest_external_task.fetch_and_lock": Doc("Fetch and lock external tasks (long polling)",
                                                 body=external_task.FetchAndLockSchema, body_required=True,
                                                 response=external_task.LockedExternalTaskSchema, many=True),
        "rest_external_task.list_": Doc("Query external tasks", query=external_task.ExternalTaskQuerySchema,
                                        response=external_task.ExternalTaskSchema, many=True),
        "rest_external_task.count": Doc("Count external tasks", query=external_task.ExternalTaskQuerySchema,
                                        response=CountResultSchema),
        "rest_external_task.get": Doc("An external task", response=external_task.ExternalTaskSchema),
        "rest_external_task.complete": Doc("Complete an external task", body=external_task.CompleteSchema,
                                           status=204, body_required=True),
        "rest_external_task.failure": Doc("Report a failure", body=external_task.FailureSchema, status=204,
                                          body_required=True),
        "rest_external_task.bpmn_error": Doc("Report a BPMN error", body=external_task.BpmnErrorSchema, status=204,
                                             body_required=True),
        "rest_external_task.extend_lock": Doc("Extend a lock", body=external_task.ExtendLockSchema, status=204,
                                              body_required=True),
        "rest_external_task.unlock": Doc("Unlock", status=204),
        "rest_external_task.retries": Doc("Set retries (resolves the incident when > 0)",
                                          body=external_task.RetriesSchema, status=204, body_required=True),
        "rest_external_task.retries_many": Doc("Set retries of several external tasks",
                                               body=external_task.RetriesManySchema, status=204, body_required=True),
        "rest_incident.resolve": Doc("Resolve an incident (only custom incidents; refused here)", status=204),
        "rest_external_task.priority": Doc("Set the priority", body=external_task.PrioritySchema, status=204,
                                           body_required=True),
        "rest_incident.list_": Doc("Open incidents", query=incident.IncidentQuerySchema,
                                   response=incident.IncidentSchema, many=True),
        "rest_incident.count": Doc("Count open incidents", query=incident.IncidentQuerySchema,
                                   response=CountResultSchema),
        "rest_incident.get": Doc("An incident", response=incident.IncidentSchema),
        "rest_job.query": Doc("Timer jobs", query=job.JobQuerySchema, response=job.JobSchema, many=True),
        "rest_job.count": Doc("Count timer jobs", query=job.JobQuerySchema, response=CountResultSchema),
        "rest_job.get": Doc("A timer job", response=job.JobSchema),
        "rest_job.set_retries": Doc("Set retries (> 0 resolves a failed timer, 0 holds it)", body=job.RetriesSchema,
                                    status=204, body_required=True),
        "rest_job.execute": Doc("Fire the timer now", status=204),
        "rest_signal.signal": Doc("Deliver a signal (catch events, boundaries, signal starts)",
                                  body=signal.SignalSchema, status=204, body_required=True),
    }
    for path, query, out in (("process_instance", h.HistoricInstanceQuerySchema, h.HistoricInstanceSchema),
                             ("activity_instance", h.HistoricActivityQuerySchema, h.HistoricActivitySchema),
                             ("task", h.HistoricTaskQuerySchema, h.HistoricTaskSchema),
                             ("variable_instance", h.HistoricVariableQuerySchema, h.HistoricVariableSchema),
                             ("decision_instance", h.HistoricDecisionQuerySchema, h.HistoricDecisionSchema)):
        d[f"rest_history.{path}_list"] = Doc(f"Historic {path.replace('_', ' ')}s", query=query, response=out,
                                             many=True)
        d[f"rest_history.{path}_count"] = Doc(f"Count historic {path.replace('_', ' ')}s", query=query,
                                              response=CountResultSchema)
    return d


def _schema_name(schema: Any) -> str:
    """Unique component names: several resources have a `CompleteSchema` or `VariableValueSchema`."""
    cls = schema if isinstance(schema, type) else type(schema)
    module = cls.__module__.rsplit(".", 1)[-1]
    name = cls.__name__.removesuffix("Schema") or cls.__name__
    prefix = "".join(part.title() for part in module.split("_"))
    return name if module == "openapi" else f"{prefix}{name}"


def build_spec(app: Any, prefix: str = "/engine-rest") -> dict[str, Any]:
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    from .version import CAMUNDA_REST_VERSION

    spec = APISpec(title="Alur engine-rest (Camunda 7 compatible)", version=CAMUNDA_REST_VERSION,
                   openapi_version="3.0.3", plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
                   info={"description": "Camunda 7 REST subset served by Alur. HTTP Basic authentication "
                                        "unless ALUR_REST_AUTH=off."},
                   servers=[{"url": prefix}])
    spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    spec.components.schema("Exception", schema=ExceptionSchema)
    docs = _docs()
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix + "/") or rule.endpoint.endswith("rest_openapi.document"):
            continue
        path = _CONVERTER.sub(r"{\1}", rule.rule[len(prefix):])
        suffix = ".".join(rule.endpoint.split(".")[-2:])
        doc = docs.get(suffix)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            # The first rule registered for a path and method is the one that answers (shadowing).
            if method.lower() not in paths.get(path, {}):
                paths.setdefault(path, {})[method.lower()] = _operation(rule, method, doc, suffix)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(rule: Any, method: str, doc: Doc | None, suffix: str) -> dict[str, Any]:
    params: list[dict[str, Any]] = [{"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                                    for name in rule.arguments]
    operation: dict[str, Any] = {"operationId": f"{suffix.replace('.', '_')}_{method.lower()}",
                                 "summary": doc.summary if doc else suffix, "parameters": params,
                                 "security": [{"basicAuth": []}]}
    if doc and doc.query is not None:
        if method == "GET":
            params.append({"in": "query", "schema": doc.query(exclude=("sorting",))})
            params.extend([{"in": "query", "name": "sortBy", "required": False, "schema": {"type": "string"}},
                           {"in": "query", "name": "sortOrder", "required": False,
                            "schema": {"type": "string", "enum": ["asc", "desc"]}}])
        else:
            operation["requestBody"] = {"content": {"application/json": {"schema": doc.query}}}
        if doc.many:
            params.extend([{"in": "query", "name": n, "required": False,
                            "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}}
                           for n in ("firstResult", "maxResults")])
    if doc and doc.body is not None and method != "GET":
        operation["requestBody"] = {"required": doc.body_required,
                                    "content": {"application/json": {"schema": doc.body}}}
    if doc and doc.multipart:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": {
                "deployment-name": {"type": "string"}, "deployment-source": {"type": "string"},
                "tenant-id": {"type": "string"}, "deploy-changed-only": {"type": "boolean"},
                "enable-duplicate-filtering": {"type": "boolean"},
                "data": {"type": "string", "format": "binary"}}}}}}
    responses: dict[str, Any] = {}
    status = doc.status if doc else 200
    if status == 204:
        responses["204"] = {"description": "No content"}
    else:
        content: dict[str, Any] = {"description": "OK"}
        if doc and doc.response is not None:
            schema: Any = doc.response
            content["content"] = {"application/json": {"schema": (
                {"type": "array", "items": schema} if doc.many else schema)}}
        responses[str(status)] = content
    error = {"content": {"application/json": {"schema": "Exception"}}}
    responses["400"] = {"description": "Invalid request", **error}
    responses["401"] = {"description": "Authentication required", **error}
    responses["403"] = {"description": "Not allowed", **error}
    responses["404"] = {"description": "Not found", **error}
    operation["responses"] = responses
    return operation


@bp.get("/openapi.json")
def document() -> ResponseReturnValue:
    cache = current_app.extensions.setdefault("alur_openapi", {})
    if "spec" not in cache:
        cache["spec"] = build_spec(current_app)
    return jsonify(cache["spec"])


__all__ = ["bp", "build_spec", "ExceptionSchema", "CountResultSchema", "TypedValueSchema"]
