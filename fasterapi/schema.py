"""Type annotations → the value schemas the Rust core validates with.

A schema is a small dict (`{"type": "int", "gt": 0}`, `{"type": "list", "items": ...}`).
Enums and dataclasses appear as `{"type": "enum", "cls": Color}`; when the route table is
built, a `TypeRegistry` replaces each class by an index into the table's `types`, where the
class is described by module and qualified name (each worker imports it itself, as it
does handlers) together with its enum values or dataclass fields.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import types
import typing
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fasterapi.modules import importable_name

Schema = dict[str, Any]

_ATOMS: dict[Any, str] = {
    int: "int",
    float: "float",
    str: "str",
    bool: "bool",
    bytes: "bytes",
    uuid.UUID: "uuid",
    datetime.datetime: "datetime",
    datetime.date: "date",
    Any: "any",
    object: "any",
}
_NUMBER_CONSTRAINTS = ("gt", "ge", "lt", "le")
_LENGTH_CONSTRAINTS = ("min_length", "max_length")
# Which constraints each schema type accepts, as pydantic does for FastAPI.
_ALLOWED_CONSTRAINTS = {
    "int": _NUMBER_CONSTRAINTS,
    "float": _NUMBER_CONSTRAINTS,
    "str": (*_LENGTH_CONSTRAINTS, "pattern"),
    "bytes": _LENGTH_CONSTRAINTS,
    "list": _LENGTH_CONSTRAINTS,
}


class UnsupportedType(TypeError):
    """An annotation FasterAPI cannot validate; the message says what is supported."""


def schema_for(annotation: Any) -> Schema:
    """The schema of `annotation`; raises `UnsupportedType` naming the unsupported part."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _annotated_schema(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(members) != 1:
            raise UnsupportedType(f"{annotation!r}: unions other than `X | None` are not supported")
        inner = schema_for(members[0])
        return inner if inner["type"] in ("any", "nullable") else nullable(inner)
    if origin in (list, Sequence, typing.List):  # noqa: UP006 - typing.List is an origin too
        (item,) = typing.get_args(annotation) or (Any,)
        return {"type": "list", "items": schema_for(item)}
    if origin in (dict, Mapping):
        key, value = typing.get_args(annotation) or (str, Any)
        if key is not str:
            raise UnsupportedType(f"{annotation!r}: dictionary keys must be str")
        return {"type": "dict", "values": schema_for(value)}
    if annotation is list:
        return {"type": "list", "items": {"type": "any"}}
    if annotation is dict:
        return {"type": "dict", "values": {"type": "any"}}
    if annotation in _ATOMS:
        return {"type": _ATOMS[annotation]}
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        _check_enum(annotation)
        return {"type": "enum", "cls": annotation}
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        dataclass_fields(annotation)  # fail now, at decoration, on an unsupported field
        return {"type": "dataclass", "cls": annotation}
    if _is_pydantic_model(annotation):
        if "<locals>" in annotation.__qualname__:
            raise UnsupportedType(f"{annotation.__qualname__} is defined inside a function")
        # pydantic validates it, on the main interpreter (see docs/compatibility.md).
        return {"type": "model", "cls": annotation}
    raise UnsupportedType(
        f"{annotation!r} is not a supported parameter type (supported: int, float, str, "
        "bool, bytes, uuid.UUID, datetime, date, Enum, dataclasses, list[...], "
        "dict[str, ...] and `X | None`)"
    )


def _annotated_schema(annotation: Any) -> Schema:
    """`Annotated[T, ...]`: `T` with the constraints of any `Query`/`Body`/... marker in it.

    Other constraint objects (`annotated_types.Gt`, pydantic's `Field`) are refused rather
    than ignored: FastAPI would enforce them. Metadata pydantic ignores is ignored here too.
    """
    from fasterapi.params import Param

    inner, *metadata = typing.get_args(annotation)
    schema = schema_for(inner)
    for extra in metadata:
        if isinstance(extra, Param):
            schema = with_constraints(schema, extra.constraints)
        elif type(extra).__module__.split(".")[0] in ("annotated_types", "pydantic"):
            raise UnsupportedType(
                f"{extra!r} in Annotated is not supported; give constraints to Query(), "
                "Path(), Header(), Cookie() or Body() (gt=, max_length=, pattern=, ...)"
            )
    return schema


