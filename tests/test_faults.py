"""Faults in handlers: whatever a handler raises or returns, the client gets FastAPI's plain
500 (or, mid-stream, a cut connection), the log says what happened, and every interpreter
goes on serving.

`apps/faults_app.py` has sync handlers only (its interpreters block on their queue);
`apps/faults_async_app.py` raises the same faults in `async def` handlers, before and
after their first suspension, on interpreters that run an event loop. Where FastAPI
answers the same request (exceptions derived from `Exception`, results it cannot render),
the answer is compared with its own.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

INTERPRETERS = 2
PLAIN_500 = (500, "Internal Server Error")

# Each fault, and the line that ends its traceback in the log.
EXCEPTIONS = {
    "value": "ValueError: a value fault",
    "recursion": "RecursionError: maximum recursion depth exceeded",
    "memory": "MemoryError: a raised memory fault",
    "allocation": "MemoryError",
    "unprintable": "UnprintableError: <exception str() failed>",
}
# Outside `Exception`: FastAPI's middleware does not catch them, and its TestClient
# re-raises them, so there is nothing of FastAPI's to compare with; a server answers 500.
BASE_EXCEPTIONS = {
    "system-exit": "SystemExit: 3",
    "keyboard-interrupt": "KeyboardInterrupt",
    "generator-exit": "GeneratorExit",
    "base": "CustomBaseError: a custom BaseException",
}
FAULTS = {**EXCEPTIONS, **BASE_EXCEPTIONS}

# Results FastAPI cannot render either (each a 500 there), and the error logged here.
UNRENDERABLE = {
    "object": "ValueError",
    "slots": "ValueError",
    "nan": "ValueError: Out of range float values are not JSON compliant",
    "infinity": "ValueError: Out of range float values are not JSON compliant",
    "tuple-keys": "TypeError",
    "self-list": "RecursionError",
    "self-dict": "RecursionError",
    "deep": "RecursionError",
}
# Results FastAPI renders with `jsonable_encoder`: the same answer here.
RENDERABLE = ["set-of-tuples", "generator"]


@pytest.fixture(scope="module")
def sync_server(start_module_server):
    return start_module_server("faults_app:app")


@pytest.fixture(scope="module")
def async_server(start_module_server):
    return start_module_server("faults_async_app:app")


@pytest.fixture(scope="module")
def sync_client(sync_server):
    with httpx.Client(base_url=sync_server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def async_client(async_server):
    with httpx.Client(base_url=async_server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def fastapi():
    from fastapi_twin import fastapi_client

    with fastapi_client("faults_app.py") as client:
        yield client


def logged(server, since: int, *texts: str, timeout: float = 10.0) -> str:
    """The log written after offset `since`, once it holds every one of `texts`."""
    deadline = time.monotonic() + timeout
    while not all(text in server.output[since:] for text in texts):
        assert time.monotonic() < deadline, f"{texts} not logged:\n{server.output[since:]}"
        time.sleep(0.02)
    return server.output[since:]


def assert_logged_fault(server, since: int, last_line: str) -> None:
    """One record, with the traceback of the fault through the handler's code."""
    log = logged(server, since, last_line)
    record = log[: log.index(last_line) + len(last_line)].rsplit(" ERROR ", 1)[-1]
    assert record.startswith("Exception in handler:\nTraceback (most recent call last):")
    assert 'faults_app.py", line' in record and "in fault" in record, record
    assert log.count(" ERROR ") == 1, log


def every_interpreter_serves(base_url: str, count: int = INTERPRETERS) -> None:
    """Concurrent requests that each keep their interpreter busy for a while: each
    interpreter must take one, so a dead or stuck one shows."""
    requests = 2 * count

    def hold(_: int) -> httpx.Response:
        return httpx.get(f"{base_url}/hold", params={"seconds": 0.2}, timeout=30)

    with ThreadPoolExecutor(requests) as pool:
        responses = list(pool.map(hold, range(requests)))
    assert [response.status_code for response in responses] == [200] * requests
    interpreters = {response.json()["interpreter"] for response in responses}
    threads = {response.json()["thread"] for response in responses}
    assert len(interpreters) == len(threads) == count, [r.json() for r in responses]


def assert_plain_500(response: httpx.Response) -> None:
    assert (response.status_code, response.text) == PLAIN_500
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


# Exceptions.


@pytest.mark.parametrize("kind", EXCEPTIONS)
def test_exception_answers_as_on_fastapi(sync_client, fastapi, kind):
    ours, theirs = sync_client.get(f"/raise/{kind}"), fastapi.get(f"/raise/{kind}")
    assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
    assert ours.headers["content-type"] == theirs.headers["content-type"]


