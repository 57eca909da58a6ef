"""Malformed HTTP/1.1 sent over raw sockets to a real server: every request gets a 4xx (or
the right answer when it is valid after all), never a 500, a hang or a crash.

Each case is raw request bytes -> expected status (and body, for the JSON answers our own
code gives). Where hyper refuses a request itself (400/431, empty body) only the status is
checked. Where FastAPI has an answer (percent-encoding, decoding of the path and query) the
expected values are FastAPI's: FastAPI 0.165 served by uvicorn 0.54 (h11 and httptools)
answered every such case the same way. The design decisions are docs/reliability.md's
(request smuggling shapes are refused and the connection closed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from raw_http import Answer, RawConnection, exchange
from server_process import ServerProcess

# --- request builders ------------------------------------------------------------------------

HOST = b"Host: test\r\n"
JSON = b"Content-Type: application/json\r\n"
TE = b"Transfer-Encoding: chunked\r\n"
CL1 = b"Content-Length: 1\r\n"
FINAL = b"0\r\n\r\n"  # the last chunk
FIVE = b"1\r\n5\r\n" + FINAL  # the JSON body `5`, chunked
SMUGGLED = b"GET /users/666 HTTP/1.1\r\n" + HOST + b"\r\n"  # 39 (0x27) bytes


def get(target: bytes = b"/", *headers: bytes, line: bytes | None = None) -> bytes:
    """A GET with a Host and the header lines given (each with its CRLF); `line` replaces
    the request line. No `Connection: close`: closing is left to the server."""
    request_line = line if line is not None else b"GET " + target + b" HTTP/1.1"
    return request_line + b"\r\n" + HOST + b"".join(headers) + b"\r\n"


def scalar(*headers: bytes, body: bytes = b"") -> bytes:
    """A POST to params_app's `/scalar`, whose handler reads a JSON int body."""
    return b"POST /scalar HTTP/1.1\r\n" + HOST + JSON + b"".join(headers) + b"\r\n" + body


def create(*headers: bytes, body: bytes = b"") -> bytes:
    """A POST to basic_app's `/create/`, whose handler takes no body."""
    return b"POST /create/ HTTP/1.1\r\n" + HOST + b"".join(headers) + b"\r\n" + body


def cl(value: bytes) -> bytes:
    return b"Content-Length: " + value + b"\r\n"


def te(value: bytes) -> bytes:
    return b"Transfer-Encoding: " + value + b"\r\n"


def item(item_id: str, tag: str | None = None) -> dict:
    """basic_app's `/items/{item_id}` answer."""
    return {"item_id": item_id, "price": 1.5, "active": True, "tag": tag}


def int_error(where: str, name: str, value: str) -> dict:
    """FastAPI's 422 for a parameter that is not an int."""
    message = "Input should be a valid integer, unable to parse string as an integer"
    error = {"type": "int_parsing", "loc": [where, name], "msg": message, "input": value}
    return {"detail": [error]}


def many_headers(count: int) -> bytes:
    return b"".join(b"X-H%d: v\r\n" % number for number in range(count))


NOT_ALLOWED = {"detail": "Method Not Allowed"}
NOT_FOUND = {"detail": "Not Found"}
URI_TOO_LONG = {"detail": "URI Too Long"}
HELLO = {"message": "Hello, World!"}
USER_7 = {"user_id": 7, "q": None, "limit": 10}
CREATED = {"created": True}

# --- the cases -------------------------------------------------------------------------------

# Answers after which the connection must be closed by the server (None: closed at once).
REFUSALS = {None, 400, 408, 413, 414, 431, 501, 505}