def nullable(inner: Schema) -> Schema:
    return {"type": "nullable", "inner": inner}


def with_constraints(schema: Schema, constraints: dict[str, Any]) -> Schema:
    """`schema` with FastAPI-style constraints attached to the (non-null) value type."""
    if not constraints:
        return schema
    if schema["type"] == "nullable":
        return nullable(with_constraints(schema["inner"], constraints))
    allowed = _ALLOWED_CONSTRAINTS.get(schema["type"], ())
    unknown = [name for name in constraints if name not in allowed]
    if unknown:
        raise UnsupportedType(
            f"constraint {', '.join(unknown)} does not apply to a {schema['type']} value"
        )
    bounds = {}
    for name in _NUMBER_CONSTRAINTS:
        value = constraints.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UnsupportedType(f"constraint {name}={value!r} must be a number")
        bounds[name] = _bound_for(schema["type"], name, value)
    return {**schema, **constraints, **bounds}


def _bound_for(value_type: str, name: str, value: float) -> float:
    """A bound as pydantic keeps it: in the field's own type (`gt=5` on a float field is
    `5.0`; `gt=5.0` on an int field is `5`, and `gt=5.5` there is refused)."""
    if value_type == "float":
        return float(value)
    if isinstance(value, float) and not value.is_integer():
        raise UnsupportedType(f"constraint {name}={value!r} must be an integer for an int")
    if not -(2**63) <= value < 2**63:
        raise UnsupportedType(f"constraint {name}={value!r} is out of range (64-bit integers)")
    return int(value)


def is_scalar(schema: Schema) -> bool:
    """FastAPI's "scalar field": what it reads from the query string when not marked."""
    if schema["type"] == "nullable":
        return is_scalar(schema["inner"])
    return schema["type"] not in ("list", "dict", "dataclass", "model")


def is_sequence_of_scalars(schema: Schema) -> bool:
    """A `list[scalar]`, which query parameters and headers may carry (repeated keys)."""
    if schema["type"] == "nullable":
        return is_sequence_of_scalars(schema["inner"])
    return schema["type"] == "list" and is_scalar(schema["items"])


@dataclasses.dataclass(frozen=True)
class DataclassField:
    name: str
    schema: Schema
    required: bool


_FIELDS_CACHE: dict[type, tuple[DataclassField, ...]] = {}


def dataclass_fields(cls: type) -> tuple[DataclassField, ...]:
    """The fields of dataclass `cls` that its `__init__` takes, with their schemas."""
    cached = _FIELDS_CACHE.get(cls)
    if cached is not None:
        return cached
    _check_importable(cls)
    _FIELDS_CACHE[cls] = ()  # a self-referencing dataclass sees itself as already known
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception as error:
        del _FIELDS_CACHE[cls]
        raise UnsupportedType(f"cannot read the type hints of {cls!r}: {error}") from error
    init_only = [name for name, hint in hints.items() if isinstance(hint, dataclasses.InitVar)]
    if init_only:
        del _FIELDS_CACHE[cls]
        raise UnsupportedType(
            f"{cls.__qualname__} has InitVar fields ({', '.join(init_only)}), which are not "
            "supported in parameters"
        )
    fields = []
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        try:
            schema = schema_for(hints.get(field.name, Any))
        except UnsupportedType as error:
            del _FIELDS_CACHE[cls]
            raise UnsupportedType(f"field '{field.name}' of {cls.__qualname__}: {error}") from None
        required = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        fields.append(DataclassField(field.name, schema, required))
    _FIELDS_CACHE[cls] = tuple(fields)
    return _FIELDS_CACHE[cls]


def _expected_values(values: list[Any]) -> str:
    """pydantic's rendering of an enum's values in its error message: `'a', 'b' or 'c'`."""
    rendered = [repr(value) for value in values]
    if len(rendered) == 1:
        return rendered[0]
    return f"{', '.join(rendered[:-1])} or {rendered[-1]}"


