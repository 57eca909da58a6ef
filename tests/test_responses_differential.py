"""Response objects, the decorator's `status_code`/`response_class` and a `response:
Response` parameter must give FastAPI's response: status, body bytes and headers.

`apps/responses_app.py` (and `apps/responses_default_app.py`) are served by FastAPI
through its TestClient and by FasterAPI over a real socket. What FastAPI itself makes up
anew for each response is compared by its stable parts only: the boundary of a
`multipart/byteranges` body (random), and cookie `expires` dates given relative to now
(an int, as `delete_cookie` gives), which may fall a second apart.
"""

from __future__ import annotations

import os
import re
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

TEXT = "".join(f"línea {n}: {'x' * (n % 7)}\n" for n in range(120)).encode()
BINARY = bytes(range(256)) * 800  # 204800 bytes: several of the 64 KiB chunks
FIXED = b"fixed mtime\n"
FIXED_MTIME = 1_700_000_000  # a whole second: `str(st_mtime)` is "1700000000.0"
FINE_MTIME_NS = 1_700_000_000_000_000_123  # `str(st_mtime)` is "1700000000.0000002"
EARLY_MTIME = 0.5  # "0.5", in 1970

COMPARED_HEADERS = [
    "content-type",
    "content-length",
    "location",
    "set-cookie",
    "etag",
    "last-modified",
    "content-disposition",
    "accept-ranges",
    "content-range",
    "cache-control",
    "x-custom",
    "x-thing",
    "x-one",
    "x-many",
    "x-default",
    "x-async",
    "x-from",
    "x-sub",
    "x-ignored",
    "x-stream",
    "x-file",
    "x-both",
]

RESPONSE_OBJECTS = [
    "/resp/request-app",
    "/resp/bytes",
    "/resp/str",
    "/resp/none",
    "/resp/no-media-type",
    "/resp/204",
    "/resp/304",
    "/resp/299",
    "/resp/500",
    "/resp/given-headers",
    "/resp/memoryview",
    "/resp/unencodable-header",
    "/resp/dict-content",
    "/resp/edited-headers",
    "/resp/json",
    "/resp/json-media-type",
    "/resp/json-null",
    "/resp/json-nan",
    "/resp/plain",
    "/resp/html",
    "/resp/html-charset",
    "/resp/xml",
    "/resp/latin1",
    "/resp/async",
]

REDIRECTS = [
    "/redirect/default",
    *[f"/redirect/status/{code}" for code in (301, 302, 303, 307, 308)],
    "/redirect/spaces",
    "/redirect/unicode",
    "/redirect/query",
    "/redirect/headers",
]

DECORATED = [
    "/status/201",
    "/status/204-none",
    "/status/204-dict",
    "/status/304",
    "/status/404",
    "/status/returned-response",
    "/class/html",
    "/class/html-201",
    "/class/html-dict",
    "/class/plain",
    "/class/plain-int",
    "/class/plain-none",
    "/class/plain-204",
    "/class/response",
    "/class/json-201",
    "/class/indented",
    "/class/redirect",
    "/class/redirect-302",
    "/class/xml",
]

SUB_RESPONSE = [
    "/sub/header",
    "/sub/cookies",
    "/sub/bad-samesite",
    "/sub/naive-expires",
    "/sub/bad-cookie-name",
    "/sub/status",
    "/sub/status-over-decorator",
    "/sub/decorator-status",
    "/sub/status-204",
    "/sub/content-type",
    "/sub/returned-response",
    "/sub/html",
    "/sub/async",
    "/cookies/returned",
    "/cookies/redirect",
]

# Cookies whose `expires` is an int: `http.cookies` writes now + that many seconds.
RELATIVE_EXPIRES = [
    "/sub/cookie-relative-expires",
    "/sub/delete-cookie",
    "/cookies/returned-delete",
]

STREAMS = [
    "/stream/sync",
    "/stream/async",
    "/stream/list",
    "/stream/no-media-type",
    "/stream/empty",
    "/stream/length",
    "/stream/sub-response",
    "/stream/cookie",
]

