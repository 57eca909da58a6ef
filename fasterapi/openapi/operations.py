"""Routes → `paths`: each method of a route is an operation, described as FastAPI does.

An operation has its `tags`, `summary` (the handler's name in words unless given),
`description` (the docstring unless given), `operationId`, `deprecated`, `parameters`
(path, query, header, cookie, in declaration order), a `requestBody` for the methods that
may carry one, and its `responses`: the success status with what the response class
sends, and FastAPI's 422 when the route validates anything.
"""

from __future__ import annotations

import inspect
import re
from typing import TYPE_CHECKING, Any

from fasterapi import params
from fasterapi.openapi.schemas import (
    OMITTED,
    REF_PREFIX,
    Components,
    FieldNotes,
    is_class_like,
    title_from_name,
)
from fasterapi.responses import JSONResponse

if TYPE_CHECKING:
    from fasterapi.routing import Route
    from fasterapi.signature import ParamSpec

# FastAPI documents a body for GET and HEAD too, when the handler takes one.
METHODS_WITH_BODY = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"})
_PARAMETER_SOURCES = ("path", "query", "header", "cookie")
# Starlette's path parameters: `{name}` or `{name:converter}`, written `{name}` in paths.
_PATH_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(:[a-zA-Z_][a-zA-Z0-9_]*)?}")
_JSON = "application/json"

VALIDATION_ERROR_RESPONSE = {
    "description": "Validation Error",
    "content": {_JSON: {"schema": {"$ref": REF_PREFIX + "HTTPValidationError"}}},
}
# The schemas of FastAPI's 422 body (`{"detail": [{"loc", "msg", "type", ...}]}`).
VALIDATION_ERROR_SCHEMAS: dict[str, Any] = {
    "ValidationError": {
        "title": "ValidationError",
        "type": "object",
        "properties": {
            "loc": {
                "title": "Location",
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            },
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
            "input": {"title": "Input"},
            "ctx": {"title": "Context", "type": "object"},
        },
        "required": ["loc", "msg", "type"],
    },
    "HTTPValidationError": {
        "title": "HTTPValidationError",
        "type": "object",
        "properties": {
            "detail": {
                "title": "Detail",
                "type": "array",
                "items": {"$ref": REF_PREFIX + "ValidationError"},
            }
        },
    },
}


def path_format(path: str) -> str:
    """The path as OpenAPI writes it: `/files/{name:path}` → `/files/{name}`."""
    return _PATH_PARAM.sub(r"{\1}", path)


def fastapi_methods(methods: tuple[str, ...], *, included: bool) -> list[str]:
    """The route's methods in the order FastAPI goes through them.

    FastAPI keeps a route's methods in a set, and a route of an included router gets a
    set built again from its router's set: the order (and the method that names the
    operation) follows the process's string hashes. Building the same sets in the same
    order gives what FastAPI gives in this process.
    """
    ordered: Any = methods
    for _ in range(2 if included else 1):
        rebuilt: set[str] = set()
        for method in ordered:
            rebuilt.add(method.upper())
        ordered = rebuilt
    return list(ordered)


def route_operations(
    route: Route, components: Components, *, included: bool
) -> tuple[str, dict[str, Any], bool]:
    """The route's path as written in `paths`, its operations by method, and whether
    they answer FastAPI's 422 (whose schemas the document then needs)."""
    path = path_format(route.path)
    methods = fastapi_methods(route.methods, included=included)
    unique_id = route.operation_id or _unique_id(route.name or "", path, methods[0])
    operations = {}
    validates = False
    for method in methods:
        operation = _metadata(route, unique_id)
        parameters = _parameters(route, components)
        if parameters:
            operation["parameters"] = parameters
        if method in METHODS_WITH_BODY:
            body = _request_body(route, components, unique_id)
            if body is not None:
                operation["requestBody"] = body
        responses = _success_responses(route)
        if route.params and not any(key in responses for key in ("422", "4XX", "default")):
            responses["422"] = VALIDATION_ERROR_RESPONSE
            validates = True
        operation["responses"] = responses
        operations[method.lower()] = operation
    return path, operations, validates


def _unique_id(name: str, path: str, method: str) -> str:
    """FastAPI's default operation id: `read_item_items__item_id__get`."""
    return re.sub(r"\W", "_", name + path) + "_" + method.lower()


def _metadata(route: Route, unique_id: str) -> dict[str, Any]:
    operation: dict[str, Any] = {}
    if route.tags:
        operation["tags"] = list(route.tags)
    operation["summary"] = route.summary or (route.name or "").replace("_", " ").title()
    if route.description:
        operation["description"] = route.description
    operation["operationId"] = unique_id
    if route.deprecated:
        operation["deprecated"] = route.deprecated
    return operation