def _check_enum(cls: type[enum.Enum]) -> None:
    _check_importable(cls)
    # pydantic would also accept what `_missing_` maps and combined flags; matching values
    # exactly would silently refuse those, so such enums are refused up front.
    if issubclass(cls, enum.Flag):
        raise UnsupportedType(f"{cls.__qualname__} is a Flag enum; flags are not supported")
    if getattr(cls._missing_, "__func__", None) is not enum.Enum._missing_.__func__:
        raise UnsupportedType(
            f"{cls.__qualname__} defines _missing_; enums with custom lookup are not supported"
        )
    for member in cls:
        value = member.value
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise UnsupportedType(
                f"{cls.__qualname__}.{member.name} has value {value!r}; enum parameters "
                "must have str or int values"
            )


def _check_importable(cls: type) -> None:
    if "<locals>" in cls.__qualname__:
        raise UnsupportedType(
            f"{cls.__qualname__} is defined inside a function; sub-interpreters import "
            "parameter types by name, so define it at module level"
        )


def _is_pydantic_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and any(
        base.__module__.startswith("pydantic") and base.__name__ == "BaseModel"
        for base in annotation.__mro__
    )


def classes_modules(schema: Schema) -> list[str]:
    """The modules of the enums, dataclasses and models `schema` uses, nested ones too."""
    found: list[str] = []
    seen: set[type] = set()

    def visit(schema: Schema) -> None:
        cls = schema.get("cls")
        if cls is not None and cls not in seen:
            seen.add(cls)
            found.append(importable_name(cls.__module__))
            if dataclasses.is_dataclass(cls):
                for field in dataclass_fields(cls):
                    visit(field.schema)
        for key in ("items", "values", "inner"):
            if key in schema:
                visit(schema[key])

    visit(schema)
    return found


def contains_nested_model(schema: Schema) -> bool:
    """A pydantic model somewhere other than the top of a (nullable) schema."""

    def nested(schema: Schema) -> bool:
        if schema["type"] == "model":
            return True
        if schema["type"] == "dataclass":
            return any(nested(field.schema) for field in dataclass_fields(schema["cls"]))
        return any(nested(schema[key]) for key in ("items", "values", "inner") if key in schema)

    top = schema["inner"] if schema["type"] == "nullable" else schema
    if top["type"] == "model":
        return False
    return nested(top)


class TypeRegistry:
    """Collects the enums and dataclasses that a route table's schemas refer to."""

    def __init__(self) -> None:
        self._index: dict[type, int] = {}
        self.types: list[dict[str, Any]] = []

    def encode(self, schema: Schema) -> Schema:
        """`schema` as plain data, classes replaced by indexes into `self.types`."""
        if "cls" in schema:
            return {"type": schema["type"], "ref": self._register(schema["cls"])}
        encoded = dict(schema)
        for key in ("items", "values", "inner"):
            if key in schema:
                encoded[key] = self.encode(schema[key])
        return encoded

    def _register(self, cls: type) -> int:
        index = self._index.get(cls)
        if index is not None:
            return index
        index = self._index[cls] = len(self.types)
        entry: dict[str, Any] = {
            "module": importable_name(cls.__module__),
            "main_module": cls.__module__,  # its name in the main interpreter
            "qualname": cls.__qualname__,
            "name": cls.__name__,
        }
        self.types.append(entry)  # placed before its fields: they may refer back to it
        if _is_pydantic_model(cls):
            entry["kind"] = "model"
        elif issubclass(cls, enum.Enum):
            values = [member.value for member in cls]
            entry["kind"] = "enum"
            entry["values"] = values
            entry["int_subclass"] = issubclass(cls, int)
            entry["expected"] = _expected_values(values)
        else:
            entry["kind"] = "dataclass"
            entry["fields"] = [
                {
                    "name": field.name,
                    "schema": self.encode(field.schema),
                    "required": field.required,
                }
                for field in dataclass_fields(cls)
            ]
        return index
