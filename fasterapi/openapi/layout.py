"""The document as FastAPI's last step leaves it: the key order and value types of its
OpenAPI models, without them.

FastAPI builds the document as dicts, then validates it into its pydantic models of
OpenAPI and dumps it again (`exclude_none`). That pass

- writes every object in its model's field order (extra keys after, as they came);
- reads numeric bounds (`maximum`, `exclusiveMinimum`...) as floats, and URLs in `info`
  and `externalDocs` as pydantic's `AnyUrl` (`https://x.org` → `https://x.org/`);
- keeps a path item as the plain dict it was whenever one of its operations has
  `parameters` (the model's strict check fails on their `"in"` text, so pydantic falls
  back to `Any`): such items keep the order they were built in;
- drops every `None` value, and every key starting with `_sa` (its SQLAlchemy guard);
  writes enums as their values.

The orders below are those of `fastapi.openapi.models` (FastAPI 0.165), read from its
source.
"""

from __future__ import annotations

import contextlib
import enum
import math
from collections.abc import Callable, Iterable
from typing import Any

_OPENAPI = (
    "openapi",
    "info",
    "jsonSchemaDialect",
    "servers",
    "paths",
    "webhooks",
    "components",
    "security",
    "tags",
    "externalDocs",
)
_INFO = ("title", "summary", "description", "termsOfService", "contact", "license", "version")
_CONTACT = ("name", "url", "email")
_LICENSE = ("name", "identifier", "url")
_SERVER = ("url", "description", "variables")
_SERVER_VARIABLE = ("enum", "default", "description")
_TAG = ("name", "description", "externalDocs")
_EXTERNAL_DOCS = ("description", "url")
_COMPONENTS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
)
_PATH_ITEM = (
    "$ref",
    "summary",
    "description",
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
    "servers",
    "parameters",
)
_METHODS = frozenset(("get", "put", "post", "delete", "options", "head", "patch", "trace"))
_OPERATION = (
    "tags",
    "summary",
    "description",
    "externalDocs",
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "callbacks",
    "deprecated",
    "security",
    "servers",
)
_REQUEST_BODY = ("description", "content", "required")
_MEDIA_TYPE = ("schema", "example", "examples", "encoding")
_RESPONSE = ("description", "headers", "content", "links")
_DISCRIMINATOR = ("propertyName", "mapping")
_XML = ("name", "namespace", "prefix", "attribute", "wrapped")
_SCHEMA = (
    "$schema",
    "$vocabulary",
    "$id",
    "$anchor",
    "$dynamicAnchor",
    "$ref",
    "$dynamicRef",
    "$defs",
    "$comment",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "prefixItems",
    "items",
    "contains",
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "type",
    "enum",
    "const",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxContains",
    "minContains",
    "maxProperties",
    "minProperties",
    "required",
    "dependentRequired",
    "format",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "title",
    "description",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "examples",
    "discriminator",
    "xml",
    "externalDocs",
    "example",
)
_SCHEMA_FLOATS = frozenset(
    ("multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum")
)
_SCHEMA_ONE = frozenset(
    (
        "not",
        "if",
        "then",
        "else",
        "items",
        "contains",
        "additionalProperties",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contentSchema",
    )
)
_SCHEMA_LIST = frozenset(("allOf", "anyOf", "oneOf", "prefixItems"))
_SCHEMA_MAP = frozenset(("$defs", "dependentSchemas", "properties", "patternProperties"))


def fastapi_layout(document: dict[str, Any]) -> dict[str, Any]:
    """`document` (built in FastAPI's insertion order) as FastAPI returns it."""
    return _dumped(_ordered(document, _OPENAPI, _DOCUMENT_FIELDS))


def _ordered(
    value: dict[str, Any],
    order: Iterable[str],
    fields: dict[str, Callable[[Any], Any]] | None = None,
) -> dict[str, Any]:
    """`value` with the keys of `order` first, in that order, then the others; each
    field rewritten by its entry in `fields`."""
    fields = fields or {}
    result = {}
    for key in order:
        if key in value:
            result[key] = value[key]
    for key, item in value.items():
        if key not in result:
            result[key] = item
    for key, rewrite in fields.items():
        if result.get(key) is not None:
            result[key] = rewrite(result[key])
    return result


