"""Turning what a handler returns into JSON-ready values, exactly as FastAPI's
`jsonable_encoder` does.

Every sub-interpreter imports this module, so it imports nothing at all: an object can only
be an instance of a class whose module is loaded already, so each check looks its class up
in `sys.modules` and skips the modules that are not there. pydantic, which cannot load in a
sub-interpreter, is recognised the same way, never imported.
"""

from __future__ import annotations

import sys

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    # What pydantic's `include` and `exclude` take.
    IncEx = set[int] | set[str] | dict[int, Any] | dict[str, Any]
    # How to encode one kind of value: (obj, include, exclude, options) -> JSON-ready value.
    Encode = Callable[[Any, Any, Any, "_Options"], Any]

__all__ = ["encode_for_json", "jsonable_encoder"]

_GeneratorType = type(_ for _ in ())
_NoneType = type(None)


class _Options:
    """The settings one `jsonable_encoder` call passes down as it recurses."""

    __slots__ = (
        "by_alias",
        "custom_encoder",
        "exclude_defaults",
        "exclude_none",
        "exclude_unset",
        "sqlalchemy_safe",
    )

    def __init__(
        self,
        by_alias: bool,
        exclude_unset: bool,
        exclude_defaults: bool,
        exclude_none: bool,
        custom_encoder: dict[Any, Callable[[Any], Any]],
        sqlalchemy_safe: bool,
    ) -> None:
        self.by_alias = by_alias
        self.exclude_unset = exclude_unset
        self.exclude_defaults = exclude_defaults
        self.exclude_none = exclude_none
        self.custom_encoder = custom_encoder
        self.sqlalchemy_safe = sqlalchemy_safe


_DEFAULTS = _Options(True, False, False, False, {}, True)


def jsonable_encoder(
    obj: Any,
    include: IncEx | None = None,
    exclude: IncEx | None = None,
    by_alias: bool = True,
    exclude_unset: bool = False,
    exclude_defaults: bool = False,
    exclude_none: bool = False,
    custom_encoder: dict[Any, Callable[[Any], Any]] | None = None,
    sqlalchemy_safe: bool = True,
) -> Any:
    """`obj` as values JSON can hold, as FastAPI's `fastapi.encoders.jsonable_encoder`.

    pydantic models are dumped with `model_dump(mode="json")`, dataclasses with
    `dataclasses.asdict`; an Enum becomes its `value` (as is), containers become dicts and
    lists, dates and times ISO strings, `timedelta` its seconds, `Decimal` an int or float,
    UUIDs, paths and IP addresses strings. String dict keys starting with `_sa` are left out
    unless `sqlalchemy_safe` is false. Anything else goes through `dict(obj)`, then
    `vars(obj)`; if both fail, `ValueError` holds both errors.
    """
    options = _Options(
        by_alias,
        exclude_unset,
        exclude_defaults,
        exclude_none,
        custom_encoder or {},
        sqlalchemy_safe,
    )
    return _encode(obj, include, exclude, options)


def encode_for_json(obj: Any) -> Any:
    """`jsonable_encoder(obj)`, for the core: it walks str, int, float, bool, None, dicts,
    lists, tuples and dataclasses itself and calls this for any other object it meets.
    A pydantic model's JSON dump is returned as it is: it is plain data already, which
    the core walks with `jsonable_encoder`'s rules."""
    if _ENCODE_BY_TYPE.get(type(obj)) is _encode_model:
        return obj.model_dump(mode="json", by_alias=True)
    return _encode(obj, None, None, _DEFAULTS)


def _encode(obj: Any, include: Any, exclude: Any, options: _Options) -> Any:
    custom = options.custom_encoder
    if custom:
        if type(obj) in custom:
            return custom[type(obj)](obj)
        for cls, convert in custom.items():
            if isinstance(obj, cls):
                return convert(obj)
    if include is not None and not isinstance(include, (set, dict)):
        include = set(include)
    if exclude is not None and not isinstance(exclude, (set, dict)):
        exclude = set(exclude)
    cls = type(obj)
    encode = _ENCODE_BY_TYPE.get(cls)
    if encode is None or obj.__class__ is not cls:
        encode = _encoding_for(obj)
        # What `isinstance` answers depends on the type alone, unless the object claims
        # another `__class__` (a proxy) or is a class itself (a dataclass or not).
        if obj.__class__ is cls and not isinstance(obj, type):
            if len(_ENCODE_BY_TYPE) >= 1024:
                _ENCODE_BY_TYPE.clear()
            _ENCODE_BY_TYPE[cls] = encode
    return encode(obj, include, exclude, options)


# How values of each type met so far are encoded. A type's answer never changes: a class
# it could be an instance of must exist, so its module be loaded, before the type is made.
_ENCODE_BY_TYPE: dict[type, Encode] = {}


def _encoding_for(obj: Any) -> Encode:
    """How FastAPI encodes `obj`: the first of its checks, in its order, that `obj` meets."""
    model = _loaded("pydantic.main", "BaseModel")
    if model is not None and isinstance(obj, model):
        return _encode_model
    if hasattr(obj if isinstance(obj, type) else type(obj), "__dataclass_fields__"):
        return _encode_dataclass
    if _is_instance(obj, "enum", "Enum"):
        return _enum_value
    if _is_instance(obj, "pathlib", "PurePath"):
        return _as_str
    if isinstance(obj, (str, int, float, _NoneType)):
        return _as_is
    if _is_instance(obj, "pydantic_core", "PydanticUndefinedType"):
        return _as_none
    if isinstance(obj, dict):
        return _encode_dict
    if isinstance(obj, (list, set, frozenset, _GeneratorType, tuple)) or _is_instance(
        obj, "collections", "deque"
    ):
        return _encode_items
    for encode, classes in _BY_CLASS:
        for module_name, name in classes:
            if _is_instance(obj, module_name, name):
                return encode
    if _is_instance(obj, "pydantic.v1", "BaseModel"):
        return _refuse_pydantic_v1
    return _encode_fields


