"""Each limit of docs/reliability.md, exceeded over a real socket: by its `run` flag, by the
app's `limits=Limits(...)` setting, and by `fasterapi.run(limits=...)`.

Timing is never measured: a test waits (with a socket timeout well above the configured
limit) for the behaviour the limit promises, such as a closed connection or a 504.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import pytest
from raw_http import Answer, RawConnection
from server_process import APPS, ScriptRun, ServerProcess

CONTENT_TOO_LARGE = {"detail": "Content Too Large"}
URI_TOO_LONG = {"detail": "URI Too Long"}
UNAVAILABLE = {"detail": "Service Unavailable"}
GATEWAY_TIMEOUT = {"detail": "Gateway Timeout"}


def get(target: str, *headers: bytes, close: bool = True) -> bytes:
    return (
        f"GET {target} HTTP/1.1\r\nHost: test\r\n".encode()
        + (b"Connection: close\r\n" if close else b"")
        + b"".join(headers)
        + b"\r\n"
    )


def post_json_head(length: int | None = None) -> bytes:
    """The head of a POST to `/json`: with Content-Length, or chunked when None."""
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        b"POST /json HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        + framing.encode()
        + b"\r\n\r\n"
    )


def json_of_size(size: int) -> bytes:
    """A JSON object of exactly `size` bytes (one key)."""
    body = b'{"a":"' + b"x" * (size - 8) + b'"}'
    assert len(body) == size
    return body


def chunk(data: bytes) -> bytes:
    return b"%x\r\n" % len(data) + data + b"\r\n"


def ask(base_url: str, raw: bytes, timeout: float = 10.0) -> Answer:
    """Sends one request on a fresh connection and reads its answer."""
    with RawConnection(base_url, timeout) as connection:
        connection.send(raw)
        answer = connection.read_answer()
    assert answer is not None, "closed without an answer"
    return answer


def assert_refused(connection: RawConnection, status: int, body: dict | None) -> None:
    """The answer is `status` (with the JSON `body`, or hyper's empty one) and the server
    closes the connection after it."""
    answer = connection.read_answer()
    assert answer is not None, "closed without an answer"
    assert answer.status == status, answer
    if body is None:
        assert answer.body == b""
    else:
        assert answer.json() == body
    assert connection.closed_by_server(), "the connection stayed open"


def nothing_within(connection: RawConnection, seconds: float) -> bool:
    """True when no byte (and no close) comes on `connection` for `seconds`."""
    previous = connection.sock.gettimeout()
    connection.sock.settimeout(seconds)
    try:
        connection.sock.recv(1, socket.MSG_PEEK)
    except TimeoutError:
        return True
    finally:
        connection.sock.settimeout(previous)
    return False


def assert_closed_unfinished(connection: RawConnection) -> None:
    """The server closes a connection whose head never ends: without an answer (the spec),
    or after hyper's empty `408 Request Timeout`; it never waits for the rest."""
    answer = connection.read_answer()
    if answer is not None:
        assert (answer.status, answer.body) == (408, b""), answer
        assert connection.closed_by_server(), "the connection stayed open after the 408"


def uri_of_length(length: int) -> str:
    """A `/fast` target of exactly `length` bytes."""
    target = "/fast?pad=" + "a" * (length - len("/fast?pad="))
    assert len(target) == length
    return target


# --- body size -----------------------------------------------------------------------------


def test_content_length_over_the_limit_is_refused_before_the_body(start_server):
    server = start_server("limits_app:app", "--limit-body", "1000")
    with RawConnection(server.base_url) as connection:
        connection.send(post_json_head(1001))  # the head only: the body never comes
        answer = connection.read_answer()
        assert answer is not None, "closed without an answer"
        assert (answer.status, answer.json()) == (413, CONTENT_TOO_LARGE)
        assert answer.headers.get("connection") == "close"
        assert connection.closed_by_server()
    answer = ask(server.base_url, post_json_head(1000) + json_of_size(1000))
    assert (answer.status, answer.json()) == (200, {"keys": 1})


def test_chunked_body_growing_past_the_limit_is_refused(start_server):
    server = start_server("limits_app:app", "--limit-body", "1000")
    body = json_of_size(1200)
    with RawConnection(server.base_url) as connection:
        # 1200 bytes in two chunks, no last chunk: the server must stop counting at 1000.
        connection.send(post_json_head() + chunk(body[:600]) + chunk(body[600:]))
        answer = connection.read_answer()
        assert answer is not None, "closed without an answer"
        assert (answer.status, answer.json()) == (413, CONTENT_TOO_LARGE)
        assert answer.headers.get("connection") == "close"
        assert connection.closed_by_server()
    body = json_of_size(900)
    answer = ask(
        server.base_url, post_json_head() + chunk(body[:450]) + chunk(body[450:]) + b"0\r\n\r\n"
    )
    assert (answer.status, answer.json()) == (200, {"keys": 1})


def test_default_body_limit_is_16_mib(start_server):
    server = start_server("limits_app:app")
    with RawConnection(server.base_url) as connection:
        connection.send(post_json_head(16 * 1024 * 1024 + 1))
        answer = connection.read_answer()
        assert answer is not None, "closed without an answer"
        assert (answer.status, answer.json()) == (413, CONTENT_TOO_LARGE)
    # A body well over the old habits of other servers (1 MiB) but under 16 MiB passes.
    answer = ask(server.base_url, post_json_head(2_000_000) + json_of_size(2_000_000))
    assert (answer.status, answer.json()) == (200, {"keys": 1})


# --- head sizes ------------------------------------------------------------------------------


def test_uri_over_the_limit_is_414(start_server):
    server = start_server("limits_app:app", "--limit-uri", "100")
    answer = ask(server.base_url, get(uri_of_length(101)))
    assert (answer.status, answer.json()) == (414, URI_TOO_LONG)
    answer = ask(server.base_url, get(uri_of_length(100)))
    assert (answer.status, answer.json()) == (200, {"fast": True})


def test_head_over_the_size_limit_is_431(start_server):
    server = start_server("limits_app:app", "--limit-header-size", "2048")
    with RawConnection(server.base_url) as connection:
        connection.send(get("/fast", b"X-Big: " + b"a" * 3000 + b"\r\n"))
        assert_refused(connection, 431, None)
    # the request line counts too: a 2500-byte target is under the URI limit (8192)
    with RawConnection(server.base_url) as connection:
        connection.send(get(uri_of_length(2500)))
        assert_refused(connection, 431, None)
    answer = ask(server.base_url, get("/fast", b"X-Big: " + b"a" * 1000 + b"\r\n"))
    assert (answer.status, answer.json()) == (200, {"fast": True})


def test_too_many_headers_is_431(start_server):
    server = start_server("limits_app:app", "--limit-header-count", "10")
    # Host and Connection count: 2 + 9 = 11 lines.
    many = b"".join(b"X-H%d: v\r\n" % number for number in range(9))
    with RawConnection(server.base_url) as connection:
        connection.send(get("/fast", many))
        answer = connection.read_answer()
        assert answer is not None, "closed without an answer"
        assert (answer.status, answer.body) == (431, b"")
    answer = ask(server.base_url, get("/fast", many[: many.index(b"X-H8")]))  # 10 lines
    assert (answer.status, answer.json()) == (200, {"fast": True})


# --- timeouts on the connection --------------------------------------------------------------


def test_an_unfinished_head_is_closed_after_the_head_timeout(start_server):
    server = start_server("limits_app:app", "--timeout-request-head", "1")
    # Waits up to 6 s, far above the 1 s limit and below the 10 s default.
    with RawConnection(server.base_url, timeout=6) as connection:
        connection.send(b"GET /fast HTTP/1.1\r\nHost: test\r\n")  # no blank line: unfinished
        assert_closed_unfinished(connection)
    answer = ask(server.base_url, get("/fast"))
    assert answer.status == 200


def test_an_idle_keep_alive_connection_is_closed(start_server):
    server = start_server("limits_app:app", "--timeout-keep-alive", "1")
    # Waits up to 4 s for the close, above the 1 s limit and below the 5 s default.
    with RawConnection(server.base_url, timeout=4) as connection:
        for _ in range(2):  # kept alive between requests
            connection.send(get("/fast", close=False))
            answer = connection.read_answer()
            assert answer is not None and answer.status == 200
        # A slow handler is not an idle connection: its answer still comes.
        connection.send(get("/sleep?seconds=1.5", close=False))
        answer = connection.read_answer()
        assert answer is not None and answer.status == 200, answer
        assert connection.closed_by_server(), "the idle connection stayed open"


# --- connections and queues ------------------------------------------------------------------


def test_connections_over_the_limit_wait_until_one_closes(start_server):
    server = start_server(
        "limits_app:app", "--limit-connections", "2", "--timeout-keep-alive", "60"
    )
    first = RawConnection(server.base_url)
    second = RawConnection(server.base_url)
    third = RawConnection(server.base_url)
    try:
        for connection in (first, second):
            connection.send(get("/fast", close=False))
            answer = connection.read_answer()
            assert answer is not None and answer.status == 200
        # The third is in the listen backlog: connected, but nobody reads its request.
        third.send(get("/fast"))
        assert nothing_within(third, 1.0), "a third connection was served"
        first.close()
        answer = third.read_answer()
        assert answer is not None and answer.status == 200, answer
        # The second, still open, still works.
        second.send(get("/fast"))
        answer = second.read_answer()
        assert answer is not None and answer.status == 200
    finally:
        for connection in (first, second, third):
            connection.close()


def test_a_full_queue_answers_503_with_retry_after(start_server):
    server = start_server("limits_app:app", "--interpreters", "1", "--limit-queue", "2")
    connections = [RawConnection(server.base_url, timeout=30) for _ in range(10)]
    answers: list[Answer | None] = [None] * len(connections)

    def request(index: int) -> None:
        answers[index] = connections[index].read_answer()

    try:
        for connection in connections:  # all ten at once, each 1 s of the one interpreter
            connection.send(get("/sleep?seconds=1"))
        readers = [threading.Thread(target=request, args=(i,)) for i in range(len(answers))]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(timeout=60)
    finally:
        for connection in connections:
            connection.close()
    assert all(answer is not None for answer in answers), answers
    statuses = sorted(answer.status for answer in answers)
    # One runs and two wait: at least half of the ten must be turned away, and the ones
    # admitted are served.
    assert set(statuses) == {200, 503}, statuses
    assert statuses.count(503) >= 5, statuses
    for answer in answers:
        if answer.status == 503:
            assert answer.json() == UNAVAILABLE
            assert answer.headers.get("retry-after") == "1"
        else:
            assert answer.json() == {"slept": 1.0}
    answer = ask(server.base_url, get("/fast"))
    assert answer.status == 200


# --- handler timeout -------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["/sleep", "/async-sleep"])
def test_a_slow_handler_gets_504_while_others_are_served(start_server, route):
    server = start_server("limits_app:app", "--timeout", "1", "--interpreters", "2")
    # The handler sleeps 6 s; the 504 comes after the 1 s limit.
    answer = ask(server.base_url, get(f"{route}?seconds=6"))
    assert (answer.status, answer.json()) == (504, GATEWAY_TIMEOUT)
    # Its interpreter may still be busy for 5 s: another one answers well before that.
    answer = ask(server.base_url, get("/fast"), timeout=3)
    assert (answer.status, answer.json()) == (200, {"fast": True})


def test_handlers_have_no_time_limit_by_default(start_server):
    server = start_server("limits_app:app")
    answer = ask(server.base_url, get("/sleep?seconds=1.5"))
    assert (answer.status, answer.json()) == (200, {"slept": 1.5})


# --- limits set on the app, by `run`, and flags over the app ---------------------------------


@pytest.fixture(scope="module")
def limited_server(start_module_server: Callable[[str], ServerProcess]) -> ServerProcess:
    """`limits_app:limited_app`: every limit set on the app (`FasterAPI(limits=...)`)."""
    return start_module_server("limits_app:limited_app")


def test_app_limits_body(limited_server):
    with RawConnection(limited_server.base_url) as connection:
        connection.send(post_json_head(1001))
        answer = connection.read_answer()
        assert answer is not None and answer.status == 413, answer
        assert answer.json() == CONTENT_TOO_LARGE
    answer = ask(limited_server.base_url, post_json_head(1000) + json_of_size(1000))
    assert answer.status == 200


def test_app_limits_uri(limited_server):
    answer = ask(limited_server.base_url, get(uri_of_length(101)))
    assert (answer.status, answer.json()) == (414, URI_TOO_LONG)
    assert ask(limited_server.base_url, get(uri_of_length(100))).status == 200


def test_app_limits_head_size_and_count(limited_server):
    with RawConnection(limited_server.base_url) as connection:
        connection.send(get("/fast", b"X-Big: " + b"a" * 3000 + b"\r\n"))
        assert_refused(connection, 431, None)
    many = b"".join(b"X-H%d: v\r\n" % number for number in range(9))
    with RawConnection(limited_server.base_url) as connection:
        connection.send(get("/fast", many))
        answer = connection.read_answer()
        assert answer is not None and answer.status == 431, answer


def test_app_limits_head_and_keep_alive_timeouts(limited_server):
    with RawConnection(limited_server.base_url, timeout=4) as connection:
        connection.send(b"GET /fast HTTP/1.1\r\nHost: test\r\n")
        assert_closed_unfinished(connection)
    with RawConnection(limited_server.base_url, timeout=4) as connection:
        connection.send(get("/fast", close=False))
        answer = connection.read_answer()
        assert answer is not None and answer.status == 200
        assert connection.closed_by_server(), "the idle connection stayed open"


def test_app_limits_handler_time(limited_server):
    answer = ask(limited_server.base_url, get("/sleep?seconds=4"))
    assert (answer.status, answer.json()) == (504, GATEWAY_TIMEOUT)


def test_a_flag_overrides_one_field_of_the_app_limits(start_server):
    server = start_server("limits_app:limited_app", "--limit-body", "5000")
    answer = ask(server.base_url, post_json_head(3000) + json_of_size(3000))
    assert (answer.status, answer.json()) == (200, {"keys": 1})
    # the other fields stay the app's
    answer = ask(server.base_url, get(uri_of_length(101)))
    assert (answer.status, answer.json()) == (414, URI_TOO_LONG)


def test_run_takes_limits(tmp_path):
    with ScriptRun(APPS / "limits_app.py", tmp_path, "/fast") as script:
        answer = ask(script.base_url, get(uri_of_length(101)))
        assert (answer.status, answer.json()) == (414, URI_TOO_LONG)
        assert ask(script.base_url, get(uri_of_length(100))).status == 200
    assert script.returncode == 0, script.output


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--limit-body", "0"], "Limits.max_body_size must be a positive number, not 0"),
        (["--limit-header-size", "100"], "Limits.max_header_size must be at least 1024 bytes"),
        (["--limit-connections", "4294967296"], "Limits.max_connections must be at most"),
        (["--timeout", "-1"], "Limits.handler_timeout must be a positive number"),
    ],
)
def test_an_impossible_limit_stops_the_server_with_one_message(start_server, flags, message):
    server = start_server("limits_app:app", *flags, ready=False)
    assert server.wait_exit(timeout=60) == 1, server.output
    errors = [line for line in server.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and message in errors[0], server.output