@pytest.mark.parametrize("kind", FAULTS)
def test_sync_handler_fault_is_a_logged_500(sync_server, sync_client, kind):
    since = len(sync_server.output)
    assert_plain_500(sync_client.get(f"/raise/{kind}"))
    assert_logged_fault(sync_server, since, FAULTS[kind])
    every_interpreter_serves(sync_server.base_url)


@pytest.mark.parametrize("route", ["raise", "raise-later", "raise-sync"])
@pytest.mark.parametrize("kind", FAULTS)
def test_async_handler_fault_is_a_logged_500(async_server, async_client, route, kind):
    since = len(async_server.output)
    assert_plain_500(async_client.get(f"/{route}/{kind}"))
    assert_logged_fault(async_server, since, FAULTS[kind])
    assert async_client.get("/ok").status_code == 200
    every_interpreter_serves(async_server.base_url)
    # Reported once, as the handler's failure: not again by asyncio or the loop.
    assert async_server.output[since:].count(" ERROR ") == 1, async_server.output[since:]


# Results.


@pytest.mark.parametrize("kind", [*UNRENDERABLE, *RENDERABLE])
def test_result_answers_as_on_fastapi(sync_client, fastapi, kind):
    ours, theirs = sync_client.get(f"/result/{kind}"), fastapi.get(f"/result/{kind}")
    assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
    assert ours.headers["content-type"] == theirs.headers["content-type"]


@pytest.mark.parametrize("kind", UNRENDERABLE)
def test_unrenderable_result_is_a_logged_500(sync_server, sync_client, kind):
    since = len(sync_server.output)
    assert_plain_500(sync_client.get(f"/result/{kind}"))
    log = logged(sync_server, since, UNRENDERABLE[kind])
    # The core renders the result itself: no Python frames, but the handler is named.
    assert "Exception in handler" in log and "faults_app:result" in log
    every_interpreter_serves(sync_server.base_url)


# Responses that cannot be sent as they are.

BAD_RESPONSES = {
    "crlf-header": "a handler's response has an invalid header",
    "status": "ValueError: status_code must be an int from 100 to 999",
}


@pytest.mark.parametrize("kind", BAD_RESPONSES)
def test_response_that_cannot_be_sent_is_a_logged_500(sync_server, sync_client, kind):
    since = len(sync_server.output)
    response = sync_client.get(f"/response/{kind}")
    assert_plain_500(response)
    assert "x-injected" not in response.headers and "set-cookie" not in response.headers
    logged(sync_server, since, BAD_RESPONSES[kind])
    every_interpreter_serves(sync_server.base_url)


# Streams.


def assert_cut_after_first_chunk(client: httpx.Client, url: str) -> None:
    received = b""
    with client.stream("GET", url) as response:
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in response.iter_raw():
                received += chunk
    assert received == b"first chunk\n"


@pytest.mark.parametrize("kind", [*FAULTS, "unencodable"])
def test_sync_stream_fault_cuts_the_connection(sync_server, kind):
    since = len(sync_server.output)
    with httpx.Client(base_url=sync_server.base_url, timeout=30) as client:
        assert_cut_after_first_chunk(client, f"/stream/{kind}")
    last_line = FAULTS.get(kind, "AttributeError")
    log = logged(sync_server, since, "Exception in a streaming response", last_line)
    assert "Traceback (most recent call last):" in log
    every_interpreter_serves(sync_server.base_url)


@pytest.mark.parametrize("kind", FAULTS)
def test_async_stream_fault_cuts_the_connection(async_server, kind):
    since = len(async_server.output)
    with httpx.Client(base_url=async_server.base_url, timeout=30) as client:
        assert_cut_after_first_chunk(client, f"/stream/{kind}")
    log = logged(async_server, since, "Exception in a streaming response", FAULTS[kind])
    assert "Traceback (most recent call last):" in log
    every_interpreter_serves(async_server.base_url)


# Many faults in a row.

MANY = 10_000
CLIENTS = 4


@pytest.mark.parametrize(
    ("target", "url"),
    [("faults_app:app", "/raise/value"), ("faults_async_app:app", "/raise-later/value")],
)
def test_ten_thousand_faults_leave_every_interpreter_serving(start_server, target, url):
    server = start_server(target, "--interpreters", str(INTERPRETERS))
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def send(count: int) -> None:
        seen = []
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            for _ in range(count):
                response = client.get(url)
                seen.append((response.status_code, response.text))
        with lock:
            answers.extend(seen)

    threads = [threading.Thread(target=send, args=(MANY // CLIENTS,)) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == MANY
    assert set(answers) == {PLAIN_500}
    every_interpreter_serves(server.base_url)
    logged(server, 0, "Exception in handler")
    deadline = time.monotonic() + 10
    while server.output.count(EXCEPTIONS["value"]) < MANY:
        assert time.monotonic() < deadline, server.output.count(EXCEPTIONS["value"])
        time.sleep(0.05)
    assert server.stop() == 0, server.output[-3000:]
    assert "panicked" not in server.output
