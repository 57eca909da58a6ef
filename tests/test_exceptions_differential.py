"""Exceptions and exception handlers: FasterAPI must answer as FastAPI does when a handler
raises, with FastAPI's default handlers and with the app's own.

`apps/errors_app.py` keeps FastAPI's defaults for 404, 405, 422 and unhandled errors and
adds handlers for its own exception classes and for a few statuses;
`apps/errors_handled_app.py` replaces the defaults (`RequestValidationError`, 404, 405,
`HTTPException`, `Exception`). Each request goes to FastAPI through its TestClient and to
FasterAPI over a real socket; status, body bytes and headers must match.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest

JSON = {"content-type": "application/json"}

# Headers only a real server sends; the TestClient has none of them.
TRANSPORT_HEADERS = {"date", "server"}


@dataclass(frozen=True)
class Case:
    method: str
    url: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        body = f" {self.body[:30]!r}" if self.body is not None else ""
        extra = f" {self.headers}" if self.headers else ""
        return f"{self.method} {self.url}{body}{extra}"


def get(url: str, **headers: str) -> Case:
    return Case("GET", url, headers={name.replace("_", "-"): v for name, v in headers.items()})


def post(url: str, body: bytes | None, headers: dict[str, str] | None = None) -> Case:
    return Case("POST", url, body, JSON if headers is None else headers)


DEFAULT_CASES = [
    # HTTPException, answered by FastAPI's default handler.
    get("/http/str"),
    get("/http/dict"),
    get("/http/list"),
    get("/http/unicode"),
    get("/http/empty"),
    *(get(f"/http/status/{code}") for code in [400, 401, 403, 404, 418, 422, 429, 500, 503]),
    *(get(f"/http/status/{code}") for code in [204, 205, 304]),
    get("/http/headers"),
    get("/http/no-content"),
    get("/http/not-modified"),
    get("/http/teapot"),
    get("/http/server-error"),
    get("/http/async"),
    get("/http/after-params/3?q=z"),
    get("/http/after-params/x"),
    # Plain exceptions: the plain-text 500.
    get("/error/value"),
    get("/error/key"),
    get("/error/async"),
    get("/error/logged/differential"),
    # The app's handlers: by class, through the class's MRO, by status, async.
    get("/custom/teapot"),
    get("/custom/teapot-async"),
    get("/custom/app"),
    get("/custom/missing"),
    get("/custom/gone"),
    get("/custom/own"),
    get("/custom/conflict"),
    Case("POST", "/custom/conflict-async"),
    get("/custom/slow"),
    get("/custom/slow-async"),
    get("/custom/forbidden"),
    get("/custom/forbidden-async"),
    # Handlers that raise: FastAPI's outer exception layer gets what they raise.
    get("/custom/exploding"),
    get("/custom/exploding-async"),
    get("/custom/refusing"),
    get("/custom/refusing-async"),
    get("/custom/chained"),
    # FastAPI's own errors stay the defaults here.
    get("/nope"),
    Case("DELETE", "/ok"),
    get("/validated?n=x"),
    post("/body", b"{"),
    post("/body", b'{"n": "\xff"}'),
    get("/ok"),
    get("/ok-async"),
]

HANDLED_CASES = [
    # RequestValidationError: the app's 400, for the query, the path and the body.
    get("/items/abc"),
    get("/items/1?q=x"),
    get("/items/x?q=y"),
    get("/async-items/x?flag=maybe"),
    get("/async-items/2?flag=yes"),
    post("/items", b'{"name": '),
    post("/items", b'{"name": "a"}'),
    post("/items", None, {}),
    post("/items", b'{"name": "a", "price": "x"}'),
    post("/items", b"[1,2]"),
    post("/count", b"abc"),
    post("/count", b'"5"'),
    post("/count", b""),
    post("/count", b'{"n": 1}'),
    post("/count", b"\xff\xfe"),
    post("/count", b"x", {"content-type": "text/plain"}),
    # The same, with `exc.body` in the answer.
    get("/items/abc", x_show_body="1"),
    post("/items", b'{"name": ', {**JSON, "x-show-body": "1"}),
    post("/items", b'{"name": "a"}', {**JSON, "x-show-body": "1"}),
    post("/items", None, {"x-show-body": "1"}),
    post("/items", b"[1,2]", {**JSON, "x-show-body": "1"}),
    post("/count", b"", {**JSON, "x-show-body": "1"}),
    post("/count", b"\xff\xfe", {**JSON, "x-show-body": "1"}),
    post("/count", b"x", {"content-type": "text/plain", "x-show-body": "1"}),
    # A body that is not UTF-8: FastAPI's 400 is Starlette's HTTPException, which the
    # app's handler for FastAPI's HTTPException does not catch.
    post("/items", b'{"name": "\xff", "price": 1}'),
    # 404 and 405: unknown paths and methods go through the app's handlers.
    get("/nope"),
    get("/nope/deeper?x=1"),
    get("/explode-404"),
    get("/items/"),
    get("/caf%C3%A9"),
    Case("DELETE", "/items/1"),
    Case("PATCH", "/ok"),
    get("/items"),
    # HTTPException: the handler for its status first, else the one for its class.
    get("/http/404"),
    get("/http/401"),
    get("/http/500"),
    # Unhandled exceptions: the app's `Exception` handler answers.
    get("/error/value"),
    get("/error/async"),
    get("/error/logged/differential"),
    get("/error/exploding/differential"),
    get("/ok"),
]


@pytest.fixture(scope="module")
def default_server(start_module_server):
    return start_module_server("errors_app:app")


@pytest.fixture(scope="module")
def ours(default_server):
    with httpx.Client(base_url=default_server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def theirs():
    from fastapi_twin import fastapi_client

    with fastapi_client("errors_app.py") as client:
        yield client


@pytest.fixture(scope="module")
def handled_server(start_module_server):
    return start_module_server("errors_handled_app:app")


@pytest.fixture(scope="module")
def ours_handled(handled_server):
    with httpx.Client(base_url=handled_server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def theirs_handled():
    from fastapi_twin import fastapi_client

    with fastapi_client("errors_handled_app.py") as client:
        yield client


def _send(client, case: Case, **extra: str) -> httpx.Response:
    return client.request(
        case.method, case.url, content=case.body, headers={**case.headers, **extra}
    )


def _headers(response: httpx.Response) -> list[tuple[str, str]]:
    """Every header but the transport's, sorted; `Allow` as a sorted set, since FastAPI
    joins a Python set for it."""
    headers = []
    for name, value in response.headers.multi_items():
        if name in TRANSPORT_HEADERS:
            continue
        if name == "allow":
            value = ", ".join(sorted(method.strip() for method in value.split(",")))
        headers.append((name, value))
    return sorted(headers)


def _same(ours: httpx.Response, theirs: httpx.Response) -> None:
    assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
    assert _headers(ours) == _headers(theirs)


@pytest.mark.parametrize("case", DEFAULT_CASES, ids=lambda case: case.id)
def test_default_answers_as_on_fastapi(ours, theirs, case):
    _same(_send(ours, case, host="testserver"), _send(theirs, case))


@pytest.mark.parametrize("case", HANDLED_CASES, ids=lambda case: case.id)
def test_app_handlers_answer_as_on_fastapi(ours_handled, theirs_handled, case):
    _same(_send(ours_handled, case, host="testserver"), _send(theirs_handled, case))


# FasterAPI only: the server after the errors, and its log.

RAISING = [
    "/error/value",
    "/error/async",
    "/http/str",
    "/http/async",
    "/custom/teapot",
    "/custom/slow",
    "/custom/slow-async",
    "/custom/exploding",
    "/custom/exploding-async",
    "/custom/refusing",
    "/custom/chained",
]


def test_a_500_made_by_the_core_skips_the_exception_handler(ours_handled):
    """A difference kept on purpose (docs/responses.md): a 422 whose input FastAPI cannot
    render (here, UTF-16 bytes) is FastAPI's 500 through the app's `Exception` handler;
    the core answers that 500 itself, without Python."""
    response = ours_handled.post("/count", content="7".encode("utf-16"))
    assert (response.status_code, response.text) == (500, "Internal Server Error")


def test_an_exception_handler_returning_none_gives_the_servers_plain_500(
    handled_server, ours_handled
):
    """Starlette sends nothing then, and uvicorn answers its plain 500 (FastAPI's
    TestClient shows an empty 500 instead, so this is not compared with it)."""
    response = ours_handled.get("/silent")
    assert (response.status_code, response.text) == (500, "Internal Server Error")
    _logged_record(handled_server, "returned None: no response was sent")


def test_server_keeps_serving_after_raising_handlers(ours):
    urls = [*RAISING * 6, *["/ok", "/ok-async"] * 10]
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(ours.get, urls))
    statuses: dict[str, set[int]] = {}
    for url, response in zip(urls, responses, strict=True):
        statuses.setdefault(url, set()).add(response.status_code)
    assert statuses["/ok"] == statuses["/ok-async"] == {200}
    # Each raising route answers the same every time, on either interpreter.
    assert all(len(seen) == 1 for seen in statuses.values()), statuses
    assert ours.get("/ok").json() == {"ok": True}


def test_handled_app_keeps_serving_after_raising_handlers(ours_handled):
    urls = [
        *["/error/value", "/error/exploding/again", "/nope", "/items/x", "/http/500"] * 6,
        *["/ok"] * 20,
    ]
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(ours_handled.get, urls))
    for url, response in zip(urls, responses, strict=True):
        if url == "/ok":
            assert (response.status_code, response.json()) == (200, {"ok": True})


def _logged_record(server, text: str, timeout: float = 10.0) -> str:
    """The log record (from its `ERROR` line on) that ends with `text`, once logged."""
    deadline = time.monotonic() + timeout
    while text not in server.output:
        assert time.monotonic() < deadline, f"{text!r} not logged:\n{server.output}"
        time.sleep(0.02)
    output = server.output
    return output[: output.index(text) + len(text)].rsplit(" ERROR ", 1)[-1]


def test_unhandled_error_is_logged_with_its_traceback(default_server, ours):
    response = ours.get("/error/logged/plain-500")
    assert (response.status_code, response.text) == (500, "Internal Server Error")
    record = _logged_record(default_server, "ValueError: logged plain-500")
    assert "Traceback (most recent call last):" in record
    assert 'errors_app.py", line' in record and "in error_logged" in record


def test_error_answered_by_exception_handler_is_still_logged(handled_server, ours_handled):
    """As in FastAPI, whose `ServerErrorMiddleware` re-raises after the handler answered."""
    response = ours_handled.get("/error/logged/handled-500")
    assert response.status_code == 500
    assert response.json() == {
        "unhandled": "ValueError",
        "message": "logged handled-500",
        "path": "/error/logged/handled-500",
    }
    record = _logged_record(handled_server, "ValueError: logged handled-500")
    assert "Traceback (most recent call last):" in record
    assert 'errors_handled_app.py", line' in record and "in error_logged" in record


def test_failing_exception_handler_is_logged(handled_server, ours_handled):
    assert ours_handled.get("/error/exploding/logged-token").status_code == 500
    record = _logged_record(
        handled_server, "RuntimeError: the exception handler failed for logged-token"
    )
    assert "Traceback (most recent call last):" in record
    assert "in exploding_handler" in record


def test_handled_exceptions_are_not_logged(default_server, ours):
    """Exceptions an exception handler answered (FastAPI's default ones included) are
    not errors of the server: only the unhandled one sent last is in the log."""
    start = len(default_server.output)
    for url in ["/http/str", "/http/headers", "/custom/teapot", "/custom/gone", "/nope"]:
        assert ours.get(url).status_code != 500
    assert ours.get("/error/logged/sentinel").status_code == 500
    _logged_record(default_server, "ValueError: logged sentinel")
    assert default_server.output[start:].count(" ERROR ") == 1, default_server.output[start:]
