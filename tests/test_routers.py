"""`APIRouter`: an app split over modules serves every router's routes, and what routers,
includes and route decorators are given is checked and recorded as FastAPI does.

The recorded options are compared with the `APIRoute`s FastAPI builds for the same
construction; `test_routers_differential.py` compares the answers to requests.
"""

from __future__ import annotations

import re
from itertools import product

import fastapi
import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

import fasterapi
from fasterapi import APIRouter, FastAPI
from fasterapi.responses import HTMLResponse


@pytest.fixture(scope="module")
def package_server(start_module_server):
    """`apps/routers_pkg`: routers defined in `users.py` and `items.py`, included by
    `main.py`."""
    return start_module_server("routers_pkg.main:app")


@pytest.fixture(scope="module")
def package(package_server):
    with httpx.Client(base_url=package_server.base_url, timeout=30) as client:
        yield client


def test_the_app_serves_its_own_route(package):
    response = package.get("/")
    assert (response.status_code, response.json()) == (200, {"routers": ["users", "items"]})


def test_the_users_module_router_serves_under_its_prefix(package):
    assert package.get("/users/").json() == [{"id": 1, "name": "ada"}, {"id": 2, "name": "bob"}]
    assert package.get("/users/2").json() == {"id": 2, "name": "bob", "module": "routers_pkg.users"}


def test_the_items_module_router_serves_under_both_prefixes(package):
    response = package.get("/v1/items/9?q=x")
    assert response.json() == {"id": 9, "q": "x", "module": "routers_pkg.items"}
    assert package.get("/items/9").status_code == 404


def test_a_dataclass_body_from_a_router_module(package):
    response = package.post("/v1/items/", json={"name": "bolt", "price": 1.5})
    assert response.status_code == 201
    assert response.json() == {"item": {"name": "bolt", "price": 1.5, "tags": []}, "total": 3.0}
    response = package.post("/v1/items/", json={"name": "bolt"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["body", "price"],
                "msg": "Field required",
                "input": {"name": "bolt"},
            }
        ]
    }


def test_the_startup_log_counts_the_routes_of_every_router(package_server):
    assert (
        "2 sub-interpreters (in parallel) serve 5 routes from "
        "routers_pkg.users, routers_pkg.items, routers_pkg.main"
    ) in package_server.output


# Checks when routers are made, included and decorated.


def plain_handler():
    return {}


def documented_handler():
    """Reads the thing.

    In detail.
    \f
    Not for the docs.
    """
    return {}


def numbers():
    yield 1


async def async_numbers():
    yield 1


def _router_with_a_route() -> APIRouter:
    router = APIRouter()
    router.get("/x")(plain_handler)
    return router


BAD_PREFIXES = [
    ("items", "must start with '/'"),
    ("items/", "must start with '/'"),
    ("/items/", "must not end with '/'"),
    ("/", "must not end with '/'"),
]


@pytest.mark.parametrize(("prefix", "message"), BAD_PREFIXES)
@pytest.mark.parametrize("includer", [FastAPI, APIRouter])
def test_include_router_refuses_a_bad_prefix(includer, prefix, message):
    with pytest.raises(ValueError, match=message):
        includer().include_router(_router_with_a_route(), prefix=prefix)


@pytest.mark.parametrize(("prefix", "message"), BAD_PREFIXES)
def test_a_router_refuses_a_bad_prefix(prefix, message):
    with pytest.raises(ValueError, match=message):
        APIRouter(prefix=prefix)


@pytest.mark.parametrize(
    ("owner", "path"),
    [(FastAPI, "items"), (FastAPI, "items/{item_id}"), (FastAPI, ""), (APIRouter, "items")],
)
def test_a_route_path_must_start_with_a_slash(owner, path):
    """FastAPI accepts these: on an app no request can match them, and a router's is glued
    to the include prefix ("/x" + "items" is "/xitems")."""
    with pytest.raises(ValueError, match=re.escape(f"route path {path!r} must start with '/'")):
        owner().get(path)(plain_handler)


def test_an_empty_path_on_a_router_without_a_prefix_takes_the_include_prefix():
    """FastAPI accepts `@router.get("")` on a router without a prefix, and serves it at
    the prefix it is included with."""
    router = APIRouter()
    router.get("")(plain_handler)
    app = FastAPI()
    app.include_router(router, prefix="/things")
    assert [route.path for route in app.routes] == ["/things"]


