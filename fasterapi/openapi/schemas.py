"""Our value schemas (`fasterapi.schema`) as the JSON Schema pydantic writes for FastAPI.

A parameter's schema is built from its type (`{"type": "integer", "maximum": 9}`), then the
marker's notes (`title`, `description`, `deprecated`, `examples`), then its `default`: the
order pydantic generates them in, which is the order FastAPI leaves them in wherever its
final model pass keeps a dict as it is (see `fasterapi.openapi.layout`).

Enums, dataclasses and pydantic models are `$ref`s into `components.schemas`. A class is
named by `__name__`, or by its module and qualified name when classes that share a name
have different schemas, as pydantic names definitions. The `$ref`s hold the class itself
(`ClassRef`) until every class is known; `Components.resolve` writes the final names.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import decimal
import enum
import inspect
import json
import pathlib
import re
import typing
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from fasterapi.schema import Schema, UnsupportedType, dataclass_fields, schema_for

REF_PREFIX = "#/components/schemas/"

# In the order pydantic writes them.
_NUMBER_BOUNDS = {
    "le": "maximum",
    "ge": "minimum",
    "lt": "exclusiveMaximum",
    "gt": "exclusiveMinimum",
}
_LENGTHS = {
    "str": ("minLength", "maxLength"),
    "bytes": ("minLength", "maxLength"),
    "list": ("minItems", "maxItems"),
}
_ATOMS: dict[str, dict[str, str]] = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "str": {"type": "string"},
    "bool": {"type": "boolean"},
    # FastAPI's own rendering of `bytes` (pydantic's would be `format: binary`).
    "bytes": {"type": "string", "contentMediaType": "application/octet-stream"},
    "uuid": {"type": "string", "format": "uuid"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "any": {},
}
_CLASS_TYPES = ("enum", "dataclass", "model")


class _Omitted:
    """No value: a field without a default, or a default pydantic cannot render."""

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED: Any = _Omitted()


@dataclasses.dataclass(frozen=True)
class FieldNotes:
    """What a field says about itself besides its type: a marker's `title`,
    `description`, `deprecated` and `examples`, and its constraints as written."""

    title: str | None = None
    description: str | None = None
    deprecated: bool | None = None
    examples: list[Any] | None = None
    constraints: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, marker: Any) -> FieldNotes:
        if marker is None:
            return cls()
        return cls(
            title=marker.title,
            description=marker.description,
            deprecated=marker.deprecated,
            examples=marker.examples,
            constraints=marker.constraints,
        )


class ClassRef:
    """A `$ref` to the component of `cls`, named once every class is known."""

    __slots__ = ("cls",)

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def __repr__(self) -> str:
        return f"ClassRef({self.cls.__qualname__})"


def title_from_name(name: str) -> str:
    """pydantic's title for a field named `name` (`user_id` → "User Id")."""
    return name.title().replace("_", " ").strip()


def is_class_like(schema: Schema) -> bool:
    """A `$ref` schema, or a nullable one: pydantic gives such fields no title."""
    if schema["type"] == "nullable":
        return is_class_like(schema["inner"])
    return schema["type"] in _CLASS_TYPES