# A stream that raises after its headers are sent: FastAPI's TestClient keeps what was
# sent (status, headers, the chunks before the error) as a complete response; a real
# server can only cut the connection. What the client got before the cut must be what
# the TestClient kept.
BROKEN_STREAMS = [
    "/stream/raise-after-first",
    "/stream/raise-at-once",
    "/stream/async-raise-after-first",
]

FILES = [
    "/file/text",
    "/file/binary",
    "/file/fixed-mtime",
    "/file/fine-mtime",
    "/file/early-mtime",
    "/file/empty",
    "/file/named",
    "/file/unicode-name",
    "/file/space-name",
    "/file/inline",
    "/file/given-type",
    "/file/unknown-type",
    "/file/status",
    "/file/headers",
    "/file/stat",
    "/file/quote-name",
    "/file/cookie",
    "/file/missing",
    "/file/directory",
]

SIZE = len(BINARY)
RANGES = [
    "bytes=0-99",
    "bytes=100-",
    "bytes=-500",
    "bytes=0-0",
    f"bytes={SIZE - 1}-",
    "bytes=65530-131080",
    "bytes=0-99999999",
    "bytes=0-99999999999999999999999",
    "bytes=-99999999",
    "BYTES = 5-9",
    "bytes= 5 - 9",
    "bytes=1_0-2_0",
    "bytes=+1-2",
    "bytes=5-",
    "bytes=0-9,20-29",
    "bytes=50-60,0-10",
    "bytes=0-10,5-20",
    "bytes=0-1,2-3,4-5",
    "bytes=0-1,3-4,-2",
    "bytes=0-9,,x,-,20-29",
    "bytes=0-1, 70000-70010, 150000-",
    ",".join(f"{n}-{n}" for n in range(0, 200, 2)).join(["bytes=", ""]),
    ",".join(f"{n}-{n}" for n in range(0, 202, 2)).join(["bytes=", ""]),
    # 416
    f"bytes={SIZE}-",
    "bytes=999999-",
    "bytes=-0",
    f"bytes=0-9,{SIZE}-",
    # 400
    "bytes=5-2",
    "bytes=0-9,5-2",
    "items=0-1",
    "bytes",
    "bytes=",
    "bytes=abc",
    "bytes=-",
    "bytes=a-b",
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory):
    """The files the app serves, written once before either server imports the app, which
    finds them through `RESPONSES_APP_FILES`."""
    directory = tmp_path_factory.mktemp("served")
    (directory / "data.txt").write_bytes(TEXT)
    (directory / "data.bin").write_bytes(BINARY)
    (directory / "data.unknownext").write_bytes(b"??")
    (directory / "fixed.txt").write_bytes(FIXED)
    os.utime(directory / "fixed.txt", (FIXED_MTIME, FIXED_MTIME))
    (directory / "fine.txt").write_bytes(FIXED)
    os.utime(directory / "fine.txt", ns=(FINE_MTIME_NS, FINE_MTIME_NS))
    (directory / "early.txt").write_bytes(FIXED)
    os.utime(directory / "early.txt", (EARLY_MTIME, EARLY_MTIME))
    (directory / "empty.txt").write_bytes(b"")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RESPONSES_APP_FILES", str(directory))
        yield directory


@pytest.fixture(scope="module")
def ours(files: Path, start_module_server):
    server = start_module_server("responses_app:app")
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def theirs(files: Path):
    from fastapi_twin import fastapi_client

    with fastapi_client("responses_app.py") as client:
        yield client


@pytest.fixture(scope="module")
def ours_default(start_module_server):
    server = start_module_server("responses_default_app:app")
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def theirs_default():
    from fastapi_twin import fastapi_client

    with fastapi_client("responses_default_app.py") as client:
        yield client


def _same(ours: httpx.Response, theirs: httpx.Response, *, clock: bool = False) -> None:
    """Same status, body and compared headers (each with all its values, in order)."""
    assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
    for header in COMPARED_HEADERS:
        if header == "set-cookie" and clock:
            _same_cookies_but_dates(ours, theirs)
        else:
            assert ours.headers.get_list(header) == theirs.headers.get_list(header), header
    assert _allowed(ours) == _allowed(theirs)