def test_an_empty_path_included_without_a_prefix_is_refused():
    """FastAPI: "Prefix and path cannot be both empty"."""
    router = APIRouter()
    router.get("")(plain_handler)
    with pytest.raises(ValueError, match="Prefix and path cannot be both empty"):
        FastAPI().include_router(router)


@pytest.mark.parametrize("handler", [numbers, async_numbers])
@pytest.mark.parametrize("owner", [FastAPI, lambda: APIRouter(prefix="/r")])
def test_generator_handlers_are_refused_naming_the_handler(owner, handler):
    """FastAPI streams what they yield as JSON Lines; FasterAPI does not yet."""
    with pytest.raises(
        TypeError, match=re.escape(f"{__name__}.{handler.__qualname__} is a generator")
    ):
        owner().get("/stream")(handler)


NOT_RESPONSE_CLASSES = [dict, str, object, HTMLResponse(), "HTMLResponse"]


@pytest.mark.parametrize("response_class", NOT_RESPONSE_CLASSES)
def test_a_response_class_that_is_not_a_response_subclass_is_refused(response_class):
    with pytest.raises(TypeError, match="response_class must be a Response subclass"):
        APIRouter(prefix="/r").get("/x", response_class=response_class)(plain_handler)


@pytest.mark.parametrize("response_class", NOT_RESPONSE_CLASSES)
def test_a_default_response_class_that_is_not_a_response_subclass_is_refused(response_class):
    with pytest.raises(TypeError, match="response_class must be a Response subclass"):
        APIRouter(default_response_class=response_class).get("/x")(plain_handler)
    with pytest.raises(TypeError, match="response_class must be a Response subclass"):
        FastAPI().include_router(_router_with_a_route(), default_response_class=response_class)


# Route options, compared with the routes FastAPI builds for the same construction.


def _fastapi_routes(app: fastapi.FastAPI) -> list:
    """FastAPI's path operations, included routers flattened, in declaration order."""
    contexts = iter_route_contexts(app.routes)
    return [context for context in contexts if isinstance(context.original_route, APIRoute)]


def _recorded(route) -> dict:
    return {
        "path": route.path,
        "methods": set(route.methods),
        "tags": list(route.tags),
        "summary": route.summary,
        "deprecated": route.deprecated,
        "include_in_schema": route.include_in_schema,
        "name": route.name,
        "operation_id": route.operation_id,
        "status_code": route.status_code,
    }


def _build_with_options(lib):
    """Route options given at every level: route, router, nested include, app include."""
    app = lib.FastAPI()
    router = lib.APIRouter(prefix="/router", tags=["router"])
    sub = lib.APIRouter(prefix="/sub", tags=["sub", "shared"])
    sub.get(
        "/all",
        tags=["route"],
        summary="All of it",
        description="Every option given.",
        deprecated=True,
        include_in_schema=False,
        name="everything",
        operation_id="get_everything",
        status_code=202,
    )(plain_handler)
    sub.post("/bare")(plain_handler)
    sub.api_route("/both", methods=["GET", "PUT"], tags=["shared"])(plain_handler)
    router.get("/own", tags=["own"], summary="Own")(plain_handler)
    router.include_router(sub, prefix="/inner", tags=["inner-include"])
    app.include_router(router, prefix="/outer", tags=["outer-include"])
    app.get("/direct", tags=["direct"], name="direct_route")(plain_handler)
    return app


def test_route_options_are_recorded_as_on_fastapi():
    ours = [_recorded(route) for route in _build_with_options(fasterapi).routes]
    theirs = [_recorded(route) for route in _fastapi_routes(_build_with_options(fastapi))]
    assert ours == theirs
    assert ours[1] == {
        "path": "/outer/router/inner/sub/all",
        "methods": {"GET"},
        "tags": ["outer-include", "router", "inner-include", "sub", "shared", "route"],
        "summary": "All of it",
        "deprecated": True,
        "include_in_schema": False,
        "name": "everything",
        "operation_id": "get_everything",
        "status_code": 202,
    }


def test_an_explicit_description_is_recorded_as_on_fastapi():
    ours = _build_with_options(fasterapi).routes[1]
    theirs = _fastapi_routes(_build_with_options(fastapi))[1]
    assert ours.description == theirs.description == "Every option given."


def _build_with_docstrings(lib):
    app = lib.FastAPI()
    router = lib.APIRouter(prefix="/r")
    router.get("/documented")(documented_handler)
    router.get("/plain")(plain_handler)
    app.include_router(router)
    app.get("/documented")(documented_handler)
    return app