@dataclass
class Case:
    """`status`: the expected status, None for a connection closed without an answer, or a
    tuple of acceptable ones. `body`: bytes, or JSON (dict/list/int) compared parsed.
    `then`: statuses of the answers that follow on the same connection (pipelining).
    `closes`: the server closes the connection after its (last) answer and sends nothing
    more; by default, when every acceptable status is a refusal. `half_close`: the client
    ends its side of the stream after sending. Requests to `/scalar` go to params_app, the
    others to basic_app."""

    raw: bytes
    status: int | tuple[int | None, ...] | None
    body: Any = None
    then: tuple[int, ...] = ()
    closes: bool | None = None
    half_close: bool = False

    @property
    def allowed(self) -> tuple[int | None, ...]:
        return self.status if isinstance(self.status, tuple) else (self.status,)

    @property
    def app(self) -> str:
        return "params" if self.raw.startswith(b"POST /scalar ") else "basic"

    @property
    def must_close(self) -> bool:
        if self.closes is not None:
            return self.closes
        return all(status in REFUSALS for status in (*self.allowed, *self.then))


def case(id: str, raw: bytes, status, body: Any = None, **options: Any):
    return pytest.param(Case(raw, status, body, **options), id=id)


SMUGGLING = [
    # Content-Length and Transfer-Encoding together: refused, never half-trusted.
    case("cl-then-te", scalar(CL1, TE, body=FIVE), 400),
    case("te-then-cl", scalar(TE, CL1, body=FIVE), 400),
    case("cl-te-on-get", get(b"/", cl(b"0"), TE) + b"0\r\n\r\n", 400),
    # read by Transfer-Encoding, the body ends before SMUGGLED; by Content-Length, after it
    case("cl-te-desync", create(cl(b"44"), TE, body=b"0\r\n\r\n" + SMUGGLED), 400),
    # read by Content-Length, the body ends before SMUGGLED; by Transfer-Encoding, after it
    case("te-cl-desync", create(TE, cl(b"4"), body=b"27\r\n" + SMUGGLED + b"\r\n" + FINAL), 400),
    # Content-Length values
    case("cl-conflicting", scalar(CL1, cl(b"2"), body=b"55"), 400),
    case("cl-conflicting-list", scalar(cl(b"1, 2"), body=b"55"), 400),
    case("cl-duplicate-equal", scalar(CL1, CL1, body=b"5"), 200, 5),
    case("cl-duplicate-equal-list", scalar(cl(b"1, 1"), body=b"5"), 400),
    case("cl-negative", scalar(cl(b"-1")), 400),
    case("cl-not-a-number", scalar(cl(b"abc")), 400),
    case("cl-plus-sign", scalar(cl(b"+1"), body=b"5"), 400),
    case("cl-hex", scalar(cl(b"0x1"), body=b"5"), 400),
    case("cl-empty", scalar(cl(b"")), 400),
    case("cl-inner-space", scalar(cl(b"1 1"), body=b"5"), 400),
    case("cl-overflows-u64", scalar(cl(b"99999999999999999999999")), 400),
    # hyper refuses a length this size while parsing (431), before the 413 check sees it
    case("cl-u64-max", scalar(cl(b"18446744073709551615")), (413, 431)),
    case("cl-body-cut-short", scalar(cl(b"10"), body=b"5"), (400, None), half_close=True),
    # chunk framing
    case("chunk-size-not-hex", scalar(TE, body=b"zz\r\n5\r\n0\r\n\r\n"), 400),
    case("chunk-size-negative", scalar(TE, body=b"-1\r\n5\r\n0\r\n\r\n"), 400),
    case("chunk-size-overflows", scalar(TE, body=b"f" * 21 + b"\r\n5\r\n0\r\n\r\n"), 400),
    case("chunk-data-over-size", scalar(TE, body=b"1\r\n55\r\n0\r\n\r\n"), 400),
    case("chunk-data-under-size", scalar(TE, body=b"2\r\n5\r\n0\r\n\r\n"), 400),
    case("chunk-lines-end-in-lf", scalar(TE, body=b"1\n5\n0\n\n"), 400),
    case("chunk-final-missing", scalar(TE, body=b"1\r\n5\r\n"), (400, None), half_close=True),
    case("chunk-extension", scalar(TE, body=b"1;name=value\r\n5\r\n0\r\n\r\n"), 200, 5),
    case("chunk-extension-quoted", scalar(TE, body=b'1;a="b c"\r\n5\r\n0\r\n\r\n'), 200, 5),
    case("chunk-trailer", scalar(TE, body=b"1\r\n5\r\n0\r\nX-Trailer: t\r\n\r\n"), 200, 5),
    case("chunked-uppercase", scalar(te(b"CHUNKED"), body=FIVE), 200, 5),
    case("chunked-after-tab", scalar(b"Transfer-Encoding:\tchunked\r\n", body=FIVE), 200, 5),
    # A route that never reads its body may answer first, but bad framing still ends the
    # connection: the bytes after it are never taken for a request.
    case("chunk-bad-body-unread", create(TE, body=b"zz\r\n" + SMUGGLED), (200, 400), closes=True),
    # transfer codings other than a final chunked
    case("te-gzip", scalar(te(b"gzip"), body=b"5"), 400),
    case("te-identity", scalar(te(b"identity"), body=b"5"), 400),
    case("te-xchunked", scalar(te(b"xchunked"), body=FIVE), 400),
    case("te-chunked-then-gzip", scalar(te(b"chunked, gzip"), body=FIVE), 400),
    # gzip is no coding the server decodes: the handler must not get the coded bytes
    case("te-gzip-then-chunked", scalar(te(b"gzip, chunked"), body=FIVE), (400, 501)),
    case("te-chunked-twice", scalar(TE, TE, body=FIVE), 400),
    case("te-on-http-1.0", b"POST /scalar HTTP/1.0\r\n" + HOST + JSON + TE + b"\r\n" + FIVE, 400),
    case("te-space-before-colon", scalar(b"Transfer-Encoding : chunked\r\n", body=FIVE), 400),
    case("te-vertical-tab", scalar(b"Transfer-Encoding:\x0bchunked\r\n", body=FIVE), 400),
]