def _parameters(route: Route, components: Components) -> list[dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    required: dict[tuple[str, str], dict[str, Any]] = {}
    for source in _PARAMETER_SOURCES:
        for spec in route.params:
            if spec.source != source:
                continue
            if spec.marker is not None and not spec.marker.include_in_schema:
                # Left out of the operation, but its classes are still components.
                components.type_schema(spec.schema)
                continue
            parameter = _parameter(route, spec, components)
            key = (source, spec.alias)
            found[key] = parameter
            if spec.required:
                required[key] = parameter
    # A required declaration wins over an optional one of the same name, as in FastAPI.
    found.update(required)
    return list(found.values())


def _parameter(route: Route, spec: ParamSpec, components: Components) -> dict[str, Any]:
    notes = FieldNotes.of(spec.marker)
    schema = components.field_schema(spec.schema, notes, _default(route, spec))
    if "$ref" not in schema:
        schema["title"] = notes.title or _fastapi_title(spec)
    parameter: dict[str, Any] = {
        "name": _documented_name(spec),
        "in": spec.source,
        "required": spec.required,
        "schema": schema,
    }
    if notes.description:
        parameter["description"] = notes.description
    if notes.deprecated:
        parameter["deprecated"] = True
    return parameter


def _request_body(route: Route, components: Components, unique_id: str) -> dict[str, Any] | None:
    specs = [spec for spec in route.params if spec.source == "body"]
    if not specs:
        return None
    if route.embed_body:
        name = f"Body_{unique_id}"
        properties = {}
        required_names = []
        for spec in specs:
            notes = FieldNotes.of(spec.marker)
            schema = components.field_schema(spec.schema, notes, _default(route, spec))
            if not is_class_like(spec.schema):
                schema.setdefault("title", title_from_name(spec.alias))
            properties[spec.alias] = schema
            if spec.required:
                required_names.append(spec.alias)
        components.add_body(name, properties, required_names)
        schema = {"$ref": REF_PREFIX + name}
        required = bool(required_names)
        media_types = {_media_type(spec) for spec in specs}
        media_type = media_types.pop() if len(media_types) == 1 else _JSON
    else:
        (spec,) = specs
        notes = FieldNotes.of(spec.marker)
        schema = components.field_schema(spec.schema, notes, _default(route, spec))
        if "$ref" not in schema:
            schema["title"] = notes.title or _fastapi_title(spec)
        required = spec.required
        media_type = _media_type(spec)
    body: dict[str, Any] = {}
    if required:
        body["required"] = True
    body["content"] = {media_type: {"schema": schema}}
    return body


def _documented_name(spec: ParamSpec) -> str:
    """The name FastAPI's document gives a parameter. A header whose alias equals its name
    (`Header(alias="x_token")` on `x_token`) is read as `x_token` but documented as
    `x-token`: FastAPI's validation and its document disagree there, and we copy both."""
    marker = spec.marker
    if isinstance(marker, params.Header) and marker.convert_underscores and spec.alias == spec.name:
        return spec.alias.replace("_", "-")
    return spec.alias


def _fastapi_title(spec: ParamSpec) -> str:
    """FastAPI's title for a parameter, from its alias as given (a header's converted
    name when none is: `x_token` → `x-token` → "X-Token"), not stripped."""
    alias = spec.marker.alias if spec.marker is not None and spec.marker.alias else spec.alias
    return alias.title().replace("_", " ")


def _media_type(spec: ParamSpec) -> str:
    return spec.marker.media_type if isinstance(spec.marker, params.Body) else _JSON


def _default(route: Route, spec: ParamSpec) -> Any:
    """The parameter's default as the handler declares it (`OMITTED` when required)."""
    if spec.required:
        return OMITTED
    if spec.default_from_marker and spec.marker is not None:
        return spec.marker.default
    parameter = inspect.signature(route.function).parameters.get(spec.name)
    if parameter is None or parameter.default is parameter.empty:
        return OMITTED
    return parameter.default


def _success_responses(route: Route) -> dict[str, Any]:
    response_class = route.response_class or JSONResponse
    status = route.status_code
    if status is None:
        status = _default_status(response_class)
    response: dict[str, Any] = {"description": "Successful Response"}
    if _body_allowed(route.status_code) and response_class.media_type:
        # FastAPI documents no model for a returned value: any JSON, or a string.
        schema: dict[str, Any] = (
            {} if issubclass(response_class, JSONResponse) else {"type": "string"}
        )
        response["content"] = {response_class.media_type: {"schema": schema}}
    return {str(status): response}


def _default_status(response_class: type) -> int:
    """The status the response class sends unless told (307 for a redirect)."""
    parameter = inspect.signature(response_class.__init__).parameters.get("status_code")
    if parameter is not None and isinstance(parameter.default, int):
        return parameter.default
    return 200


def _body_allowed(status: int | None) -> bool:
    return status is None or not (status < 200 or status in (204, 205, 304))
