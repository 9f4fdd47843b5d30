"""The Camunda 7 compatible REST API under /engine-rest: one module per resource, each holding its
routes, schemas, access rules and OpenAPI descriptions (see `routes.Resource`), registered here."""
from __future__ import annotations

from flask import Blueprint, Response, request

from . import (auth, decision_definition, deployment, engine, external_task, history, incident, job, message,
               openapi, process_definition, process_instance, signal, task, version)
from . import batch, definition_suspension, instance_operations, migration, operation_log
from .access import check_request
from .content_type import require_declared_content_type
from .errors import register_error_handlers
from .json_guard import reject_unstorable_json
from .params import check_query_parameters
from .request_guard import reject_nul
from .routes import Resource

URL_PREFIX = "/engine-rest"

RESOURCES: tuple[Resource, ...] = (
    engine.resource, version.resource, openapi.resource, deployment.resource, process_definition.resource,
    decision_definition.resource, process_instance.resource, task.resource, message.resource, signal.resource,
    external_task.resource, job.resource, incident.resource, history.resource,
    # operator actions (issue 14)
    instance_operations.resource, definition_suspension.resource, migration.resource, batch.resource,
    operation_log.resource,
)


def create_blueprint() -> Blueprint:
    """A fresh /engine-rest blueprint with every resource, authentication, authorization and errors."""
    api = Blueprint("engine_rest", __name__, url_prefix=URL_PREFIX)
    for resource in RESOURCES:
        api.register_blueprint(resource.bp)
    api.record_once(engine.install_engine_paths)
    api.before_request(require_declared_content_type)
    api.before_request(reject_nul)
    api.before_request(reject_unstorable_json)
    auth.install(api)
    api.before_request(check_request)
    api.before_request(check_query_parameters)
    api.after_request(_wake_workers)
    register_error_handlers(api)
    return api


def _wake_workers(response: Response) -> Response:
    # Any successful change may have created external tasks (start, complete, correlate...).
    if request.method in ("POST", "PUT", "DELETE") and response.status_code < 400:
        external_task.notify_new_work()
    return response


__all__ = ["create_blueprint", "URL_PREFIX", "RESOURCES"]