HEADER_BYTES = [
    case("name-nul", get(b"/", b"X-A\x00: 1\r\n"), 400),
    case("name-cr", get(b"/", b"X-\rA: 1\r\n"), 400),
    case("name-space-before-colon", get(b"/", b"X-A : 1\r\n"), 400),
    case("name-tab-before-colon", get(b"/", b"X-A\t: 1\r\n"), 400),
    case("name-inner-space", get(b"/", b"X A: 1\r\n"), 400),
    case("name-empty", get(b"/", b": 1\r\n"), 400),
    case("name-non-ascii", get(b"/", b"X-\xc3\xa9: 1\r\n"), 400),
    case("name-brackets", get(b"/", b"X-[A]: 1\r\n"), 400),
    case("no-colon", get(b"/", b"X-A 1\r\n"), 400),
    case("value-nul", get(b"/", b"X-A: a\x00b\r\n"), 400),
    case("value-cr-alone", get(b"/", b"X-A: a\rb\r\n"), 400),
    case("value-lf-alone", get(b"/", b"X-A: a\nb\r\n"), 400),
    case("value-control-byte", get(b"/", b"X-A: a\x01b\r\n"), 400),
    case("value-del", get(b"/", b"X-A: a\x7fb\r\n"), 400),
    case("obs-fold-space", get(b"/", b"X-A: a\r\n b\r\n"), 400),
    case("obs-fold-tab", get(b"/", b"X-A: a\r\n\tb\r\n"), 400),
    case("first-header-indented", b"GET / HTTP/1.1\r\n " + HOST + b"\r\n", 400),
    case("lines-end-in-cr", b"GET / HTTP/1.1\rHost: test\r\r", 400),
    # valid after all: obs-text in values, bare LF line ends (RFC 9112 2.2 allows them)
    case("value-utf8", get(b"/", b"X-A: caf\xc3\xa9\r\n"), 200, HELLO),
    case("value-latin1", get(b"/", b"X-A: caf\xe9\r\n"), 200, HELLO),
    case("lines-end-in-lf", b"GET / HTTP/1.1\nHost: test\n\n", 200, HELLO),
]