def test_the_description_defaults_to_the_docstring_as_on_fastapi():
    ours = [route.description for route in _build_with_docstrings(fasterapi).routes]
    theirs = [route.description for route in _fastapi_routes(_build_with_docstrings(fastapi))]
    assert theirs == ["Reads the thing.\n\nIn detail.", "", "Reads the thing.\n\nIn detail."]
    assert ours == theirs


FLAGS = [None, False, True]


def _build_flag_matrix(lib, flags, option: str):
    """One route per combination of `option` given on the route, its router, the include of
    that router into an outer router, the outer router, and the include into the app."""
    app = lib.FastAPI()
    for index, (route, sub, inner, outer, include) in enumerate(product(flags, repeat=5)):

        def given(value):
            return {} if value is None else {option: value}

        outer_router = lib.APIRouter(prefix=f"/{index}", **given(outer))
        sub_router = lib.APIRouter(prefix="/sub", **given(sub))
        sub_router.get("/x", **given(route))(plain_handler)
        outer_router.include_router(sub_router, **given(inner))
        app.include_router(outer_router, **given(include))
    return app


def test_deprecated_combines_over_routers_as_on_fastapi():
    # Compared as truth values: FastAPI's `or` chains leave None or False where nothing
    # is deprecated, in an order that only its OpenAPI output (which omits both) reads.
    ours = [
        (r.path, bool(r.deprecated))
        for r in _build_flag_matrix(fasterapi, FLAGS, "deprecated").routes
    ]
    built = _build_flag_matrix(fastapi, FLAGS, "deprecated")
    theirs = [(r.path, bool(r.deprecated)) for r in _fastapi_routes(built)]
    assert len(ours) == 3**5
    assert ours == theirs


def test_include_in_schema_combines_over_routers_as_on_fastapi():
    flags = [None, False]  # None: left out, which is True
    app = _build_flag_matrix(fasterapi, flags, "include_in_schema")
    ours = [(r.path, r.include_in_schema) for r in app.routes]
    built = _build_flag_matrix(fastapi, flags, "include_in_schema")
    theirs = [(r.path, r.include_in_schema) for r in _fastapi_routes(built)]
    assert len(ours) == 2**5
    assert ours == theirs
    assert [included for _, included in ours].count(True) == 1


def test_a_route_keeps_its_handler_name_unless_named():
    app = _build_with_options(fasterapi)
    assert [route.name for route in app.routes] == [
        "plain_handler",
        "everything",
        "plain_handler",
        "plain_handler",
        "direct_route",
    ]


UNSUPPORTED_OPTIONS = [
    {"response_model": dict},
    {"responses": {404: {}}},
    {"dependencies": []},
    {"callbacks": []},
    {"openapi_extra": {}},
    {"generate_unique_id_function": str},
]


@pytest.mark.parametrize("option", UNSUPPORTED_OPTIONS, ids=lambda option: next(iter(option)))
@pytest.mark.parametrize("owner", [FastAPI, APIRouter])
def test_fastapi_options_not_supported_yet_are_refused_naming_them(owner, option):
    with pytest.raises(TypeError, match=f"unsupported route option.*{next(iter(option))}"):
        owner().get("/x", **option)(plain_handler)


def test_isolated_false_survives_the_includes():
    router = APIRouter(prefix="/r")
    router.get("/main-only", isolated=False)(plain_handler)
    router.get("/anywhere")(plain_handler)
    app = FastAPI()
    app.include_router(router, prefix="/v1")
    assert [(route.path, route.isolated) for route in app.routes] == [
        ("/v1/r/main-only", False),
        ("/v1/r/anywhere", None),
    ]


def test_a_route_added_to_a_router_after_it_was_included_is_included_too():
    """FastAPI 0.165 keeps included routers as they are, so later routes count."""
    router = APIRouter(prefix="/late")
    app = FastAPI()
    app.include_router(router, prefix="/v1")
    router.get("/after")(plain_handler)
    assert [route.path for route in app.routes] == ["/v1/late/after"]


def test_a_router_cannot_include_itself_or_a_router_that_includes_it():
    outer, inner = APIRouter(), APIRouter()
    with pytest.raises(AssertionError, match="into itself"):
        outer.include_router(outer)
    outer.include_router(inner)
    with pytest.raises(AssertionError, match="already includes this router"):
        inner.include_router(outer)
