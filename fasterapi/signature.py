"""Turning a handler's signature into parameter specs, with FastAPI's inference rules.

A name in the path is a path parameter; a dataclass, `dict` or `list[...]` is the body;
any other type is a query parameter; a marker (`Query`, `Path`, `Header`, `Cookie`, `Body`,
as a default or inside `Annotated`) says so explicitly. The specs are built once, when the
handler is decorated, and handed to the Rust core as plain data: the core extracts and
validates every value without calling Python.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fasterapi import params
from fasterapi.schema import (
    Schema,
    TypeRegistry,
    UnsupportedType,
    contains_nested_model,
    is_scalar,
    is_sequence_of_scalars,
    schema_for,
    with_constraints,
)

_PATH_PARAM = re.compile(r"{([^{}:]+)(?::[^{}]*)?}")


@dataclass(frozen=True)
class ParamSpec:
    """One handler parameter: where its value comes from and what it must be."""

    name: str
    alias: str
    source: str  # "path", "query", "header", "cookie" or "body"
    schema: Schema
    required: bool
    # The default lives in a marker (`q: int = Query(5)`): the worker passes marker.default
    # instead of letting Python apply the signature's default (the marker itself).
    default_from_marker: bool = False
    embed: bool = False
    # Kept for OpenAPI: title, description, examples, deprecated, include_in_schema.
    marker: params.Param | None = field(default=None, compare=False)

    def table_entry(self, registry: TypeRegistry) -> dict[str, Any]:
        return {
            "name": self.name,
            "alias": self.alias,
            "source": self.source,
            "schema": registry.encode(self.schema),
            "required": self.required,
            "default_from_marker": self.default_from_marker,
        }


def path_param_names(path: str) -> list[str]:
    """Names of the `{param}` (and `{param:converter}`) segments of a path template."""
    return _PATH_PARAM.findall(path)


def parameter_specs(
    function: Callable[..., Any], path: str, *, bound_first: bool = False
) -> tuple[ParamSpec, ...]:
    """The specs of `function`'s parameters for a route at `path`.

    `bound_first`: the first parameter is bound by Python (a classmethod's `cls`).
    """
    where = f"{function.__module__}.{function.__qualname__}"
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except Exception as error:
        raise TypeError(f"cannot read the type hints of {where}: {error}") from error
    in_path = set(path_param_names(path))
    parameters = list(inspect.signature(function).parameters.values())
    specs = []
    for parameter in parameters[1:] if bound_first else parameters:
        if _special_kind(hints.get(parameter.name)) is not None:
            continue
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise TypeError(f"{where}: *args and **kwargs cannot be request parameters")
        if parameter.kind is parameter.POSITIONAL_ONLY:
            raise TypeError(
                f"{where}: parameter '{parameter.name}' is positional-only; "
                "handlers are called with keyword arguments"
            )
        try:
            specs.append(_spec(parameter, hints.get(parameter.name, Any), in_path))
        except UnsupportedType as error:
            raise TypeError(f"{where}: parameter '{parameter.name}': {error}") from None
    missing = in_path - {spec.alias for spec in specs if spec.source == "path"}
    if missing:
        raise TypeError(
            f"{where}: path {path!r} has {{{', '.join(sorted(missing))}}} but the handler "
            "has no such parameter"
        )
    return tuple(specs)


def special_params(function: Callable[..., Any], *, bound_first: bool = False) -> dict[str, str]:
    """The parameters that receive the request itself (`request: Request`) or the
    response to set headers, cookies and status on (`response: Response`), by kind."""
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except Exception:  # parameter_specs reports it
        return {}
    found: dict[str, str] = {}
    parameters = list(inspect.signature(function).parameters.values())
    for parameter in parameters[1:] if bound_first else parameters:
        kind = _special_kind(hints.get(parameter.name))
        if kind is None:
            continue
        if kind in found:
            where = f"{function.__module__}.{function.__qualname__}"
            raise TypeError(f"{where}: only one parameter can receive the {kind} object")
        found[kind] = parameter.name
    return found


def _special_kind(hint: Any) -> str | None:
    from fasterapi.requests import Request
    from fasterapi.responses import Response

    if isinstance(hint, type):
        if issubclass(hint, Request):
            return "request"
        if issubclass(hint, Response):
            return "response"
    return None


def embeds_body(specs: tuple[ParamSpec, ...]) -> bool:
    """FastAPI's rule: the body is an object keyed by parameter when there are several body
    parameters, or when the only one says `Body(embed=True)`."""
    body = [spec for spec in specs if spec.source == "body"]
    return len(body) > 1 or any(spec.embed for spec in body)


def _spec(parameter: inspect.Parameter, hint: Any, in_path: set[str]) -> ParamSpec:
    marker = _marker(parameter, hint)
    schema = schema_for(hint)
    if contains_nested_model(schema):
        raise UnsupportedType(
            "a pydantic model is supported as a body parameter's whole type (or `Model | "
            "None`), not inside a list, dict or dataclass"
        )
    if marker is not None:
        schema = with_constraints(schema, marker.constraints)
    source = _source(parameter.name, marker, schema, in_path)
    alias = (marker.alias if marker else None) or parameter.name
    if isinstance(marker, params.Header) and not marker.alias and marker.convert_underscores:
        alias = parameter.name.replace("_", "-")
    if marker is not None and parameter.default is marker:
        required = marker.required
        default_from_marker = not required
    else:
        required = parameter.default is parameter.empty
        default_from_marker = False
    return ParamSpec(
        name=parameter.name,
        alias=alias,
        source=source,
        schema=schema,
        required=required or source == "path",
        default_from_marker=default_from_marker,
        embed=bool(isinstance(marker, params.Body) and marker.embed),
        marker=marker,
    )


def _marker(parameter: inspect.Parameter, hint: Any) -> params.Param | None:
    """The `Query`/`Path`/... marker of a parameter, from its default or `Annotated`."""
    found = []
    if typing.get_origin(hint) is typing.Annotated:
        found = [extra for extra in hint.__metadata__ if isinstance(extra, params.Param)]
    if isinstance(parameter.default, params.Param):
        found.append(parameter.default)
    if len(found) > 1:
        raise UnsupportedType("give one of Query/Path/Header/Cookie/Body, not several")
    if found and found[0] is not parameter.default and not found[0].required:
        # FastAPI refuses this too: the default belongs after `=`.
        raise UnsupportedType(
            f"`{type(found[0]).__name__}` default value cannot be set in `Annotated` for "
            f"'{parameter.name}'. Set the default value with `=` instead."
        )
    return found[0] if found else None


def _source(name: str, marker: params.Param | None, schema: Schema, in_path: set[str]) -> str:
    if name in in_path:
        if marker is not None and not isinstance(marker, params.Path):
            raise UnsupportedType(f"'{name}' is in the path, so it cannot be {marker!r}")
        if not is_scalar(schema):
            raise UnsupportedType("a path parameter must be a single value, not a collection")
        return "path"
    if isinstance(marker, params.Path):
        raise UnsupportedType(f"Path() is used but the route path has no {{{name}}}")
    source = marker.source if marker else ("query" if is_scalar(schema) else "body")
    if source in ("query", "header") and not (is_scalar(schema) or is_sequence_of_scalars(schema)):
        raise UnsupportedType(f"a {source} parameter must be a value or a list of values")
    if source == "cookie" and not is_scalar(schema):
        raise UnsupportedType("a cookie parameter must be a single value")
    return source