def _each(rewrite: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def each(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: rewrite(item) for key, item in value.items()}
        if isinstance(value, list):
            return [rewrite(item) for item in value]
        return value

    return each


def _object(
    order: Iterable[str], fields: dict[str, Callable[[Any], Any]] | None = None
) -> Callable[[Any], Any]:
    def rewrite(value: Any) -> Any:
        return _ordered(value, order, fields) if isinstance(value, dict) else value

    return rewrite


def schema(value: Any) -> Any:
    """A JSON Schema as FastAPI's `Schema` model dumps it."""
    if not isinstance(value, dict):
        return value
    result = _ordered(value, _SCHEMA)
    for key, item in result.items():
        if key in _SCHEMA_FLOATS and type(item) is int:
            result[key] = float(item)
        elif key in _SCHEMA_ONE:
            result[key] = schema(item)
        elif key in _SCHEMA_LIST and isinstance(item, list):
            result[key] = [schema(member) for member in item]
        elif key in _SCHEMA_MAP and isinstance(item, dict):
            result[key] = {name: schema(member) for name, member in item.items()}
        elif key == "discriminator" and isinstance(item, dict):
            result[key] = _ordered(item, _DISCRIMINATOR)
        elif key == "xml" and isinstance(item, dict):
            result[key] = _ordered(item, _XML)
        elif key == "externalDocs":
            result[key] = _external_docs(item)
    return result


def _path_item(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    operations = [item for key, item in value.items() if key in _METHODS]
    if any(isinstance(op, dict) and "parameters" in op for op in operations):
        return value
    return _ordered(value, _PATH_ITEM, dict.fromkeys(_METHODS, _operation))


def any_url(url: Any) -> Any:
    """`url` as pydantic's `AnyUrl` writes it, for the common cases: lower-case scheme and
    host, no default port, `/` for an empty path of a web URL."""
    if not isinstance(url, str):
        return url
    from urllib.parse import quote, urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    netloc = host
    if parts.username is not None:
        credentials = parts.username
        if parts.password is not None:
            credentials += ":" + parts.password
        netloc = f"{credentials}@{host}"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    query = quote(parts.query, safe="/?%:@!$&'()*+,;=~")
    fragment = quote(parts.fragment, safe="/?%:@!$&'()*+,;=~#")
    return urlunsplit((scheme, netloc, path, query, fragment))


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}


def _dumped(value: Any) -> Any:
    """`value` as FastAPI's `jsonable_encoder(..., exclude_none=True)` leaves it: no `None`
    in dicts (NaN and infinities are `None` in pydantic's JSON mode, so they go too, and
    are `null` in lists), no `_sa` keys, enums (a route's tags may be) as their values."""
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            item = _dumped(item)
            if item is not None and not (isinstance(key, str) and key.startswith("_sa")):
                kept[key] = item
        return kept
    if isinstance(value, list | tuple):
        return [_dumped(item) for item in value]
    if isinstance(value, enum.Enum):
        return _dumped(value.value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


_external_docs = _object(_EXTERNAL_DOCS, {"url": any_url})
_media_type = _object(_MEDIA_TYPE, {"schema": schema})
_content = _each(_media_type)
_response = _object(_RESPONSE, {"content": _content})
_operation = _object(
    _OPERATION,
    {
        "externalDocs": _external_docs,
        "requestBody": _object(_REQUEST_BODY, {"content": _content}),
        "responses": _each(_response),
    },
)
_DOCUMENT_FIELDS: dict[str, Callable[[Any], Any]] = {
    "info": _object(
        _INFO,
        {
            "contact": _object(_CONTACT, {"url": any_url}),
            "license": _object(_LICENSE, {"url": any_url}),
        },
    ),
    "servers": _each(_object(_SERVER, {"variables": _each(_object(_SERVER_VARIABLE))})),
    "paths": _each(_path_item),
    "components": _object(_COMPONENTS, {"schemas": _each(schema)}),
    "tags": _each(_object(_TAG, {"externalDocs": _external_docs})),
    "externalDocs": _external_docs,
}
