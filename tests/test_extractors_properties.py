"""Property tests of the extractors: FasterAPI answers whatever hypothesis draws exactly
as FastAPI does.

`apps/params_app.py` is served by a real FasterAPI server and, in-process, by FastAPI's
TestClient (the machinery of `test_params_differential.py`). Hypothesis draws query
strings, path segments, header and cookie values and JSON bodies: text with non-ASCII
characters and lone surrogates, integers far beyond 64 bits, float spellings (`nan`,
`inf`, `1e400`), malformed percent-escapes, nested JSON. Each request goes to both; the
status, body bytes and content type must be equal, and a 5xx only where FastAPI answers
one too. The runs are derandomized, so CI draws the same requests every time; raise
`EXAMPLES` locally to search further.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

EXAMPLES = 300
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
COMPARED_HEADERS = ["content-type", "content-length"]

# --- text: any character, lone surrogates included, and spellings the parsers treat apart
characters = st.characters() | st.characters(categories=["Cs"])
words = st.one_of(
    st.text(characters, max_size=12),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats().map(str),  # nan, inf, -inf, 1e+300, 5e-324 ...
    st.sampled_from(["NaN", "Infinity", "-inf", "1e400", "-0", "+1", "007", "1_000", "0x10",
                     " 1", "1 ", "1.0", "1.5", ".5", "1e2", "9" * 4301, "true", "off", "YES",
                     "red", "RED", "1", "2", "low", "2024-01-02", "2024-02-30T25:00",
                     "1700000000", "12345678-1234-5678-1234-567812345678", "a,b", "😀"]),
)  # fmt: skip


def escaped(text: str) -> str:
    """Percent-encoded UTF-8 (a lone surrogate as the invalid UTF-8 Python would write)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


# raw fragments, sent as they are: the '+' that means a space, escapes that are not UTF-8
# or not escapes at all, separators
raw = st.sampled_from(["+", "%2B", "%", "%zz", "%e9", "%C3", "%FF%FE", "%00", "a+b", "=", ";",
                       "%26", "&", "%3D"])  # fmt: skip
components = st.one_of(words.map(escaped), raw)


def send(client: httpx.Client, method: str, url: str, headers=None, body=None) -> httpx.Response:
    return client.request(method, url, headers=headers, content=body)


def assert_same(params_client, params_fastapi, method, url, headers=None, body=None) -> None:
    theirs = send(params_fastapi, method, url, headers, body)
    mine = send(params_client, method, url, headers, body)
    assert (mine.status_code, mine.text) == (theirs.status_code, theirs.text)
    assert mine.content == theirs.content
    for header in COMPARED_HEADERS:
        assert mine.headers.get(header) == theirs.headers.get(header), header
    assert mine.status_code < 500 or theirs.status_code >= 500


def check(params_client, params_fastapi, method, url, headers=None, body=None) -> None:
    """`assert_same`, inside a property: the request is noted for the failure report."""
    note(f"{method} {url} {headers or ''} {body!r}")
    assert_same(params_client, params_fastapi, method, url, headers, body)


# Known difference, left out of the properties and kept, exact, in
# `test_known_differences` below: an object key in a JSON body holding a lone surrogate as
# raw (invalid) UTF-8 bytes. Python's json decodes it with `surrogatepass` (FastAPI then
# fails to echo it: a 500), ours decodes it to U+FFFD (a 422 or a 200).


# --- query strings

QUERY_ROUTES = {
    "/q/str": ["q"], "/q/pattern": ["code"], "/q/int": ["n"], "/q/float": ["x"],
    "/q/default": ["page-size", "limit", "q"], "/q/annotated": ["q", "n"], "/q/list": ["tags"],
    "/q/list-default": ["tags"], "/q/list-optional": ["ids"],
    "/q/enum": ["color", "level", "shape", "size"], "/q/uuid": ["id"],
    "/q/datetime": ["when", "day"], "/q/bytes": ["data"], "/q/bool": ["Flag", "flag"],
    "/q/untyped": ["q", "n"],
}  # fmt: skip


