"""The issue 6 resources of /engine-rest and the hooks that apply to the whole API (authentication,
authorization, waking long-polling workers). `register_extensions(api)` is called by
`create_blueprint` before the first surface's resources: where both answer the same path (the task,
instance and definition queries, task completion, resource data) these fuller versions answer."""
from __future__ import annotations

from flask import Blueprint, Response, request


def register_extensions(api: Blueprint) -> None:
    from . import (auth, definition_query, deployment_query, engine, external_task, history, incident, job, openapi,
                   process_instance_query, signal, task_query)
    from .access import check_request
    from .request_guard import reject_nul

    for module in (engine, openapi, deployment_query, definition_query, process_instance_query, task_query,
                   external_task, incident, history, job, signal):
        api.register_blueprint(module.bp)
    api.record_once(engine.install_engine_paths)
    api.before_request(reject_nul)
    auth.install(api)
    api.before_request(check_request)

    @api.after_request
    def _wake_workers(response: Response) -> Response:
        # Any successful change may have created external tasks (start, complete, correlate...).
        if request.method in ("POST", "PUT", "DELETE") and response.status_code < 400:
            external_task.notify_new_work()
        return response


__all__ = ["register_extensions"]
