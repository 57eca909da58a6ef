"""Handler shapes are checked when decorated, with a message that says how to fix them."""

from __future__ import annotations

import sys

import pytest

from fasterapi import FastAPI, FasterAPI


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
    assert [(p.name, p.source, p.kind, p.required, p.nullable) for p in route.params] == [
        ("user_id", "path", "int", True, False),
        ("q", "query", "str", False, True),
    ]


def make_local():
    def local_handler():
        return {}

    return local_handler


async def async_handler():
    return {}


def takes_a_list(values: list[int]):
    return values


def takes_varargs(*args):
    return args


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        (lambda: {}, "a lambda cannot be a FasterAPI handler"),
        (make_local(), "is defined inside a function"),
        (print, "must be a plain function"),
        (async_handler, "`async def` handlers are not supported yet"),
        (takes_a_list, "parameter 'values' has type list[int]"),
        (takes_varargs, "*args and **kwargs cannot be request parameters"),
    ],
)
def test_unservable_handlers_are_refused_when_decorated(handler, message):
    app = FasterAPI()
    with pytest.raises(TypeError) as info:
        app.get("/")(handler)
    assert message in str(info.value)
