"""GET /engine: the engines this REST API serves (Camunda clients call it to pick an engine name)."""
from __future__ import annotations

from typing import Any, Callable, Iterable, cast

from flask import Flask, jsonify
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from .routes import OPEN, Doc, Resource

ENGINE_NAME = "default"

resource = Resource("rest_engine", __name__)
bp = resource.bp


class EngineSchema(Schema):
    name = fields.String()


class EnginePathMiddleware:
    """Camunda also serves every resource under `/engine-rest/engine/{name}/...` (the JavaScript SDK
    and older clients use it): the default engine's paths are rewritten to the plain ones."""

    def __init__(self, app: Callable[..., Iterable[bytes]], prefix: str) -> None:
        self.app = app
        self.named = f"{prefix}/engine/{ENGINE_NAME}/"

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.named):
            environ["PATH_INFO"] = self.named.split("/engine/", 1)[0] + "/" + path[len(self.named):]
        return self.app(environ, start_response)


def install_engine_paths(state: BlueprintSetupState) -> None:
    prefix = state.url_prefix or "/engine-rest"
    app = cast(Flask, state.app)    # blueprints are registered on a Flask app, which has wsgi_app
    app.wsgi_app = EnginePathMiddleware(app.wsgi_app, prefix)  # type: ignore[method-assign]


@resource.get("/engine", access=OPEN, doc=Doc("Engines served", response=EngineSchema, many=True))
def engines() -> ResponseReturnValue:
    return jsonify([{"name": ENGINE_NAME}])
