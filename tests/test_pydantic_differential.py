"""pydantic models on main-interpreter routes: the same app on FastAPI and FasterAPI must
answer alike (`apps/pydantic_app.py`), valid bodies and refused ones."""

from __future__ import annotations

import httpx
import pytest

JSON = {"content-type": "application/json"}

CASES = [
    ("/items", '{"name": "ab", "price": 2}'),
    ("/items", '{"name": "ab", "price": 2, "tags": ["x", "y"]}'),
    ("/items", '{"name": "a", "price": -1}'),
    ("/items", '{"price": "x"}'),
    ("/items", '{"name": "ab", "price": 2, "tags": "x"}'),
    ("/items", '{"name": 5, "price": 2}'),
    ("/items", '{"name": "ab", "price": 2, "extra": 1}'),
    ("/items", "[1]"),
    ("/items", "null"),
    ("/items", '"text"'),
    ("/items", ""),
    ("/items", '{"name": "ab",'),
    ("/items", '{"name": "\\u00e9t\\u00e9", "price": 1e3}'),
    ("/items/3?q=z", '{"name": "ab", "price": 2}'),
    ("/items/x", '{"name": "ab", "price": 2}'),
    ("/items/3", '{"name": "a", "price": 2}'),
    ("/pairs", '{"item": {"name": "ab", "price": 2}, "owner": {"id": 1}}'),
    ("/pairs", '{"item": {"name": "ab", "price": 2}, "owner": {"id": "x"}}'),
    ("/pairs", '{"item": {"name": "ab", "price": 2}}'),
    ("/pairs", '{"name": "ab", "price": 2}'),
    ("/pairs", "[]"),
    ("/embedded", '{"item": {"name": "ab", "price": 2}}'),
    ("/embedded", '{"item": {"name": "a", "price": 0}}'),
    ("/embedded", '{"name": "ab", "price": 2}'),
    ("/optional", "null"),
    ("/optional", ""),
    ("/optional", '{"name": "ab", "price": 2}'),
    ("/optional", '{"name": "ab"}'),
    ("/async-items", '{"name": "ab", "price": 2}'),
    ("/async-items", '{"name": "ab", "price": "free"}'),
]


@pytest.fixture(scope="module")
def ours(start_module_server):
    server = start_module_server("pydantic_app:app")
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def theirs():
    from fastapi_twin import fastapi_client

    with fastapi_client("pydantic_app.py") as client:
        yield client


def _same(ours: httpx.Response, theirs: httpx.Response) -> None:
    assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
    assert ours.headers["content-type"] == theirs.headers["content-type"]


@pytest.mark.parametrize(("url", "body"), CASES, ids=[f"{u} {b[:40]}" for u, b in CASES])
def test_model_bodies_match_fastapi(ours, theirs, url, body):
    _same(
        ours.post(url, content=body.encode(), headers=JSON),
        theirs.post(url, content=body.encode(), headers=JSON),
    )


def test_model_results_match_fastapi(ours, theirs):
    _same(ours.get("/models"), theirs.get("/models"))