@st.composite
def query_urls(draw) -> str:
    route = draw(st.sampled_from(sorted(QUERY_ROUTES)))
    names = st.sampled_from(QUERY_ROUTES[route]).map(escaped) | components
    pairs = draw(st.lists(st.tuples(names, components), max_size=4))
    separator = draw(st.sampled_from(["&", "&", ";", "&&"]))
    query = separator.join(f"{name}={value}" for name, value in pairs)
    return f"{route}?{query}" if query or draw(st.booleans()) else route


@SETTINGS
@given(url=query_urls())
def test_query_strings(params_client, params_fastapi, url: str) -> None:
    assume(len(url) < 8000)  # Limits.max_uri_length (8 KiB): a 414 where FastAPI has no limit
    check(params_client, params_fastapi, "GET", url)


# --- path segments

PATH_ROUTES = ["/p/{}", "/p/color/{}", "/p/uuid/{}", "/p/date/{}", "/files/{}"]


@SETTINGS
@given(route=st.sampled_from(PATH_ROUTES), segment=components)
def test_path_segments(params_client, params_fastapi, route: str, segment: str) -> None:
    check(params_client, params_fastapi, "GET", route.format(segment))


# --- header values: what a client may send (visible ASCII, UTF-8, inner spaces). Neither
# bytes that are not UTF-8 (FastAPI's TestClient re-encodes those, where uvicorn would pass
# them on as they came) nor leading or trailing whitespace (the HTTP parser strips it,
# the TestClient parses nothing): in both, the twin would not be FastAPI as served.
visible = st.characters(min_codepoint=0x20, exclude_categories=["Cc", "Cs"])
header_values = (
    (st.text(visible, max_size=16) | words)
    .map(lambda text: text.encode("utf-8", "surrogatepass").strip(b" "))
    .filter(lambda value: all(0x20 <= b != 0x7F for b in value) and _utf8(value))
)


def _utf8(value: bytes) -> bool:
    try:
        value.decode()
    except UnicodeDecodeError:
        return False
    return True


HEADER_ROUTES = {
    "/h": ["x-token", "x-count"], "/h/list": ["x-tag"], "/h/ints": ["x-n"],
    "/h/alias": ["x-api-key", "token"], "/h/same-alias": ["x_token", "x-token"],
    "/h/raw": ["x_token", "x-token"],
}  # fmt: skip


@st.composite
def header_requests(draw) -> tuple[str, list[tuple[bytes, bytes]]]:
    route = draw(st.sampled_from(sorted(HEADER_ROUTES)))
    names = st.sampled_from(HEADER_ROUTES[route]).map(str.encode)
    return route, draw(st.lists(st.tuples(names, header_values), max_size=4))


@SETTINGS
@given(request=header_requests())
def test_header_values(params_client, params_fastapi, request) -> None:
    route, headers = request
    check(params_client, params_fastapi, "GET", route, headers)


# --- cookies: the `Cookie` header as a browser (or anything else) may write it (UTF-8,
# as the header values above)

cookie_text = st.text(visible, max_size=10)
cookie_pairs = st.tuples(st.sampled_from(["session", "theme", "visits"]) | cookie_text, cookie_text)


@SETTINGS
@given(
    pairs=st.lists(cookie_pairs, max_size=4),
    separator=st.sampled_from(["; ", ";", " ; ", ","]),
    quoted=st.booleans(),
)
def test_cookie_header(params_client, params_fastapi, pairs, separator: str, quoted: bool) -> None:
    parts = [f'{name}="{value}"' if quoted else f"{name}={value}" for name, value in pairs]
    header = separator.join(parts).encode().strip(b" ")
    assume(header)
    check(params_client, params_fastapi, "GET", "/c", [(b"cookie", header)])


# --- JSON bodies

