"""The `Request`: what a handler reads from it must be what FastAPI's handler reads.

`apps/request_app.py` returns, from sync and `async def` handlers, the method, URL and its
parts, base URL, headers, query and path parameters, cookies, body, JSON, client, app and
lifespan state of each request. Each case goes to FastAPI through its TestClient and to
FasterAPI over a real socket (with the TestClient's `Host`, so that URLs compare equal).
Sync handlers read the body only on FasterAPI (`body_sync()`, `json_sync()`): FastAPI's
cannot await.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

# The TestClient sends its own user agent; both sides get this one instead.
AGENT = ("user-agent", "differential")
JSON = ("content-type", "application/json")
QUERY = "tag=a&q=1&tag=b&empty=&plus=a+b&pct=%E2%82%AC&tag="
COOKIES = 'a=1; b="quoted value"; c="esc\\"aped"; d=\\x; e="\\101"; f="a;b"'


@dataclass(frozen=True)
class Case:
    method: str
    url: str
    headers: tuple[tuple[str, str | bytes], ...] = ()
    body: bytes | None = None
    status: int = 200  # FastAPI's

    @property
    def id(self) -> str:
        body = f" {self.body[:30]!r}" if self.body is not None else ""
        extra = f" {list(self.headers)}" if self.headers else ""
        return f"{self.method} {self.url}{body}{extra}"[:150]


def get(url: str, *headers: tuple[str, str | bytes]) -> Case:
    return Case("GET", url, headers)


CASES = [
    # sync, then async; the URL and its parts
    *(
        get(f"/{kind}{rest}")
        for kind in ["sync", "async"]
        for rest in [
            "",
            f"?{QUERY}",
            "/plain",
            "/caf%C3%A9%20x?q=3",
            "/%E2%82%AC?q=1",
            "/a%3Fb",
            "/a%23b",
            "/a%5Cb",
            "/a+b?q=-2&q=5",
            "/x?q=7&tag=caf%C3%A9",
        ]
    ),
    get("/sync?a=1&&b&=x&c=%FF&d=%2B+;e=1"),
    get("/sync?q=caf\u00e9"),
    # headers: repeated, mixed case, UTF-8 bytes
    get("/sync", ("x-multi", "a"), ("X-Multi", "b"), ("x-other", "Value"), ("x-multi", "c")),
    get("/async/n", ("x-multi", "one"), ("x-multi", "two")),
    get("/sync", ("x-utf8", "caf\u00e9".encode())),
    # the Host header: the URL's host, port and base URL come from it
    get("/sync", ("host", "example.com:8080")),
    get("/async", ("host", "example.com")),
    get("/sync/h?q=1", ("host", "[::1]:8000")),
    get("/sync", ("host", "localhost:80")),
    # cookies, quoted and not, repeated, in one header or two
    get("/sync", ("cookie", COOKIES)),
    get("/async/c", ("cookie", COOKIES)),
    get("/sync", ("cookie", "a=1;a=2; ;novalue; k=v=w; sp = s p")),
    get("/sync", ("cookie", "a=1"), ("cookie", "b=2; a=3")),
    get("/sync", ("cookie", "")),
    get("/sync", ("cookie", 'x="\\"\\\\\\012"; y="unterminated; z="')),
    get("/sync", ("cookie", "caf\u00e9=\u00e9".encode())),
    # body and JSON (async handlers)
    Case("POST", "/async/body?x=1", (("content-type", "text/plain"),), "hello é".encode()),
    Case("POST", "/async/body", (), b""),
    Case("POST", "/async/body", (JSON,), b'{"not": "parsed"}'),
    Case("POST", "/async/json", (JSON,), b'{"a": [1, 2.5, null], "b": "\\u00e9", "c": {}}'),
    Case("POST", "/async/json", (), b"[1, true, null]"),
    Case("POST", "/async/json", (JSON,), b'"just a string"'),
    Case("POST", "/async/json", (JSON,), b"nope", status=500),
    Case("POST", "/async/json", (), b"", status=500),
    Case("PUT", "/async/stream", (), b"streamed body"),
    Case("PUT", "/async/stream", (), b""),
    # the lifespan's state, copied into each request's `request.state`
    get("/state"),
    get("/state/async"),
    get("/state/per-request"),
    get("/state/per-request"),
]


@pytest.fixture(scope="module")
def ours(start_module_server):
    server = start_module_server("request_app:app")
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def theirs():
    from fastapi_twin import fastapi_client

    # `with`: the TestClient runs the lifespan only inside one.
    with fastapi_client("request_app.py") as client:
        yield client


def _ours(client: httpx.Client, case: Case) -> httpx.Response:
    headers = [AGENT, *case.headers]
    if not any(name == "host" for name, _ in case.headers):
        headers.insert(0, ("host", "testserver"))
    return client.request(case.method, case.url, headers=headers, content=case.body)


def _theirs(client, case: Case) -> httpx.Response:
    return client.request(case.method, case.url, headers=[AGENT, *case.headers], content=case.body)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_request_reads_as_on_fastapi(ours, theirs, case):
    mine, reference = _ours(ours, case), _theirs(theirs, case)
    assert reference.status_code == case.status
    assert mine.status_code == reference.status_code
    if reference.headers.get("content-type") == "application/json":
        # Compared as data first, for a readable diff.
        assert mine.json() == reference.json()
    assert mine.content == reference.content
    for header in ["content-type", "content-length"]:
        assert mine.headers.get(header) == reference.headers.get(header), header


def test_request_app_is_the_app_on_every_interpreter(ours):
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(ours.get, ["/sync", "/async"] * 20))
    assert all(response.json()["app_is_app"] is True for response in responses)


def test_request_client_is_the_peer(ours):
    """FastAPI's TestClient makes its client up, so only FasterAPI's is checked."""
    body = ours.get("/client").json()
    assert body["host"] == "127.0.0.1"
    assert isinstance(body["port"], int) and body["port"] > 0
    assert body["tuple"] == [body["host"], body["port"]]


# FasterAPI only: sync handlers read the body without awaiting.


def test_sync_handler_reads_the_body_and_json(ours):
    body = '{"a": [1, null], "b": "é"}'
    response = ours.post("/sync/body", content=body.encode(), headers=dict([JSON]))
    assert response.status_code == 200
    assert response.json() == {"body": body, "json": {"a": [1, None], "b": "é"}}


@pytest.mark.parametrize("body", [b"plain text", b"", "café".encode()])
def test_sync_handler_reads_a_body_that_is_not_json(ours, body):
    response = ours.post("/sync/body-text", content=body)
    assert response.status_code == 200
    assert response.json() == {"body": body.decode()}


def test_sync_handler_reading_invalid_json_fails_as_await_json_does(ours, theirs):
    """`json_sync()` raises what `await request.json()` raises: a plain 500."""
    response = ours.post("/sync/body", content=b"nope", headers=dict([JSON]))
    reference = theirs.post("/async/json", content=b"nope", headers=dict([JSON]))
    assert (response.status_code, response.content) == (reference.status_code, reference.content)