def _loaded(module_name: str, name: str) -> Any:
    """`module_name.name` if that module is loaded, else None."""
    module = sys.modules.get(module_name)
    return None if module is None else getattr(module, name, None)


def _is_instance(obj: Any, module_name: str, name: str) -> bool:
    cls = _loaded(module_name, name)
    return cls is not None and isinstance(obj, cls)


def _encode_model(obj: Any, include: Any, exclude: Any, options: _Options) -> Any:
    dumped = obj.model_dump(
        mode="json",
        include=include,
        exclude=exclude,
        by_alias=options.by_alias,
        exclude_unset=options.exclude_unset,
        exclude_none=options.exclude_none,
        exclude_defaults=options.exclude_defaults,
    )
    # FastAPI encodes the dump with its defaults, but for these three settings.
    dumped_options = _Options(
        True, False, options.exclude_defaults, options.exclude_none, {}, options.sqlalchemy_safe
    )
    return _encode(dumped, None, None, dumped_options)


def _encode_dataclass(obj: Any, include: Any, exclude: Any, options: _Options) -> Any:
    # A dataclass itself rather than an instance fails FastAPI's assertion too.
    assert not isinstance(obj, type)
    from dataclasses import asdict

    return _encode(asdict(obj), include, exclude, options)


def _encode_dict(obj: dict[Any, Any], include: Any, exclude: Any, options: _Options) -> Any:
    """Keys and values encoded; `include` and `exclude` apply to this level only."""
    kept = set(obj.keys())
    if include is not None:
        kept &= set(include)
    if exclude is not None:
        kept -= set(exclude)
    skip_sqlalchemy = options.sqlalchemy_safe
    skip_none = options.exclude_none
    encoded = {}
    for key, value in obj.items():
        if skip_sqlalchemy and isinstance(key, str) and key.startswith("_sa"):
            continue
        if (skip_none and value is None) or key not in kept:
            continue
        encoded_key = _encode(key, None, None, options)
        encoded[encoded_key] = _encode(value, None, None, options)
    return encoded


def _encode_items(obj: Any, include: Any, exclude: Any, options: _Options) -> list[Any]:
    return [_encode(item, include, exclude, options) for item in obj]


def _encode_fields(obj: Any, include: Any, exclude: Any, options: _Options) -> Any:
    """Any other object: its `dict(obj)`, or else its `vars(obj)`."""
    try:
        data = dict(obj)
    except Exception as not_pairs:
        try:
            data = vars(obj)
        except Exception as no_vars:
            raise ValueError([not_pairs, no_vars]) from no_vars
    return _encode(data, include, exclude, options)


def _refuse_pydantic_v1(obj: Any, *_: Any) -> Any:
    raise RuntimeError(f"pydantic.v1 models are not supported; please update the model {obj!r}.")


def _as_is(obj: Any, *_: Any) -> Any:
    return obj


def _as_none(obj: Any, *_: Any) -> None:
    return None


def _as_str(obj: Any, *_: Any) -> str:
    return str(obj)


def _enum_value(obj: Any, *_: Any) -> Any:
    return obj.value


def _decode(obj: bytes, *_: Any) -> str:
    return obj.decode()


def _isoformat(obj: Any, *_: Any) -> str:
    return obj.isoformat()


def _seconds(obj: Any, *_: Any) -> float:
    return obj.total_seconds()


def _decimal_number(obj: Any, *_: Any) -> int | float:
    """An int for a Decimal without fractional digits (`Decimal("1E+2")` too), else a float."""
    exponent = obj.as_tuple().exponent
    return int(obj) if isinstance(exponent, int) and exponent >= 0 else float(obj)


def _pattern(obj: Any, *_: Any) -> str:
    return obj.pattern


# FastAPI's encoders by class, in the order it tries them; each class is named by the
# module that defines it. (FastAPI's table also lists Enum, set, frozenset, deque and
# generators, which its earlier checks have taken care of.)
_BY_CLASS: tuple[tuple[Encode, tuple[tuple[str, str], ...]], ...] = (
    (_decode, (("builtins", "bytes"),)),
    (
        _as_str,
        (
            ("pydantic.color", "Color"),
            ("pydantic_extra_types.color", "Color"),
            ("ipaddress", "IPv4Address"),
            ("ipaddress", "IPv4Interface"),
            ("ipaddress", "IPv4Network"),
            ("ipaddress", "IPv6Address"),
            ("ipaddress", "IPv6Interface"),
            ("ipaddress", "IPv6Network"),
            ("pydantic.networks", "NameEmail"),
            ("pathlib", "Path"),
            ("pydantic.types", "SecretBytes"),
            ("pydantic.types", "SecretStr"),
            ("uuid", "UUID"),
            ("pydantic_core", "Url"),
            ("pydantic.networks", "AnyUrl"),
        ),
    ),
    (_isoformat, (("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"))),
    (_seconds, (("datetime", "timedelta"),)),
    (_decimal_number, (("decimal", "Decimal"),)),
    (_pattern, (("re", "Pattern"),)),
)
