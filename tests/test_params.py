"""Parameter behaviour that is FasterAPI's own: what never reaches Python, and the
documented differences from FastAPI (docs/parameters.md)."""

from __future__ import annotations

import httpx
import pytest

JSON = {"content-type": "application/json"}

BAD_REQUESTS = [
    ("/items/x", {"name": "a", "price": 1}, {}),
    ("/items/1", {"name": "a"}, {}),
    ("/items/1", {"name": "a", "price": "cheap"}, {}),
    ("/items/1", {"name": "a", "price": 1}, {"x-count": "many"}),
    ("/items/1", None, {}),
]


def test_invalid_requests_never_run_the_handler(start_server, tmp_path):
    calls = tmp_path / "calls.txt"
    calls.write_text("")
    server = start_server("counting_app:app", "--interpreters", "2", env={"CALLS_FILE": str(calls)})
    with httpx.Client(base_url=server.base_url) as client:
        for url, body, headers in BAD_REQUESTS:
            response = client.post(url, json=body, headers=headers)
            assert response.status_code == 422, response.text
        assert client.post("/items/1", content=b"{oops", headers=JSON).status_code == 422
        assert client.post("/items/1", content=b'"\xff"', headers=JSON).status_code == 400
        assert calls.read_text() == ""
        assert client.post("/items/7", json={"name": "a", "price": 1}).status_code == 200
    assert calls.read_text() == "7\n"


@pytest.mark.parametrize("depth", [100, 1400])
def test_deeply_nested_bodies_within_every_limit_are_parsed(params_client, depth):
    body = b"[" * depth + b"]" * depth
    response = params_client.post("/depth", content=body, headers=JSON)
    assert (response.status_code, response.json()) == (200, depth)


def test_bodies_nested_beyond_the_interpreter_limit_are_unreadable(params_client):
    depth = 10_000  # beyond CPython's limit on 3.12 (1497) and 3.13 (9998)
    response = params_client.post("/list", content=b"[" * depth + b"]" * depth, headers=JSON)
    assert response.status_code == 400
    assert response.json() == {"detail": "There was an error parsing the body"}
