"""The request, for handlers that ask for it (`def handler(request: Request)`).

It behaves as Starlette's `Request` over the scope the Rust core builds for each request
(an ASGI-like dict) and the body the core has already read whole. So nothing here waits
on the client: `await request.body()` returns at once, and sync handlers read the same
values with `request.body_sync()` and `request.json_sync()`.

Creating one stores the scope and the body and nothing else; the URL, headers, query
parameters and cookies are built on first use, then kept.
"""

from __future__ import annotations

# `collections.abc` would import the whole `collections` package; `_collections_abc` is
# the module it re-exports, and every interpreter has it loaded already (`os` imports it).
from _collections_abc import Mapping

from fasterapi.datastructures import URL, Address, Headers, QueryParams, State

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from typing import Any

__all__ = ["Request"]

# What `_json` holds until the body is parsed: `None` is a JSON value.
_UNPARSED = object()


class Request(Mapping[str, "Any"]):
    """An HTTP request, as Starlette's `Request`; a read-only mapping over its scope.

    Not there, as nothing in FasterAPI provides them: `receive` (the body is already
    read), `form()`, `url_for()`, `session`, `auth`, `user` and server push.
    """

    # Built on first use, then kept: most handlers read one or two of these, if any.
    _url: URL | None = None
    _base_url: URL | None = None
    _headers: Headers | None = None
    _query_params: QueryParams | None = None
    _cookies: dict[str, str] | None = None
    _state: State | None = None
    _json: Any = _UNPARSED

    def __init__(self, scope: dict[str, Any], body: bytes | None = None) -> None:
        self.scope = scope
        self._body = b"" if body is None else body

    def __getitem__(self, key: str) -> Any:
        return self.scope[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.scope)

    def __len__(self) -> int:
        return len(self.scope)

    # Two requests are the same request or different ones, whatever their scopes hold.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @property
    def app(self) -> Any:
        return self.scope["app"]

    @property
    def method(self) -> str:
        return self.scope["method"]

    @property
    def url(self) -> URL:
        url = self._url
        if url is None:
            url = self._url = URL(scope=self.scope)
        return url

    @property
    def base_url(self) -> URL:
        """The URL of the app's root: scheme, host and root path, ending in `/`."""
        base_url = self._base_url
        if base_url is None:
            scope = self.scope
            root_path = scope.get("app_root_path", scope.get("root_path", ""))
            path = root_path if root_path.endswith("/") else root_path + "/"
            base_scope = {**scope, "path": path, "query_string": b"", "root_path": root_path}
            base_url = self._base_url = URL(scope=base_scope)
        return base_url

    @property
    def headers(self) -> Headers:
        headers = self._headers
        if headers is None:
            headers = self._headers = Headers(scope=self.scope)
        return headers

    @property
    def query_params(self) -> QueryParams:
        params = self._query_params
        if params is None:
            params = self._query_params = QueryParams(self.scope["query_string"])
        return params

    @property
    def path_params(self) -> dict[str, Any]:
        return self.scope.get("path_params", {})

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies of every `Cookie` header; a later one wins a repeated name."""
        cookies = self._cookies
        if cookies is None:
            cookies = self._cookies = {}
            for header in self.headers.getlist("cookie"):
                _read_cookies(header, cookies)
        return cookies

    @property
    def client(self) -> Address | None:
        peer = self.scope.get("client")
        return None if peer is None else Address(*peer)

    @property
    def state(self) -> State:
        """This request's copy of the lifespan state, to read and to add to."""
        state = self._state
        if state is None:
            state = self._state = State(self.scope.get("state"))
        return state

    async def stream(self) -> AsyncIterator[bytes]:
        """The body in chunks, as Starlette's: here one chunk, then an empty one."""
        yield self._body
        yield b""

    async def body(self) -> bytes:
        return self._body

    async def json(self) -> Any:
        return self.json_sync()

    async def is_disconnected(self) -> bool:
        return False

    def body_sync(self) -> bytes:
        """The body, for sync handlers: what `await request.body()` gives."""
        return self._body

    def json_sync(self) -> Any:
        """The body parsed as JSON, for sync handlers: what `await request.json()` gives."""
        parsed = self._json
        if parsed is _UNPARSED:
            import json

            parsed = self._json = json.loads(self._body)
        return parsed


def _read_cookies(header: str, cookies: dict[str, str]) -> None:
    """Add the cookies of one `Cookie` header to `cookies`, read as Starlette reads them.

    Leniently, as browsers write them rather than as RFC 6265 says: pairs split at `;`,
    a pair without `=` is a value with an empty name, blanks around names and values go,
    and a value in double quotes loses them and its backslash escapes.
    """
    for pair in header.split(";"):
        name, equals, value = pair.partition("=")
        if not equals:
            name, value = "", name
        name = name.strip()
        value = value.strip()
        if name or value:
            cookies[name] = _unquote_cookie(value)


def _unquote_cookie(value: str) -> str:
    """`value` without its double quotes and escapes, as `http.cookies` unquotes it.

    Inside the quotes, a backslash and three octal digits (the first 0 to 3) stand for one
    character, and a backslash before any other character but a newline for that one.
    """
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return value
    value = value[1:-1]
    if "\\" not in value:
        return value
    parts = []
    start = 0
    end = len(value)
    while (slash := value.find("\\", start)) >= 0 and slash + 1 < end:
        parts.append(value[start:slash])
        octal = value[slash + 1 : slash + 4]
        if len(octal) == 3 and octal[0] in "0123" and not octal[1:].strip("01234567"):
            parts.append(chr(int(octal, 8)))
            start = slash + 4
        elif value[slash + 1] != "\n":
            parts.append(value[slash + 1])
            start = slash + 2
        else:
            parts.append("\\")
            start = slash + 1
    parts.append(value[start:])
    return "".join(parts)