def _allowed(response: httpx.Response) -> set[str]:
    # FastAPI joins a Python set for a 405's `Allow`, so only its members are comparable.
    return {method.strip() for method in response.headers.get("allow", "").split(",") if method}


HTTP_DATE = re.compile(r"expires=(\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT)")


def _same_cookies_but_dates(ours: httpx.Response, theirs: httpx.Response) -> None:
    """The same cookies, with `expires` dates of the same form at most 2 s apart."""
    our_cookies = ours.headers.get_list("set-cookie")
    their_cookies = theirs.headers.get_list("set-cookie")
    assert [HTTP_DATE.sub("expires=DATE", c) for c in our_cookies] == [
        HTTP_DATE.sub("expires=DATE", c) for c in their_cookies
    ]
    for our_cookie, their_cookie in zip(our_cookies, their_cookies, strict=True):
        our_dates = [parsedate_to_datetime(d) for d in HTTP_DATE.findall(our_cookie)]
        their_dates = [parsedate_to_datetime(d) for d in HTTP_DATE.findall(their_cookie)]
        assert len(our_dates) == len(their_dates)
        for mine, other in zip(our_dates, their_dates, strict=True):
            assert abs((mine - other).total_seconds()) <= 2, (our_cookie, their_cookie)


@pytest.mark.parametrize("url", RESPONSE_OBJECTS + REDIRECTS)
def test_returned_response(ours, theirs, url):
    _same(ours.get(url), theirs.get(url))


def test_latin1_header_value(ours):
    """Starlette encodes header values as latin-1 and uvicorn sends those bytes; the
    TestClient alone cannot (it decodes them as UTF-8 and fails), so this one is checked
    against the bytes uvicorn would send."""
    response = ours.get("/resp/latin1-header")
    assert (response.status_code, response.content) == (200, b"x")
    assert [v for k, v in response.headers.raw if k.lower() == b"x-custom"] == [b"caf\xe9"]


@pytest.mark.parametrize("url", DECORATED)
def test_decorator_status_and_response_class(ours, theirs, url):
    _same(ours.get(url), theirs.get(url))


def test_decorator_status_on_post(ours, theirs):
    _same(ours.post("/status/202"), theirs.post("/status/202"))


@pytest.mark.parametrize("url", SUB_RESPONSE)
def test_response_parameter(ours, theirs, url):
    _same(ours.get(url), theirs.get(url))


@pytest.mark.parametrize("url", RELATIVE_EXPIRES)
def test_cookies_expiring_relative_to_now(ours, theirs, url):
    _same(ours.get(url), theirs.get(url), clock=True)


@pytest.mark.parametrize("url", STREAMS)
def test_streaming_response(ours, theirs, url):
    _same(ours.get(url), theirs.get(url))


@pytest.mark.parametrize("url", BROKEN_STREAMS)
def test_stream_raising_after_its_headers(ours, theirs, url):
    expected = theirs.get(url)
    received = b""
    with ours.stream("GET", url) as response, pytest.raises(httpx.RemoteProtocolError):
        for chunk in response.iter_raw():
            received += chunk
    assert (response.status_code, received) == (expected.status_code, expected.content)
    for header in COMPARED_HEADERS:
        assert response.headers.get_list(header) == expected.headers.get_list(header), header
    _same(ours.get("/resp/json"), theirs.get("/resp/json"))  # and the server serves on


@pytest.mark.parametrize("url", FILES)
def test_file_response(ours, theirs, url):
    _same(ours.get(url), theirs.get(url))


@pytest.mark.parametrize("method", ["HEAD", "POST"])
def test_file_response_to_other_methods(ours, theirs, method):
    _same(ours.request(method, "/file/text"), theirs.request(method, "/file/text"))


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("byte_range", RANGES)
def test_file_range(ours, theirs, method, byte_range):
    headers = {"range": byte_range}
    _same_file_part(
        ours.request(method, "/file/binary", headers=headers),
        theirs.request(method, "/file/binary", headers=headers),
    )


