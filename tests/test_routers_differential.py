"""Apps organised with `APIRouter` must route and answer as on FastAPI.

`apps/routers_app.py` (prefixes, tags, nested routers, include prefixes, a prefix with a
path parameter, routes on the prefix itself, the same handler name in two routers, status
codes and response classes given on routes, routers and includes) is served by FastAPI
through its TestClient and by FasterAPI over a real socket.
"""

from __future__ import annotations

import httpx
import pytest

REQUESTS = [
    # A router with a prefix, and every method decorator.
    ("GET", "/things/"),
    ("GET", "/things/?limit=3"),
    ("POST", "/things/"),
    ("GET", "/things/5"),
    ("PUT", "/things/5"),
    ("PATCH", "/things/5"),
    ("DELETE", "/things/5"),
    ("GET", "/things/x"),
    ("HEAD", "/things/5/meta"),
    ("OPTIONS", "/things/5/meta"),
    ("GET", "/things/5/either"),
    ("PUT", "/things/5/either"),
    # A path parameter in the prefix, and a route on the prefix itself.
    ("GET", "/users/7"),
    ("GET", "/users/abc"),
    ("GET", "/users/7/items/x"),
    ("GET", "/users/7/items/x?q=a%20b"),
    ("GET", "/users/abc/items/x"),
    ("POST", "/users/7/items"),
    # Nested routers, with and without an include prefix.
    ("GET", "/api/"),
    ("GET", "/api/v1/status"),
    ("GET", "/api/beta/v2/status"),
    ("GET", "/api/v1/echo/hi"),
    ("POST", "/api/v1/echo/hi"),
    ("DELETE", "/api/v1/echo/hi"),
    # The same handler name in two routers.
    ("GET", "/people/"),
    ("GET", "/stock/"),
    # A router's own prefix under an include prefix.
    ("GET", "/admin/reports"),
    ("GET", "/admin/reports/daily/"),
    # The same path in two routers.
    ("GET", "/shared/board"),
    ("POST", "/shared/board"),
    # Response classes and status codes.
    ("GET", "/pages/about"),
    ("POST", "/pages/made"),
    ("GET", "/texts/hello"),
    ("GET", "/texts/page"),
    ("GET", "/texts/none"),
    ("GET", "/inc/html/default"),
    ("GET", "/inc/html/own"),
    ("GET", "/both/which"),
    ("GET", "/outer/inner/value"),
    ("GET", "/"),
]

REDIRECTS = [
    ("GET", "/things"),
    ("GET", "/things?limit=3"),
    ("POST", "/things"),
    ("GET", "/things/5/"),
    ("DELETE", "/things/5/"),
    ("GET", "/users/7/"),
    ("GET", "/users/7/?x=1"),
    ("GET", "/users/7/items/x/"),
    ("GET", "/users/7/items/"),
    ("GET", "/api"),
    ("GET", "/api/v1/status/"),
    ("GET", "/api/beta/v2/status/"),
    ("GET", "/people"),
    ("GET", "/stock"),
    ("GET", "/admin/reports/"),
    ("GET", "/admin/reports/daily"),
    ("GET", "/shared/board/"),
    ("POST", "/shared/board/"),
    ("GET", "/texts/hello/"),
]

NOT_FOUND = [
    ("GET", "/nope"),
    ("GET", "/users"),
    ("GET", "/users/"),
    ("GET", "/api/v1"),
    ("GET", "/api/v1/"),
    ("GET", "/api/v2/status"),
    ("GET", "/api/beta/status"),
    ("GET", "/v1/status"),
    ("GET", "/reports"),
    ("GET", "/reports/daily/"),
    ("GET", "/admin"),
    ("GET", "/html/default"),
    ("GET", "/inc/default"),
    ("GET", "/inner/value"),
    ("GET", "/outer/value"),
    ("GET", "/things/5/6"),
]

NOT_ALLOWED = [
    ("POST", "/things/5"),
    ("HEAD", "/things/5"),
    ("OPTIONS", "/things/5"),
    ("GET", "/things/5/meta"),
    ("POST", "/things/5/either"),
    ("HEAD", "/things/5/either"),
    ("GET", "/users/7/items"),
    ("DELETE", "/users/7"),
    ("PUT", "/api/v1/echo/hi"),
    ("POST", "/api/v1/status"),
    ("PUT", "/shared/board"),
    ("DELETE", "/people/"),
    ("GET", "/pages/made"),
    ("PUT", "/admin/reports"),
]

COMPARED_HEADERS = ["content-type", "content-length", "location"]


@pytest.fixture(scope="module")
def ours(start_module_server):
    server = start_module_server("routers_app:app")
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def theirs():
    from fastapi_twin import fastapi_client

    with fastapi_client("routers_app.py") as client:
        yield client


def _allowed(response: httpx.Response) -> set[str]:
    return {method.strip() for method in response.headers.get("allow", "").split(",") if method}


def _compare(ours: httpx.Client, theirs, method: str, url: str) -> httpx.Response:
    """Sends the request to both; asserts the same answer; returns FastAPI's."""
    mine = ours.request(method, url, headers={"host": "testserver"})
    reference = theirs.request(method, url)
    assert (mine.status_code, mine.content) == (reference.status_code, reference.content)
    for header in COMPARED_HEADERS:
        assert mine.headers.get(header) == reference.headers.get(header), header
    # FastAPI joins a Python set for `Allow`, so only its members are comparable.
    assert _allowed(mine) == _allowed(reference)
    return reference


def _ids(requests: list[tuple[str, str]]) -> list[str]:
    return [f"{method} {url}" for method, url in requests]


@pytest.mark.parametrize(("method", "url"), REQUESTS, ids=_ids(REQUESTS))
def test_router_routes_answer_as_on_fastapi(ours, theirs, method, url):
    reference = _compare(ours, theirs, method, url)
    assert reference.status_code < 300 or reference.status_code == 422


@pytest.mark.parametrize(("method", "url"), REDIRECTS, ids=_ids(REDIRECTS))
def test_trailing_slash_redirects_cross_router_prefixes_as_on_fastapi(ours, theirs, method, url):
    assert _compare(ours, theirs, method, url).status_code == 307


@pytest.mark.parametrize(("method", "url"), NOT_FOUND, ids=_ids(NOT_FOUND))
def test_paths_outside_every_router_are_404_as_on_fastapi(ours, theirs, method, url):
    assert _compare(ours, theirs, method, url).status_code == 404


@pytest.mark.parametrize(("method", "url"), NOT_ALLOWED, ids=_ids(NOT_ALLOWED))
def test_methods_not_declared_in_routers_are_405_as_on_fastapi(ours, theirs, method, url):
    assert _compare(ours, theirs, method, url).status_code == 405
