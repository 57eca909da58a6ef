"""The same app on FastAPI and on FasterAPI must answer every request identically.

FastAPI runs in-process through its TestClient; FasterAPI is a real server over a real
socket. Status, body bytes and the headers a client relies on must match.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi_twin import fastapi_client

BIG = "9" * 4300
TOO_BIG = "9" * 4301

REQUESTS = [
    # routing
    ("GET", "/"),
    ("GET", "/nope"),
    ("GET", "/nope/"),
    ("GET", "/users"),
    ("GET", "/users/"),
    ("GET", "/users/7/"),
    ("GET", "/users/7/?q=a%20b"),
    ("POST", "/users/7"),
    ("PUT", "/users/7"),
    ("DELETE", "/users/7"),
    ("PATCH", "/users/abc"),
    ("HEAD", "/users/7"),
    ("OPTIONS", "/"),
    ("HEAD", "/"),
    ("POST", "/create"),
    ("POST", "/create/"),
    ("GET", "/create/"),
    ("GET", "/create"),
    ("GET", "/multi"),
    ("POST", "/multi"),
    ("GET", "/multi/"),
    ("GET", "/static/5"),
    ("GET", "/static/x"),
    # int path and query parameters
    ("GET", "/users/7"),
    ("GET", "/users/7?q=x"),
    ("GET", "/users/7?q=x&limit=3"),
    ("GET", "/users/-7"),
    ("GET", "/users/+7"),
    ("GET", "/users/007"),
    ("GET", "/users/%207"),
    ("GET", "/users/7.0"),
    ("GET", "/users/7.00"),
    ("GET", "/users/1_000"),
    ("GET", f"/users/{BIG}"),
    ("GET", "/users/99999999999999999999999"),
    ("GET", "/users/-99999999999999999999999"),
    ("GET", "/users/abc"),
    ("GET", "/users/7."),
    ("GET", "/users/7.5"),
    ("GET", "/users/1e3"),
    ("GET", "/users/0x10"),
    ("GET", "/users/1__0"),
    ("GET", "/users/_1"),
    ("GET", "/users/%D9%A1"),
    ("GET", f"/users/{TOO_BIG}"),
    ("GET", "/users/abc?limit=x"),
    ("GET", "/users/7?limit="),
    ("GET", "/users/7?limit=1&limit=2"),
    ("GET", "/users/7?limit=2&limit=x"),
    ("GET", "/users/7?q="),
    ("GET", "/users/7?q=a+b%20c"),
    ("GET", "/users/7?q=%E2%82%AC%F0%9F%98%80"),
    ("GET", "/users/7?q=%FF"),
    ("GET", "/users/7?q=%22quoted%22%5C"),
    ("GET", "/users/%E2%82%AC"),
    ("GET", "/users/7?unknown=1"),
    # str, float and bool
    ("GET", "/items/a%2Fb"),
    ("GET", "/items/caf%C3%A9?price=2"),
    ("GET", "/items/x?price=-1.5e3"),
    ("GET", "/items/x?price=.5"),
    ("GET", "/items/x?price=5."),
    ("GET", "/items/x?price=1_0.5"),
    ("GET", "/items/x?price=%201.5"),
    ("GET", "/items/x?price=1E5"),
    ("GET", "/items/x?price=abc"),
    ("GET", "/items/x?price=1__0.5"),
    ("GET", "/items/x?price=nan%281%29"),
    ("GET", "/items/x?price=inf"),
    ("GET", "/items/x?price=-Infinity"),
    ("GET", "/items/x?price=NaN"),
    ("GET", "/items/x?price=1e400"),
    *[
        ("GET", f"/items/x?active={word}")
        for word in [
            "true",
            "True",
            "TRUE",
            "1",
            "yes",
            "on",
            "t",
            "y",
            "Yes",
            "false",
            "0",
            "no",
            "off",
            "f",
            "n",
            "OFF",
            "2",
            "",
            "%20true",
            "truee",
            "00",
            "1.0",
        ]
    ],
    ("GET", "/required"),
    ("GET", "/required?a=x&b=y&c=z&d=w"),
    ("GET", "/required?a=1&b=true&c=1.5&d="),
    ("GET", "/required?d=1&c=2&b=no&a=-3"),
    ("GET", "/optional-int"),
    ("GET", "/optional-int?n=4&flag=off"),
    ("GET", "/optional-int?n=&flag="),
    # results
    ("GET", "/values"),
    ("GET", "/text"),
    ("GET", "/none"),
    ("GET", "/number"),
    ("GET", "/boom"),
    ("GET", "/nan"),
    ("GET", "/surrogate"),
    ("GET", "/unserializable"),
    *[("GET", f"/floats/{seed}") for seed in range(8)],
]

COMPARED_HEADERS = ["content-type", "content-length", "location"]


@pytest.fixture(scope="module")
def fastapi():
    with fastapi_client("basic_app.py") as client:
        yield client


@pytest.mark.parametrize(("method", "url"), REQUESTS, ids=[f"{m} {u[:60]}" for m, u in REQUESTS])
def test_same_response_as_fastapi(client: httpx.Client, fastapi, method: str, url: str) -> None:
    ours = client.request(method, url, headers={"host": "testserver"})
    theirs = fastapi.request(method, url)
    assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
    for header in COMPARED_HEADERS:
        assert ours.headers.get(header) == theirs.headers.get(header), header
    # FastAPI joins a Python set for `Allow`, so only its members are comparable.
    assert _allowed(ours) == _allowed(theirs)


def _allowed(response: httpx.Response) -> set[str]:
    return {method.strip() for method in response.headers.get("allow", "").split(",") if method}