@pytest.mark.parametrize(
    "url", ["/file/text", "/file/status", "/file/headers", "/file/stat", "/file/empty"]
)
@pytest.mark.parametrize(
    "byte_range", ["bytes=0-4", "bytes=-3", "bytes=0-", "bytes=1-2,6-9", "bytes=x"]
)
def test_file_range_on_other_files(ours, theirs, url, byte_range):
    headers = {"range": byte_range}
    _same_file_part(ours.get(url, headers=headers), theirs.get(url, headers=headers))


def test_first_of_two_range_headers(ours, theirs):
    headers = [("range", "bytes=0-1"), ("range", "bytes=5-9,20-29")]
    _same(ours.get("/file/binary", headers=headers), theirs.get("/file/binary", headers=headers))


def test_range_ignored_on_post(ours, theirs):
    headers = {"range": "bytes=0-4"}
    _same(ours.post("/file/text", headers=headers), theirs.post("/file/text", headers=headers))


@pytest.mark.parametrize(
    "if_range",
    ["etag", "last-modified", "other-etag", "weak-etag", "other-date", "empty"],
)
@pytest.mark.parametrize("url", ["/file/binary", "/file/headers"])
def test_file_if_range(ours, theirs, url, if_range):
    full = theirs.get(url)
    value = {
        "etag": full.headers["etag"],
        "last-modified": full.headers["last-modified"],
        "other-etag": '"0123456789abcdef"',
        "weak-etag": "W/" + full.headers["etag"],
        "other-date": "Mon, 01 Jan 2001 00:00:00 GMT",
        "empty": "",
    }[if_range]
    headers = {"range": "bytes=0-9,20-29", "if-range": value}
    _same_file_part(ours.get(url, headers=headers), theirs.get(url, headers=headers))
    headers = {"range": "bytes=3-7", "if-range": value}
    _same(ours.get(url, headers=headers), theirs.get(url, headers=headers))


BOUNDARY = re.compile(r"multipart/byteranges; boundary=([0-9a-f]+)")


def _same_file_part(ours: httpx.Response, theirs: httpx.Response) -> None:
    """`_same`, with a `multipart/byteranges` boundary (random) replaced by a fixed one of
    the same length."""
    _same(*(_fixed_boundary(response) for response in (ours, theirs)))


def _fixed_boundary(response: httpx.Response) -> httpx.Response:
    match = BOUNDARY.fullmatch(response.headers.get("content-type", ""))
    if match is None:
        return response
    boundary = match.group(1)
    fixed = "b" * len(boundary)
    headers = [
        (name, value.replace(boundary, fixed)) for name, value in response.headers.multi_items()
    ]
    content = response.content.replace(f"--{boundary}".encode(), f"--{fixed}".encode())
    return httpx.Response(response.status_code, headers=headers, content=content)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("HEAD", "/only-head"),
        ("GET", "/only-head"),
        ("OPTIONS", "/only-options"),
        ("GET", "/only-options"),
        ("HEAD", "/only-options"),
        ("GET", "/get-and-head"),
        ("HEAD", "/get-and-head"),
        ("OPTIONS", "/get-and-head"),
        ("HEAD", "/resp/json"),
        ("OPTIONS", "/resp/json"),
        ("HEAD", "/stream/sync"),
        ("HEAD", "/file/named"),
    ],
)
def test_head_and_options(ours, theirs, method, url):
    _same(ours.request(method, url), theirs.request(method, url))


@pytest.mark.parametrize(
    "url",
    [
        "/text",
        "/dict",
        "/json",
        "/status",
        "/returned",
        "/plain/text",
        "/plain/json",
        "/bare/text",
        "/bare/html",
        "/app-default/text",
        "/app-default/html",
    ],
)
def test_default_response_class(ours_default, theirs_default, url):
    _same(ours_default.get(url), theirs_default.get(url))
