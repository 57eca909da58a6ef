"""The apps in `examples/`, served by real servers as their docstrings say to run them."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from server_process import ServerProcess

EXAMPLES = Path(__file__).parent.parent / "examples"


class ExampleClient(httpx.Client):
    """A client of one example's server."""

    def __init__(self, server: ServerProcess) -> None:
        super().__init__(base_url=server.base_url, timeout=30)
        self.server = server


@pytest.fixture
def serve(start_server, tmp_path: Path) -> Iterator[Callable[..., ExampleClient]]:
    """Serves an example (`python -m fasterapi run TARGET`, with `examples/` as its
    PYTHONPATH and two interpreters); gives a client of it. The CRUD example's database
    is a fresh file in the test's folder."""
    clients: list[ExampleClient] = []

    def serve(target: str, *args: str) -> ExampleClient:
        env = {"PYTHONPATH": str(EXAMPLES), "CRUD_DB": str(tmp_path / "crud.sqlite3")}
        client = ExampleClient(start_server(target, "--interpreters", "2", *args, env=env))
        clients.append(client)
        return client

    yield serve
    for client in clients:
        client.close()


# hello.py


def test_hello(serve):
    client = serve("hello:app")
    assert client.get("/").json() == {"message": "Hello, World!"}
    assert client.get("/users/7", params={"q": "x"}).json() == {
        "user_id": 7,
        "q": "x",
        "limit": 10,
    }
    invalid = client.get("/users/abc")
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["type"] == "int_parsing"


# crud/


def test_crud_users(serve):
    client = serve("crud.main:app")
    created = client.post("/users", json={"name": "Ada", "email": "ada@example.com"})
    assert created.status_code == 201
    assert created.json() == {"id": 1, "name": "Ada", "email": "ada@example.com"}
    assert client.post("/users", json={"name": "Bob", "email": "bob@example.com"}).json()["id"] == 2

    assert client.get("/users/1").json() == created.json()
    assert [user["name"] for user in client.get("/users").json()] == ["Ada", "Bob"]
    assert [u["id"] for u in client.get("/users", params={"skip": 1, "limit": 1}).json()] == [2]

    missing = client.get("/users/99")
    assert (missing.status_code, missing.json()) == (404, {"detail": "User not found"})

    deleted = client.delete("/users/2")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert client.get("/users/2").status_code == 404
    assert client.delete("/users/2").status_code == 404


def test_crud_user_bodies_are_validated(serve):
    client = serve("crud.main:app")
    bad_email = client.post("/users", json={"name": "Bob", "email": "bob"})
    assert bad_email.status_code == 422
    assert bad_email.json() == {
        "detail": [
            {
                "type": "value_error",
                "loc": ["body"],
                "msg": "Value error, email must contain '@'",
                "input": {"name": "Bob", "email": "bob"},
                "ctx": {"error": {}},
            }
        ]
    }
    missing = client.post("/users", json={"name": "Bob"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["type"] == "missing"
    assert missing.json()["detail"][0]["loc"] == ["body", "email"]
    malformed = client.post("/users", content=b"{", headers={"content-type": "application/json"})
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["type"] == "json_invalid"


def test_crud_items(serve):
    client = serve("crud.main:app")
    owner = client.post("/users", json={"name": "Ada", "email": "ada@example.com"}).json()
    lamp = client.post(
        "/items", json={"name": "lamp", "price": 12.5, "tags": ["home"], "owner_id": owner["id"]}
    )
    assert lamp.status_code == 201
    assert lamp.json() == {"id": 1, "name": "lamp", "price": 12.5, "tags": ["home"], "owner_id": 1}
    chair = client.post("/items", json={"name": "Chair", "price": 40, "tags": ["home", "wood"]})
    assert chair.json() == {
        "id": 2,
        "name": "Chair",
        "price": 40.0,
        "tags": ["home", "wood"],
        "owner_id": None,
    }

    assert client.get("/items/1").json() == lamp.json()

    def names(**params) -> list[str]:
        response = client.get("/items", params=params)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()]

    assert names() == ["lamp", "Chair"]
    assert names(q="LA") == ["lamp"]
    assert names(tag="wood") == ["Chair"]
    assert names(max_price=20) == ["lamp"]
    assert names(tag="home", skip=1, limit=1) == ["Chair"]
    assert [item["id"] for item in client.get("/users/1/items").json()] == [1]

    replaced = client.put("/items/1", json={"name": "desk lamp", "price": 14})
    assert replaced.status_code == 200
    assert replaced.json() == {
        "id": 1,
        "name": "desk lamp",
        "price": 14.0,
        "tags": [],
        "owner_id": None,
    }
    assert client.get("/items/1").json() == replaced.json()
    assert client.get("/users/1/items").json() == []

    deleted = client.delete("/items/1")
    assert (deleted.status_code, deleted.content) == (204, b"")
    for response in (
        client.get("/items/1"),
        client.put("/items/1", json={"name": "x", "price": 1}),
        client.delete("/items/1"),
    ):
        assert (response.status_code, response.json()) == (404, {"detail": "Item not found"})

    unknown_owner = client.post("/items", json={"name": "x", "price": 1, "owner_id": 9})
    assert (unknown_owner.status_code, unknown_owner.json()) == (404, {"detail": "Owner not found"})
    assert client.get("/users/9/items").status_code == 404
    assert client.get("/health").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"limit": 0}, [("greater_than_equal", "limit")]),
        ({"limit": 101}, [("less_than_equal", "limit")]),
        ({"skip": -1, "q": ""}, [("string_too_short", "q"), ("greater_than_equal", "skip")]),
        ({"q": "x" * 51}, [("string_too_long", "q")]),
        ({"max_price": 0}, [("greater_than", "max_price")]),
        ({"limit": "ten"}, [("int_parsing", "limit")]),
    ],
)
def test_crud_query_constraints(serve, params, errors):
    client = serve("crud.main:app")
    response = client.get("/items", params=params)
    assert response.status_code == 422
    assert [(e["type"], e["loc"][1]) for e in response.json()["detail"]] == errors


