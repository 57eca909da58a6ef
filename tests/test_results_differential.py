"""Handler results: FasterAPI must encode what a handler returns as FastAPI's
`jsonable_encoder` and JSON response do, byte for byte, and refuse (500) what they refuse.

`apps/results_app.py` returns one kind of value per route, served by FastAPI through its
TestClient and by FasterAPI over a real socket.
"""

from __future__ import annotations

import httpx
import pytest

ENCODED = [
    "dataclass",
    "dataclasses-in-dict",
    "enums",
    "str-enum",
    "int-enum",
    "tuple-enum",
    "uuid",
    "datetimes",
    "date",
    "times",
    "timedeltas",
    "decimals",
    "sets",
    "tuples",
    "generator",
    "deque",
    "bytes",
    "paths",
    "ip",
    "pattern",
    "enum-keys",
    "plain-keys",
    "object-keys",
    "colliding-keys",
    "duplicate-json-keys",
    "sqlalchemy-keys",
    "plain-object",
    "pairs-object",
    "mapping",
    "large-ints",
    "subclasses",
    "nothing",
]

REFUSED = [
    "nan",
    "infinity",
    "decimal-nan",
    "object",
    "slotted-object",
    "set-beside-bad-key",
    "set-beside-object-key",
    "tuple-enum-key",
    "datetime-enum",
    "bad-bytes",
    "dataclass-class",
]

COMPARED_HEADERS = ["content-type", "content-length"]


@pytest.fixture(scope="module")
def ours(start_module_server):
    server = start_module_server("results_app:app")
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def theirs():
    from fastapi_twin import fastapi_client

    with fastapi_client("results_app.py") as client:
        yield client


def _same(ours: httpx.Response, theirs: httpx.Response) -> None:
    assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
    for header in COMPARED_HEADERS:
        assert ours.headers.get(header) == theirs.headers.get(header), header


@pytest.mark.parametrize("name", ENCODED)
def test_results_encode_as_on_fastapi(ours, theirs, name):
    response = theirs.get(f"/r/{name}")
    assert response.status_code == 200
    _same(ours.get(f"/r/{name}"), response)


@pytest.mark.parametrize("name", REFUSED)
def test_unencodable_results_fail_as_on_fastapi(ours, theirs, name):
    response = theirs.get(f"/r/{name}")
    assert response.status_code == 500
    _same(ours.get(f"/r/{name}"), response)


@pytest.mark.parametrize("code", ["7", "-1", "x"])
def test_declared_status_code(ours, theirs, code):
    _same(ours.get(f"/status/{code}"), theirs.get(f"/status/{code}"))