KEYS = ["name", "price", "tags", "description", "item", "user", "username", "age", "id", "items",
        "note", "tag", "when", "x", "data", "values", "level", "day", "slots", "owner", "low",
        "high", "ranges", "extra", "window", "booking", "count", "weight"]  # fmt: skip
BODY_ROUTES = ["/items", "/orders", "/two", "/embed", "/scalar", "/scalars", "/dict", "/any-dict",
               "/list", "/list-int", "/bytes", "/optional-body", "/events", "/schedule/1",
               "/depth", "/range", "/bookings", "/named", "/items/3"]  # fmt: skip
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),  # nan and infinities become the NaN and Infinity Python's json accepts
    st.text(characters, max_size=8),
    st.sampled_from(["1", "1.5", "2024-01-02", "12345678-1234-5678-1234-567812345678", "red"]),
)
json_keys = st.sampled_from(KEYS) | st.text(characters, max_size=5)
json_documents = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(json_keys, children, max_size=5)
    ),
    max_leaves=12,
)


@SETTINGS
@given(route=st.sampled_from(BODY_ROUTES), document=json_documents, ascii_only=st.booleans())
def test_json_bodies(params_client, params_fastapi, route: str, document, ascii_only) -> None:
    assume(ascii_only or not surrogate_key(document))
    body = json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    method = "PUT" if route == "/items/3" else "POST"
    check(params_client, params_fastapi, method, route, {"content-type": "application/json"}, body)


def surrogate_key(document) -> bool:
    if isinstance(document, dict):
        keys = any(0xD800 <= ord(c) <= 0xDFFF for key in document for c in key)
        return keys or any(surrogate_key(value) for value in document.values())
    if isinstance(document, list):
        return any(surrogate_key(value) for value in document)
    return False


# The differences the properties found, each as one exact request. Strict: once the core
# answers as FastAPI does, the case fails here; then drop it and its `assume` above.
JSON = {"content-type": "application/json"}
KNOWN_DIFFERENCES = [
    pytest.param("POST", "/items", b'{"\xed\xa0\x80": null}', id="raw-surrogate-key-422"),
    pytest.param("POST", "/any-dict", b'{"\xed\xa0\x80": 1}', id="raw-surrogate-key-200"),
]


@pytest.mark.xfail(strict=True, reason="the core answers otherwise than FastAPI (see above)")
@pytest.mark.parametrize(("method", "url", "body"), KNOWN_DIFFERENCES)
def test_known_differences(params_client, params_fastapi, method, url, body) -> None:
    headers = JSON if body is not None else None
    assert_same(params_client, params_fastapi, method, url, headers, body)


@pytest.mark.parametrize(
    "value",
    [
        "a" + "9" * 4301,
        "9" * 4301,
        "-" + "9" * 4301,
        "%2B" + "9" * 4301,
        "9" * 4301 + "x",
        "9" * 4300 + "a",
        "9" * 4301 + ".0",
        "1_" * 2200,
        "1_" * 2200 + "1",
    ],
)
def test_long_integer_texts(params_client, params_fastapi, value) -> None:
    # Found by the query property: over 4300 characters, pydantic says `int_parsing_size`
    # only for what has an integer's syntax, `int_parsing` otherwise.
    assert_same(params_client, params_fastapi, "GET", f"/q/int?n={value}", None, None)


# Found by the properties: the `uuid` crate's messages changed after 1.23 (the version
# pydantic-core 2.50 uses, which the core now pins), for non-ASCII input.
@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/p/uuid/%C5%A1", None),
        ("GET", "/q/uuid?id=%C5%A1", None),
        ("GET", "/p/uuid/12345678-1234-5678-1234-56781234567%C5%A1", None),
        ("POST", "/schedule/1", '{"day": "2024-01-02", "slots": {}, "owner": "š"}'.encode()),
    ],
)
def test_uuids_with_non_ascii_characters(params_client, params_fastapi, method, url, body):
    headers = JSON if body is not None else None
    assert_same(params_client, params_fastapi, method, url, headers, body)