class Components:
    """The classes the document's schemas refer to, and the `Body_...` models, rendered
    as `components.schemas` once every route is done."""

    def __init__(self) -> None:
        self._classes: dict[type, None] = {}
        self.bodies: dict[str, dict[str, Any]] = {}
        self._names: dict[type, str] = {}

    # Schemas of values.

    def field_schema(
        self, schema: Schema, notes: FieldNotes = FieldNotes(), default: Any = OMITTED
    ) -> dict[str, Any]:
        """A field's schema in pydantic's order: type, notes, then `default`."""
        rendered = self.type_schema(_with_constraints(schema, notes.constraints))
        for key, value in (
            ("title", notes.title),
            ("description", notes.description),
            ("deprecated", True if notes.deprecated else None),
            ("examples", OMITTED if notes.examples is None else jsonable(notes.examples)),
        ):
            if value is not None and value is not OMITTED:
                rendered[key] = value
        if default is not OMITTED:
            encoded = jsonable(default)
            if encoded is not OMITTED:
                rendered["default"] = encoded
        return rendered

    def type_schema(self, schema: Schema) -> dict[str, Any]:
        """The schema of a type alone, constraints included."""
        kind = schema["type"]
        if kind in _CLASS_TYPES:
            self._classes.setdefault(schema["cls"], None)
            return {"$ref": ClassRef(schema["cls"])}
        if kind == "nullable":
            return {"anyOf": [self.type_schema(schema["inner"]), {"type": "null"}]}
        if kind == "list":
            rendered: dict[str, Any] = {"type": "array", "items": self.type_schema(schema["items"])}
        elif kind == "dict":
            values = self.type_schema(schema["values"])
            values.pop("title", None)
            rendered = {"type": "object", "additionalProperties": values or True}
        else:
            rendered = dict(_ATOMS[kind])
        if kind in ("int", "float"):
            for name, key in _NUMBER_BOUNDS.items():
                if schema.get(name) is not None:
                    rendered[key] = schema[name]
        lengths = _LENGTHS.get(kind)
        if lengths is not None:
            for name, key in zip(("min_length", "max_length"), lengths, strict=True):
                if schema.get(name) is not None:
                    rendered[key] = schema[name]
            if kind == "str" and schema.get("pattern") is not None:
                rendered["pattern"] = schema["pattern"]
        return rendered

    # The components themselves.

    def add_body(self, name: str, properties: dict[str, Any], required: list[str]) -> None:
        """A `Body_...` model: the body of a route that embeds its body parameters."""
        body: dict[str, Any] = {"properties": properties}
        if required:
            body["required"] = required
        body["title"] = name
        body["type"] = "object"
        self.bodies[name] = body

    def definitions(self) -> dict[str, Any]:
        """Every component schema by name, `$ref`s still holding their classes.

        With pydantic models among the classes, pydantic writes every class's component
        (it names them all at once, and a model may use the same enum as a parameter);
        otherwise they are written here, as pydantic would write them."""
        if any(_is_model(cls) for cls in self._classes):
            from fasterapi.openapi.pydantic_schemas import model_definitions

            refs, found = model_definitions(list(self._classes))
            self._names = {cls: ref.removeprefix(REF_PREFIX) for cls, ref in refs.items()}
        else:
            rendered: dict[type, dict[str, Any]] = {}
            # Rendering a dataclass may find more classes (its fields').
            while len(rendered) < len(self._classes):
                for cls in list(self._classes):
                    if cls not in rendered:
                        rendered[cls] = (
                            _enum_definition(cls)
                            if issubclass(cls, enum.Enum)
                            else self._dataclass_definition(cls)
                        )
            self._names = _class_names(rendered)
            found = {self._names[cls]: definition for cls, definition in rendered.items()}
        found.update(self.bodies)
        for definition in found.values():
            description = definition.get("description")
            if isinstance(description, str):
                definition["description"] = description.split("\f")[0]
        return found

    def _dataclass_definition(self, cls: type) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for name, schema, default, is_required in _dataclass_properties(cls):
            rendered = self.field_schema(schema, default=default)
            if not is_class_like(schema):
                rendered.setdefault("title", title_from_name(name))
            properties[name] = rendered
            if is_required:
                required.append(name)
        definition: dict[str, Any] = {"properties": properties}
        if required:
            definition["required"] = required
        definition["title"] = cls.__name__
        # A dataclass without a docstring has one made from its signature: not used.
        doc = cls.__doc__
        if doc and not doc.startswith(f"{cls.__name__}("):
            definition["description"] = inspect.cleandoc(doc)
        definition["type"] = "object"
        return definition

    def resolve(self, value: Any) -> Any:
        """`value` with every `ClassRef` replaced by its component's address."""
        if isinstance(value, ClassRef):
            return REF_PREFIX + self._names[value.cls]
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value


def _dataclass_properties(cls: type) -> list[tuple[str, Schema, Any, bool]]:
    """Each field of dataclass `cls` as pydantic describes it: name, schema, default (a
    `default_factory` is not shown), whether it is required.

    Fields that `__init__` does not take (`field(init=False)`) are described too, as
    pydantic does, though a request cannot set them."""
    taken = {field.name: field.schema for field in dataclass_fields(cls)}
    hints: dict[str, Any] | None = None
    properties = []
    for field in dataclasses.fields(cls):
        schema = taken.get(field.name)
        if schema is None:
            if hints is None:
                hints = typing.get_type_hints(cls)
            try:
                schema = schema_for(hints.get(field.name, Any))
            except UnsupportedType:
                continue
        default = OMITTED if field.default is dataclasses.MISSING else field.default
        required = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        properties.append((field.name, schema, default, required))
    return properties


def _with_constraints(schema: Schema, constraints: Mapping[str, Any]) -> Schema:
    """`schema` with its bounds as the marker wrote them (`lt=10` stays `10` on a float
    field, as in pydantic's schema; the validator keeps `10.0`)."""
    if not constraints:
        return schema
    if schema["type"] == "nullable":
        return {**schema, "inner": _with_constraints(schema["inner"], constraints)}
    return {**schema, **constraints}


