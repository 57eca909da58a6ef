"""The OpenAPI 3.1 document of an app, as FastAPI writes it for the same app.

Built in the main interpreter from the route table (`app.routes`): each route's methods
become operations (`fasterapi.openapi.operations`), its parameter schemas become JSON
Schema as pydantic writes it for FastAPI (`fasterapi.openapi.schemas`), and the whole is
laid out as FastAPI's last pass leaves it (`fasterapi.openapi.layout`). pydantic is
imported only for apps with pydantic-model parameters, whose components pydantic writes.

For an app both frameworks can run, `openapi_document(app)` equals FastAPI's
`app.openapi()`, key order included (tests/test_openapi_differential.py).
"""

from __future__ import annotations

from typing import Any

from fasterapi.openapi.layout import fastapi_layout
from fasterapi.openapi.operations import VALIDATION_ERROR_SCHEMAS, route_operations
from fasterapi.openapi.schemas import Components

__all__ = ["openapi_document"]

# What FastAPI puts in `info`, from its app arguments: (document key, app attribute).
_INFO = (
    ("summary", "summary"),
    ("description", "description"),
    ("termsOfService", "terms_of_service"),
    ("contact", "contact"),
    ("license", "license_info"),
)


def openapi_document(app: Any) -> dict[str, Any]:
    """The OpenAPI document of `app` (a `FasterAPI` app), as a dict ready for `json.dumps`.

    Reads the app's `title`, `version` and, when it has them, `openapi_version`,
    `summary`, `description`, `terms_of_service`, `contact`, `license_info`, `servers`,
    `openapi_tags` and `openapi_external_docs`, as FastAPI's arguments of those names.
    """
    components = Components()
    paths: dict[str, dict[str, Any]] = {}
    validates = False
    # Routes declared on the app itself; the others come from included routers.
    own = {id(entry) for entry in getattr(app, "_entries", ())}
    for route in app.routes:
        if not route.include_in_schema:
            continue
        path, operations, route_validates = route_operations(
            route, components, included=id(route) not in own
        )
        paths.setdefault(path, {}).update(operations)
        validates = validates or route_validates
    definitions = components.definitions()
    if validates:
        definitions.update(VALIDATION_ERROR_SCHEMAS)

    info: dict[str, Any] = {"title": app.title, "version": app.version}
    for key, name in _INFO:
        value = getattr(app, name, None)
        if value:
            info[key] = value
    document: dict[str, Any] = {
        "openapi": getattr(app, "openapi_version", None) or "3.1.0",
        "info": info,
    }
    servers = getattr(app, "servers", None)
    if servers:
        document["servers"] = servers
    if definitions:
        document["components"] = {
            "schemas": {name: definitions[name] for name in sorted(definitions)}
        }
    document["paths"] = paths
    tags = getattr(app, "openapi_tags", None)
    if tags:
        document["tags"] = tags
    external_docs = getattr(app, "openapi_external_docs", None)
    if external_docs:
        document["externalDocs"] = external_docs
    return fastapi_layout(components.resolve(document))
