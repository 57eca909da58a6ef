"""Turning a handler's signature into parameter specs, with FastAPI's inference rules.

The spec is built once, when the handler is decorated, and handed to the Rust core as
plain data: the core extracts and validates every value without calling Python.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_SCALAR_KINDS: dict[Any, str] = {int: "int", float: "float", str: "str", bool: "bool"}
_PATH_PARAM = re.compile(r"{([^{}:]+)(?::[^{}]*)?}")


@dataclass(frozen=True)
class ParamSpec:
    """One handler parameter: where its value comes from and what type it must have."""

    name: str
    alias: str
    source: str  # "path" or "query"
    kind: str  # "int", "float", "str" or "bool"
    required: bool
    nullable: bool

    def table_entry(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "alias": self.alias,
            "source": self.source,
            "kind": self.kind,
            "required": self.required,
            "nullable": self.nullable,
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
        hints = typing.get_type_hints(function)
    except Exception as error:
        raise TypeError(f"cannot read the type hints of {where}: {error}") from error
    in_path = set(path_param_names(path))
    specs = []
    parameters = list(inspect.signature(function).parameters.values())
    for parameter in parameters[1:] if bound_first else parameters:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise TypeError(f"{where}: *args and **kwargs cannot be request parameters")
        if parameter.kind is parameter.POSITIONAL_ONLY:
            raise TypeError(
                f"{where}: parameter '{parameter.name}' is positional-only; "
                "handlers are called with keyword arguments"
            )
        kind, nullable = _scalar_kind(hints.get(parameter.name, str), where, parameter.name)
        source = "path" if parameter.name in in_path else "query"
        specs.append(
            ParamSpec(
                name=parameter.name,
                alias=parameter.name,
                source=source,
                kind=kind,
                required=source == "path" or parameter.default is parameter.empty,
                nullable=nullable,
            )
        )
    return tuple(specs)


def _scalar_kind(annotation: Any, where: str, name: str) -> tuple[str, bool]:
    """Maps `int`, `float`, `str`, `bool` and their `X | None` forms to a kind name."""
    nullable = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        nullable = len(members) < len(typing.get_args(annotation))
        if len(members) == 1:
            annotation = members[0]
    if annotation is Any:
        annotation = str
    kind = _SCALAR_KINDS.get(annotation)
    if kind is None:
        raise TypeError(
            f"{where}: parameter '{name}' has type {annotation!r}; supported parameter types "
            "are int, float, str, bool and their Optional forms"
        )
    return kind, nullable
