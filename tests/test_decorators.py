"""Handler shapes are checked when decorated, with a message that says how to fix them."""

from __future__ import annotations

import dataclasses
import enum
import sys
from typing import Annotated

import annotated_types
import pytest

from fasterapi import FastAPI, FasterAPI, Header, Path, Query


class BaseModel:
    """Stands in for pydantic's BaseModel, which is recognised by name and module."""


BaseModel.__module__ = "pydantic.main"


def test_fastapi_is_an_alias_of_the_app_class():
    assert FastAPI is FasterAPI


def test_importing_fasterapi_does_not_load_the_native_core():
    assert "fasterapi._core" not in sys.modules


def module_level(user_id: int, q: str | None = None):
    return {}


def test_a_module_level_function_is_recorded_with_its_spec():
    app = FasterAPI()
    assert app.get("/users/{user_id}")(module_level) is module_level
    (route,) = app.routes
    assert (route.methods, route.module, route.qualname) == (("GET",), __name__, "module_level")
    assert [(p.name, p.source, p.schema, p.required) for p in route.params] == [
        ("user_id", "path", {"type": "int"}, True),
        ("q", "query", {"type": "nullable", "inner": {"type": "str"}}, False),
    ]


def make_local():
    def local_handler():
        return {}

    return local_handler


def takes_a_set(values: set[int]):
    return values


def takes_varargs(*args):
    return args


def takes_a_union(value: int | str):
    return value


def make_local_dataclass_handler():
    @dataclasses.dataclass
    class Local:
        name: str

    def handler(item: Local):
        return item

    handler.__qualname__ = "handler"
    handler.__annotations__ = {"item": Local}  # resolved: this module defers annotations
    return handler


def takes_a_list_of_models(items: list[BaseModel]):
    return items


def path_marker_without_segment(item_id: int = Path()):
    return item_id


def length_on_an_int(n: int = Query(max_length=3)):
    return n


def fractional_bound_on_an_int(n: int = Query(gt=1.5)):
    return n


def two_markers(q: Annotated[str, Query()] = Query("x")):
    return q


@dataclasses.dataclass
class WithInitVar:
    name: str
    scale: dataclasses.InitVar[int]


def takes_an_initvar_dataclass(item: WithInitVar):
    return item


class Lenient(enum.Enum):
    a = "a"

    @classmethod
    def _missing_(cls, value):
        return cls.a


class Permission(enum.IntFlag):
    read = 1
    write = 2


def takes_a_lenient_enum(value: Lenient):
    return value


def takes_a_flag(value: Permission):
    return value


def annotated_types_constraint(n: Annotated[int, annotated_types.Gt(0)]):
    return n


def default_inside_annotated(q: Annotated[int, Query(5)]):
    return q


def huge_bound_on_an_int(n: int = Query(le=1e20)):
    return n


def list_in_the_path(item_id: list[int]):
    return item_id


def dict_in_a_header(x_data: dict = Header()):
    return x_data


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        (lambda: {}, "a lambda cannot be a FasterAPI handler"),
        (make_local(), "is defined inside a function"),
        (print, "must be a plain function"),
        (takes_a_set, "set[int] is not a supported parameter type"),
        (takes_varargs, "*args and **kwargs cannot be request parameters"),
        (takes_a_union, "unions other than `X | None` are not supported"),
        (make_local_dataclass_handler(), "Local is defined inside a function"),
        (takes_a_list_of_models, "a pydantic model is supported as a body parameter's whole"),
        (path_marker_without_segment, "Path() is used but the route path has no {item_id}"),
        (length_on_an_int, "constraint max_length does not apply to a int value"),
        (fractional_bound_on_an_int, "gt=1.5 must be an integer for an int"),
        (two_markers, "give one of Query/Path/Header/Cookie/Body, not several"),
        (dict_in_a_header, "a header parameter must be a value or a list of values"),
        (takes_an_initvar_dataclass, "WithInitVar has InitVar fields (scale)"),
        (takes_a_lenient_enum, "Lenient defines _missing_"),
        (takes_a_flag, "Permission is a Flag enum"),
        (annotated_types_constraint, "Gt(gt=0) in Annotated is not supported"),
        (default_inside_annotated, "`Query` default value cannot be set in `Annotated` for 'q'"),
        (huge_bound_on_an_int, "le=1e+20 is out of range"),
    ],
)
def test_unservable_handlers_are_refused_when_decorated(handler, message):
    app = FasterAPI()
    with pytest.raises(TypeError) as info:
        app.get("/")(handler)
    assert message in str(info.value)


def test_a_collection_cannot_be_a_path_parameter():
    with pytest.raises(TypeError, match="a path parameter must be a single value"):
        FasterAPI().get("/{item_id}")(list_in_the_path)


def test_a_path_segment_without_a_parameter_is_refused():
    with pytest.raises(TypeError, match=r"path '/\{other\}' has \{other\}"):
        FasterAPI().get("/{other}")(module_level_without_params)


def module_level_without_params():
    return {}


async def create_from_model(item: BaseModel):
    return item


def test_async_handlers_and_models_are_recorded_for_the_core():
    app = FastAPI()
    app.post("/items", isolated=False)(create_from_model)
    (route,) = app.routes
    assert route.is_async
    assert route.isolated is False
    assert route.params[0].source == "body"
    assert route.params[0].schema == {"type": "model", "cls": BaseModel}