def test_crud_item_bodies_are_validated(serve):
    client = serve("crud.main:app")
    negative = client.post("/items", json={"name": "x", "price": -1})
    assert negative.status_code == 422
    assert negative.json()["detail"][0]["msg"] == "Value error, price must not be negative"
    wrong_types = client.post("/items", json={"name": "x", "price": "cheap", "tags": "a"})
    assert [(e["type"], e["loc"]) for e in wrong_types.json()["detail"]] == [
        ("float_parsing", ["body", "price"]),
        ("list_type", ["body", "tags"]),
    ]
    assert client.put("/items/abc", json={"name": "x", "price": 1}).status_code == 422


def test_crud_interpreters_share_the_database(serve):
    """Items created concurrently, by both interpreters, are all seen by every one: the
    storage is the SQLite file, not a module global."""
    client = serve("crud.main:app")
    with ThreadPoolExecutor(8) as pool:
        created = list(
            pool.map(
                lambda n: client.post("/items", json={"name": f"item {n}", "price": n}),
                range(40),
            )
        )
        assert {response.status_code for response in created} == {201}
        pages = list(pool.map(lambda _: client.get("/items", params={"limit": 100}), range(16)))
    assert {len(page.json()) for page in pages} == {40}
    assert sorted(item["id"] for item in pages[0].json()) == list(range(1, 41))
    assert "2 sub-interpreters (in parallel) serve 11 routes" in client.server.output


# cpu_bound.py and measure_cpu_bound.py


def test_cpu_bound_answers(serve):
    client = serve("cpu_bound:app")
    body = client.get("/primes", params={"below": 100}).json()
    assert (body["below"], body["count"]) == (100, 25)
    assert client.get("/primes", params={"below": 10_000}).json()["count"] == 1229
    assert client.get("/primes").json()["count"] == 4203  # below 40 000, the default
    too_small = client.get("/primes", params={"below": 1})
    assert too_small.status_code == 422
    assert too_small.json()["detail"][0]["type"] == "greater_than_equal"


def test_measure_script(serve, capsys, monkeypatch):
    """The measuring script works against the server (no timing is asserted)."""
    client = serve("cpu_bound:app")
    path = EXAMPLES / "measure_cpu_bound.py"
    spec = importlib.util.spec_from_file_location("measure_cpu_bound", path)
    assert spec is not None and spec.loader is not None
    measure = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "measure_cpu_bound", measure)  # for its dataclass
    spec.loader.exec_module(measure)
    url = f"{client.base_url}/primes?below=2000"
    result = measure.measure(url, requests=6, concurrency=3)
    assert (result.requests, len(result.latencies)) == (6, 6)
    assert 1 <= len(result.threads) <= 2
    assert measure.main([url, "-n", "4", "-c", "2"]) == 0
    assert "4 requests in" in capsys.readouterr().out


# mixed.py


def test_mixed_pydantic_routes(serve):
    client = serve("mixed:app")
    order = {"customer": "Ada", "lines": [{"sku": "A1", "quantity": 2}]}
    created = client.post("/orders", json=order)
    assert created.status_code == 201
    assert created.json().items() >= {**order, "id": 1}.items()
    assert client.get("/orders/1").json() == created.json()
    assert client.get("/orders/2").status_code == 404

    invalid = client.post("/orders", json={"customer": "", "lines": [{"sku": "A1", "quantity": 0}]})
    assert invalid.status_code == 422
    assert [(e["type"], e["loc"]) for e in invalid.json()["detail"]] == [
        ("string_too_short", ["body", "customer"]),
        ("greater_than", ["body", "lines", 0, "quantity"]),
    ]
    assert client.post("/orders", json={"customer": "Ada", "lines": []}).status_code == 422


def test_mixed_plain_routes(serve):
    client = serve("mixed:app")
    words = client.get("/words", params={"text": "The cat and the hat. The end", "top": 2})
    assert words.json() == {"words": 7, "top": [["the", 3], ["cat", 1]]}
    stats = client.get("/stats", params={"x": [1, 2, 4.5]}).json()
    assert stats["n"] == 3 and stats["mean"] == 2.5 and stats["median"] == 2.0
    assert client.get("/stats").status_code == 422


def test_mixed_startup_report_says_where_routes_run(serve):
    client = serve("mixed:app")
    output = client.server.output
    assert "2 sub-interpreters (in parallel) serve 2 routes from mixed_text" in output
    assert "the main interpreter (one call at a time) serves 2 routes:" in output
    assert "because module 'mixed_orders' cannot load in a sub-interpreter" in output
    assert "POST /orders (mixed_orders:create_order)" in output
    assert "GET /orders/{order_id} (mixed_orders:read_order)" in output
    assert "with 2 interpreters + the main interpreter" in output


def test_mixed_routes_command(tmp_path):
    listing = subprocess.run(
        [sys.executable, "-m", "fasterapi", "routes", "mixed:app"],
        cwd=tmp_path,  # not the repository root, which would shadow the installed package
        env={**os.environ, "PYTHONPATH": str(EXAMPLES)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.returncode == 0, listing.stderr
    lines = {line.split()[1]: line for line in listing.stdout.splitlines()[1:]}
    assert lines["/words"].endswith("sub-interpreters")
    assert "main interpreter (module 'mixed_orders' cannot load" in lines["/orders"]