def _enum_definition(cls: type[enum.Enum]) -> dict[str, Any]:
    definition: dict[str, Any] = {"title": cls.__name__}
    description = inspect.cleandoc(cls.__doc__) if cls.__doc__ else None
    if description and description != "An enumeration.":
        definition["description"] = description
    values = [jsonable(member.value) for member in cls.__members__.values()]
    definition["enum"] = values
    kinds = {type(value) for value in values}
    for kind, name in ((str, "string"), (int, "integer"), (float, "number"), (bool, "boolean")):
        if kinds == {kind}:
            definition["type"] = name
            break
    else:
        if kinds == {list}:
            definition["type"] = "array"
    return definition


def _is_model(cls: type) -> bool:
    return not (issubclass(cls, enum.Enum) or dataclasses.is_dataclass(cls))


def _class_names(definitions: dict[type, dict[str, Any]]) -> dict[type, str]:
    """Component names, as pydantic gives them: `__name__`, unless classes of that name
    have different schemas; then each of those is named `module__Qual__Name`."""
    names = {cls: _normalize(cls.__name__) for cls in definitions}
    while True:
        by_name: dict[str, list[type]] = {}
        for cls, name in names.items():
            by_name.setdefault(name, []).append(cls)
        clashing = [
            group
            for group in by_name.values()
            if len({_fingerprint(definitions[cls], names) for cls in group}) > 1
        ]
        if not clashing:
            return names
        for group in clashing:
            for cls in group:
                names[cls] = _normalize(f"{cls.__module__}.{cls.__qualname__}")


def _fingerprint(definition: dict[str, Any], names: dict[type, str]) -> str:
    """A definition as text, its `$ref`s written with the names given so far."""
    return json.dumps(
        definition, default=lambda ref: names[ref.cls] if isinstance(ref, ClassRef) else repr(ref)
    )


def _normalize(name: str) -> str:
    return re.sub(r"[^a-zA-Z0-9.\-_]", "_", name).replace(".", "__")


# Values (defaults, examples, enum values) as pydantic writes them in JSON mode.


def jsonable(value: Any) -> Any:
    """`value` as pydantic dumps it in JSON mode, or `OMITTED` when it cannot (pydantic
    then leaves the default out of the schema)."""
    encoder = _ENCODERS.get(type(value))
    if encoder is not None:
        return encoder(value)
    for kind, encoder in _ENCODERS.items():
        if isinstance(value, kind):
            return encoder(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable_mapping(
            {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        )
    if hasattr(value, "model_dump") and hasattr(type(value), "model_fields"):
        return value.model_dump(mode="json")
    return OMITTED


def _jsonable_items(values: Any) -> Any:
    items = [jsonable(item) for item in values]
    return OMITTED if any(item is OMITTED for item in items) else items


def _jsonable_set(values: Any) -> Any:
    # pydantic sorts a set default, so that the schema does not depend on hashing.
    with contextlib.suppress(TypeError):
        values = sorted(values)
    return _jsonable_items(values)


def _jsonable_mapping(mapping: Mapping[Any, Any]) -> Any:
    encoded = {}
    for key, item in mapping.items():
        name = jsonable(key)
        rendered = jsonable(item)
        if name is OMITTED or rendered is OMITTED:
            return OMITTED
        encoded[name if isinstance(name, str) else _key_text(name)] = rendered
    return encoded


def _key_text(key: Any) -> str:
    if key is None:
        return "None"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _jsonable_bytes(value: bytes) -> Any:
    try:
        return value.decode()
    except UnicodeDecodeError:
        return OMITTED


def _jsonable_datetime(value: datetime.datetime) -> str:
    text = value.replace(tzinfo=None).isoformat()
    offset = value.utcoffset()
    if offset is None:
        return text
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


# Looked up by exact type, then in this order by `isinstance` (enums before their mixins).
_ENCODERS: dict[type, Callable[[Any], Any]] = {
    enum.Enum: lambda value: jsonable(value.value),
    type(None): lambda value: value,
    bool: lambda value: value,
    int: lambda value: value,
    float: lambda value: value,
    str: lambda value: value,
    bytes: _jsonable_bytes,
    datetime.datetime: _jsonable_datetime,
    datetime.date: lambda value: value.isoformat(),
    datetime.time: lambda value: value.isoformat(),
    uuid.UUID: str,
    decimal.Decimal: str,
    pathlib.PurePath: str,
    list: _jsonable_items,
    tuple: _jsonable_items,
    set: _jsonable_set,
    frozenset: _jsonable_set,
    dict: _jsonable_mapping,
}