REQUEST_LINE = [
    case("no-version", get(line=b"GET /"), 400),
    case("http-0.9", b"GET /\r\n\r\n", 400),
    case("http-2.0", get(line=b"GET / HTTP/2.0"), (400, 505)),
    case("http-1.2", get(line=b"GET / HTTP/1.2"), (400, 505)),
    case("http-3", get(line=b"GET / HTTP/3"), (400, 505)),
    case("version-lowercase", get(line=b"GET / http/1.1"), 400),
    case("version-garbage", get(line=b"GET / FOO/1.1"), 400),
    # methods are case-sensitive: `get` is a method no route has (FastAPI: 405 too)
    case("method-lowercase", get(line=b"get / HTTP/1.1"), 405, NOT_ALLOWED),
    case("method-unknown", get(line=b"FOO / HTTP/1.1"), 405, NOT_ALLOWED),
    case("method-garbage", get(line=b"G@T / HTTP/1.1"), 400),
    case("method-non-ascii", get(line=b"G\xc3\x89T / HTTP/1.1"), 400),
    case("tabs-as-separators", get(line=b"GET\t/\tHTTP/1.1"), 400),
    case("double-space", get(line=b"GET  / HTTP/1.1"), 400),
    case("trailing-space", get(line=b"GET / HTTP/1.1 "), 400),
    case("leading-space", get(line=b" GET / HTTP/1.1"), 400),
    case("empty-target", get(line=b"GET  HTTP/1.1"), 400),
    case("target-without-slash", get(line=b"GET users/7 HTTP/1.1"), 400),
    # the authority form belongs to CONNECT alone, which no route answers
    case("authority-form-get", get(line=b"GET test:80 HTTP/1.1"), 400),
    case("connect", get(line=b"CONNECT test:80 HTTP/1.1"), tuple(range(400, 500))),
    case("asterisk-form-get", get(line=b"GET * HTTP/1.1"), (400, 404)),
    case("tls-client-hello", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\0" * 40, 400),
    case("nul-bytes", b"\x00\x00\x00\x00\r\n\r\n", 400),
    # HTTP/2 with prior knowledge is not spoken here: refused or closed, nothing more
    case("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", (None, 400, 505)),
    # valid after all
    case("leading-empty-line", b"\r\n" + get(b"/"), 200, HELLO),
    case("absolute-form", get(line=b"GET http://test/users/7 HTTP/1.1"), 200, USER_7),
    case("absolute-form-other-host", get(line=b"GET http://o:1/users/7 HTTP/1.1"), 200, USER_7),
    case("asterisk-form-options", get(line=b"OPTIONS * HTTP/1.1"), 404, NOT_FOUND),
    case("head", get(line=b"HEAD / HTTP/1.1"), 405, b""),
]

HOST_HEADER = [
    # RFC 9112 3.2: a server MUST answer 400 to these
    case("http-1.1-without-host", b"GET / HTTP/1.1\r\n\r\n", 400),
    case("two-hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    case("host-with-space", b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
    # allowed: an empty Host, and none at all on HTTP/1.0 (which closes after answering)
    case("empty-host", b"GET / HTTP/1.1\r\nHost:\r\n\r\n", 200, HELLO),
    case("http-1.0-without-host", b"GET / HTTP/1.0\r\n\r\n", 200, HELLO, closes=True),
]

TARGET = [
    # Invalid percent-encoding and UTF-8, as FastAPI answers them: bad escapes are kept as
    # they are, bad UTF-8 becomes U+FFFD, in the path as in the query.
    case("path-pct-not-hex", get(b"/items/%zz"), 200, item("%zz")),
    case("path-pct-alone", get(b"/items/%"), 200, item("%")),
    case("path-pct-truncated", get(b"/items/a%4"), 200, item("a%4")),
    case("path-pct-invalid-utf8", get(b"/items/%e9"), 200, item("\ufffd")),
    case("path-pct-overlong-utf8", get(b"/items/%c0%af"), 200, item("\ufffd\ufffd")),
    case("path-pct-nul", get(b"/items/a%00b"), 200, item("a\x00b")),
    case("path-pct-not-hex-int", get(b"/users/%zz"), 422, int_error("path", "user_id", "%zz")),
    case("path-pct-slash", get(b"/items/a%2Fb"), 404, NOT_FOUND),
    case("path-dot-segments", get(b"/items/../users/7"), 404, NOT_FOUND),
    case("path-pct-dot-segments", get(b"/items/%2e%2e/users/7"), 404, NOT_FOUND),
    case("query-pct-not-hex", get(b"/items/x?tag=%zz"), 200, item("x", "%zz")),
    case("query-pct-alone", get(b"/items/x?tag=%"), 200, item("x", "%")),
    case("query-pct-invalid-utf8", get(b"/items/x?tag=%e9"), 200, item("x", "\ufffd")),
    case("query-pct-overlong-utf8", get(b"/items/x?tag=%c0%af"), 200, item("x", "\ufffd" * 2)),
    case("query-pct-nul", get(b"/items/x?tag=a%00b"), 200, item("x", "a\x00b")),
    case("query-key-invalid-utf8", get(b"/items/x?%e9=1"), 200, item("x")),
    case(
        "query-int-invalid-utf8",
        get(b"/users/7?limit=%e9"),
        422,
        int_error("query", "limit", "\ufffd"),
    ),
    case("query-only-separators", get(b"/items/x?&&&"), 200, item("x")),
    # a fragment has no place in a request target: dropped, as uvicorn's default parser
    # (httptools) drops it
    case("fragment", get(b"/items/x?tag=a#frag"), 200, item("x", "a")),
    # raw bytes a request target cannot hold (RFC 3986): uvicorn refuses all of them
    case("raw-utf8-in-path", get(b"/items/caf\xc3\xa9"), 400),
    case("raw-utf8-in-query", get(b"/items/x?tag=caf\xc3\xa9"), 400),
    case("raw-latin1-in-path", get(b"/items/caf\xe9"), 400),
    case("raw-space-in-path", get(b"/items/a b"), 400),
    case("raw-control-byte-in-path", get(b"/items/a\x01b"), 400),
    case("raw-del-in-path", get(b"/items/a\x7fb"), 400),
]

SIZES = [
    # the default limits (docs/reliability.md): 8192 bytes of request target, 16384 of
    # request line + headers, 100 header lines (Host included)
    case("uri-at-limit", get(b"/items/" + b"a" * 8185), 200, item("a" * 8185)),
    case("uri-over-limit", get(b"/items/" + b"a" * 8186), 414, URI_TOO_LONG),
    case("query-over-limit", get(b"/items/x?tag=" + b"a" * 9000), 414, URI_TOO_LONG),
    # over both limits: the head's, checked while parsing, may well come first
    case("uri-over-head-limit", get(b"/items/" + b"a" * 20000), (414, 431)),
    case("header-10k", get(b"/", b"X-A: " + b"a" * 10000 + b"\r\n"), 200, HELLO),
    case("head-over-limit", get(b"/", b"X-A: " + b"a" * 20000 + b"\r\n"), 431, b""),
    case("headers-at-limit", get(b"/", many_headers(99)), 200, HELLO),
    case("headers-over-limit", get(b"/", many_headers(100)), 431, b""),
]

KEEP_ALIVE = [
    case("pipelined-two", get(b"/") + get(b"/users/7"), 200, HELLO, then=(200,)),
    case("pipelined-three", get(b"/") + get(b"/users/8") + get(b"/nope"), 200, then=(200, 404)),
    case(
        "pipelined-after-body", create(cl(b"5"), body=b"hello") + get(), 200, CREATED, then=(200,)
    ),
    case(
        "pipelined-after-chunks",
        create(TE, body=b"5\r\nhello\r\n0\r\n\r\n") + get(),
        200,
        CREATED,
        then=(200,),
    ),
    case(
        "pipelined-after-get-body",
        get(b"/", cl(b"5")) + b"hello" + get(b"/users/7"),
        200,
        HELLO,
        then=(200,),
    ),
    case("pipelined-garbage", get(b"/") + b"GARBAGE\r\n\r\n", 200, HELLO, then=(400,), closes=True),
    case("body-on-get", get(b"/", cl(b"5")) + b"hello", 200, HELLO),
    case("expect-100-in-one-write", scalar(b"Expect: 100-continue\r\n", CL1, body=b"5"), 200, 5),
    case("expect-unknown", scalar(b"Expect: teapot\r\n", CL1, body=b"5"), (200, 417)),
    case(
        "upgrade-h2c-ignored",
        get(b"/", b"Upgrade: h2c\r\n", b"HTTP2-Settings: AAMA\r\n"),
        200,
        HELLO,
    ),
]

CASES = SMUGGLING + HEADER_BYTES + REQUEST_LINE + HOST_HEADER + TARGET + SIZES + KEEP_ALIVE

APPS = {"basic": "basic_app:app", "params": "params_app:app"}


@pytest.fixture(scope="module")
def servers(start_module_server: Callable[[str], ServerProcess]) -> dict[str, ServerProcess]:
    return {name: start_module_server(target) for name, target in APPS.items()}


def check_body(answer: Answer, expected: Any) -> None:
    if expected is None:
        return
    if isinstance(expected, bytes):
        assert answer.body == expected
    else:
        assert answer.headers.get("content-type") == "application/json", answer.headers
        assert answer.json() == expected


@pytest.mark.parametrize("case", CASES)
def test_malformed_request(servers: dict[str, ServerProcess], case: Case) -> None:
    server = servers[case.app]
    answer, connection = exchange(server.base_url, case.raw, half_close=case.half_close)
    with connection:
        status = answer.status if answer else None
        detail = answer.body[:300] if answer else "closed without an answer"
        assert status in case.allowed, f"{status}: {detail!r}"
        if answer is not None:
            check_body(answer, case.body)
        for expected in case.then:
            following = connection.read_answer()
            assert following is not None, "closed before answering a pipelined request"
            assert following.status == expected, following
        if case.must_close:
            assert connection.closed_by_server(), f"still open, or more came: {connection.buffer!r}"
    assert server.process.poll() is None, server.output


def test_expect_100_continue_waits_for_the_body(servers: dict[str, ServerProcess]) -> None:
    """The client sends its head, waits for `100 Continue`, then sends the body."""
    with RawConnection(servers["params"].base_url) as connection:
        connection.send(scalar(b"Expect: 100-continue\r\n", cl(b"2")))
        assert connection.read_line() == b"HTTP/1.1 100 Continue"
        assert connection.read_line() == b""
        connection.send(b"42")
        answer = connection.read_answer()
        assert answer is not None
        assert (answer.status, answer.json()) == (200, 42)


def test_keep_alive_serves_many_requests_one_at_a_time(servers: dict[str, ServerProcess]):
    with RawConnection(servers["basic"].base_url) as connection:
        for number in range(20):
            connection.send(b"GET /users/%d HTTP/1.1\r\n" % number + HOST + b"\r\n")
            answer = connection.read_answer()
            assert answer is not None
            assert answer.json() == {"user_id": number, "q": None, "limit": 10}


def test_the_servers_still_answer_after_the_battery(servers: dict[str, ServerProcess]) -> None:
    """Runs after the cases above (file order): nothing they sent broke a server."""
    for server in servers.values():
        assert server.process.poll() is None, server.output
    answer, connection = exchange(servers["basic"].base_url, get(b"/users/7?q=ok"))
    connection.close()
    assert answer is not None
    assert (answer.status, answer.json()) == (200, {"user_id": 7, "q": "ok", "limit": 10})
    answer, connection = exchange(servers["params"].base_url, scalar(CL1, body=b"7"))
    connection.close()
    assert answer is not None
    assert (answer.status, answer.json()) == (200, 7)
    for server in servers.values():
        assert "panicked" not in server.output, server.output
        assert "Traceback" not in server.output, server.output
