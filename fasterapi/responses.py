"""Response classes, as FastAPI users know them from Starlette.

A handler may return one of these instead of data; the worker reads its status, raw
headers and body (or stream, or file) and the Rust core sends it. Every sub-interpreter
imports this module, so it stays light: the modules a feature needs (`json`,
`http.cookies`, `mimetypes`, `urllib.parse`) are imported when that feature is used.
"""

from __future__ import annotations

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterable, Iterable, Mapping
    from datetime import datetime
    from os import PathLike, stat_result
    from typing import Any, Literal

    from fasterapi.datastructures import URL, MutableHeaders


class Response:
    """A response with a body rendered when it is created (`render`)."""

    media_type: str | None = None
    charset = "utf-8"

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.body = self.render(content)
        self.init_headers(headers)

    def render(self, content: Any) -> bytes | memoryview:
        if content is None:
            return b""
        if isinstance(content, bytes):
            return content
        if isinstance(content, memoryview):
            return content.cast("B") if content.c_contiguous else content.tobytes()
        return content.encode(self.charset)

    def init_headers(self, headers: Mapping[str, str] | None = None) -> None:
        """`raw_headers` from `headers`, plus `content-length` and `content-type` unless
        given (no length for the statuses that have no body)."""
        raw: list[tuple[bytes, bytes]] = []
        if headers is not None:
            raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        names = {name for name, _ in raw}
        body = getattr(self, "body", None)
        if (
            body is not None
            and b"content-length" not in names
            and not (self.status_code < 200 or self.status_code in (204, 304))
        ):
            raw.append((b"content-length", str(len(body)).encode("latin-1")))
        content_type = self.media_type
        if content_type is not None and b"content-type" not in names:
            if content_type.startswith("text/") and "charset=" not in content_type.lower():
                content_type += "; charset=" + self.charset
            raw.append((b"content-type", content_type.encode("latin-1")))
        self.raw_headers = raw

    @property
    def headers(self) -> MutableHeaders:
        """The headers, editable in place (edits change `raw_headers`)."""
        if "_headers" not in self.__dict__:
            from fasterapi.datastructures import MutableHeaders

            self._headers = MutableHeaders(raw=self.raw_headers)
        return self._headers

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: int | None = None,
        expires: datetime | str | int | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
        partitioned: bool = False,
    ) -> None:
        """Adds a `set-cookie` header, written by the standard library's `http.cookies`."""
        import http.cookies
        import sys

        cookie: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
        cookie[key] = value
        morsel = cookie[key]
        if max_age is not None:
            morsel["max-age"] = max_age
        if expires is not None:
            morsel["expires"] = _cookie_date(expires)
        if path is not None:
            morsel["path"] = path
        if domain is not None:
            morsel["domain"] = domain
        if secure:
            morsel["secure"] = True
        if httponly:
            morsel["httponly"] = True
        if samesite is not None:
            if samesite.lower() not in ("strict", "lax", "none"):
                raise AssertionError("samesite must be either 'strict', 'lax' or 'none'")
            morsel["samesite"] = samesite
        if partitioned:
            if sys.version_info < (3, 14):
                raise ValueError("Partitioned cookies are only supported in Python 3.14 and above.")
            morsel["partitioned"] = True
        self.raw_headers.append((b"set-cookie", cookie.output(header="").strip().encode("latin-1")))

    def delete_cookie(
        self,
        key: str,
        path: str = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
        partitioned: bool = False,
    ) -> None:
        """Tells the client to drop cookie `key` (expired now, no value)."""
        self.set_cookie(
            key,
            max_age=0,
            expires=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )


def _cookie_date(expires: datetime | str | int) -> str | int:
    if isinstance(expires, (str, int)):
        return expires
    from email.utils import format_datetime

    return format_datetime(expires, usegmt=True)


class HTMLResponse(Response):
    media_type = "text/html"


class PlainTextResponse(Response):
    media_type = "text/plain"


class JSONResponse(Response):
    """`content` as compact JSON, as FastAPI renders it. A route whose `response_class` is
    this class (the default) has its results rendered by the Rust core instead, to the
    same bytes."""

    media_type = "application/json"

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        super().__init__(content, status_code, headers, media_type)

    def render(self, content: Any) -> bytes:
        import json

        text = json.dumps(
            content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
        )
        return text.encode("utf-8")


class RedirectResponse(Response):
    """A redirect (307 by default) to `url`, quoted as a `location` header must be."""

    def __init__(
        self,
        url: str | URL,
        status_code: int = 307,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        from urllib.parse import quote

        super().__init__(content=b"", status_code=status_code, headers=headers)
        self.headers["location"] = quote(str(url), safe=":/%#?=@[]!$&'()*+,;")


class StreamingResponse(Response):
    """A body sent chunk by chunk as `content` (a sync or async iterable of `str`,
    `bytes` or `memoryview`) yields it.

    The interpreter that ran the handler pulls one chunk each time the connection can
    take more: a sync iterator is advanced on that interpreter's thread (one chunk per
    turn, between other requests), an async one as a task on its event loop.
    """

    def __init__(
        self,
        content: Iterable[str | bytes | memoryview] | AsyncIterable[str | bytes | memoryview],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        self.body_iterator = content
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.init_headers(headers)


class FileResponse(Response):
    """The file at `path`, read and sent by the Rust core (with `Range` support), never
    through Python."""

    chunk_size = 64 * 1024

    def __init__(
        self,
        path: str | PathLike[str],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        filename: str | None = None,
        stat_result: stat_result | None = None,
        content_disposition_type: str = "attachment",
    ) -> None:
        self.path = path
        self.status_code = status_code
        self.filename = filename
        if media_type is None:
            from mimetypes import guess_type

            media_type = guess_type(filename or path)[0] or "application/octet-stream"
        self.media_type = media_type
        self.init_headers(headers)
        self.headers.setdefault("accept-ranges", "bytes")
        if filename is not None:
            from urllib.parse import quote

            quoted = quote(filename)
            if quoted != filename:
                disposition = f"{content_disposition_type}; filename*=utf-8''{quoted}"
            else:
                disposition = f'{content_disposition_type}; filename="{filename}"'
            self.headers.setdefault("content-disposition", disposition)
        self.stat_result = stat_result
        if stat_result is not None:
            self.set_stat_headers(stat_result)

    def set_stat_headers(self, stat_result: stat_result) -> None:
        """`content-length`, `last-modified` and `etag` from a `stat` of the file (the
        core computes the same ones itself when no `stat_result` was given)."""
        import hashlib
        from email.utils import formatdate

        etag_base = f"{stat_result.st_mtime}-{stat_result.st_size}"
        etag = hashlib.md5(etag_base.encode(), usedforsecurity=False).hexdigest()
        self.headers.setdefault("content-length", str(stat_result.st_size))
        self.headers.setdefault("last-modified", formatdate(stat_result.st_mtime, usegmt=True))
        self.headers.setdefault("etag", f'"{etag}"')


__all__ = [
    "FileResponse",
    "HTMLResponse",
    "JSONResponse",
    "PlainTextResponse",
    "RedirectResponse",
    "Response",
    "StreamingResponse",
]
