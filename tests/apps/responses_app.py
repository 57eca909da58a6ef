"""Handlers returning response objects, or shaping their response through the decorator
and a `response: Response` parameter, for the differential tests to compare on FastAPI
and FasterAPI; slow streams for the streaming tests (`/slow/...`).

The files the `FileResponse` routes serve, and the records the slow streams leave, live
in the directory `RESPONSES_APP_FILES` names: the tests write the files once, before
either server imports this module, so both see the same bytes and the same `mtime`.
Every interpreter imports this module again and has its own globals, so a stream tells
the tests what it did through that directory, never through a variable.

No handler has a return annotation (FastAPI would take it for a response model), and no
handler is itself a generator (FastAPI would stream its items as JSON lines).
"""

import asyncio
import datetime
import os
import pathlib
import time

from fasterapi import FastAPI, Request, Response
from fasterapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    StreamingResponse,
)

FILES = pathlib.Path(os.environ.get("RESPONSES_APP_FILES", "."))

app = FastAPI()


class XMLResponse(Response):
    media_type = "application/xml"


class Latin1CSVResponse(Response):
    media_type = "text/csv"
    charset = "latin-1"


class IndentedJSONResponse(JSONResponse):
    def render(self, content):
        import json

        return json.dumps(content, indent=2, sort_keys=True).encode("utf-8")


# Response objects returned as they are.


@app.get("/resp/bytes")
def response_bytes():
    return Response(b"\x00\x01raw\xff", media_type="application/octet-stream")


@app.get("/resp/str")
def response_str():
    return Response("café", status_code=202, headers={"X-Custom": "1"}, media_type="text/plain")


@app.get("/resp/none")
def response_none():
    return Response()


@app.get("/resp/no-media-type")
def response_no_media_type():
    return Response("no type")


@app.get("/resp/204")
def response_204():
    return Response(status_code=204)


@app.get("/resp/304")
def response_304():
    return Response(status_code=304, headers={"ETag": '"v1"'})


@app.get("/resp/299")
def response_299():
    return Response("odd", status_code=299, media_type="text/plain")


@app.get("/resp/500")
def response_500():
    return PlainTextResponse("it broke", status_code=500)


@app.get("/resp/given-headers")
def response_given_headers():
    return Response("abc", headers={"Content-Type": "text/x-given", "Content-Length": "3"})


@app.get("/resp/memoryview")
def response_memoryview():
    return Response(memoryview(b"view"), media_type="application/octet-stream")


@app.get("/resp/edited-headers")
def response_edited_headers():
    response = PlainTextResponse("edited")
    response.headers["X-One"] = "1"
    response.headers.append("X-Many", "a")
    response.headers.append("X-Many", "b")
    response.headers["content-type"] = "text/plain; charset=ascii"
    del response.headers["x-one"]
    response.headers.setdefault("X-Default", "kept")
    response.status_code = 203
    return response


@app.get("/resp/latin1-header")
def response_latin1_header():
    return PlainTextResponse("x", headers={"X-Custom": "café"})


@app.get("/resp/unencodable-header")
def response_unencodable_header():
    return PlainTextResponse("x", headers={"X-Custom": "€"})


@app.get("/resp/dict-content")
def response_dict_content():
    return Response({"not": "rendered"})


@app.get("/resp/json")
def response_json():
    return JSONResponse({"a": [1, "é", None]}, status_code=201, headers={"X-Thing": "yes"})


@app.get("/resp/json-media-type")
def response_json_media_type():
    return JSONResponse([1, 2], media_type="application/vnd.api+json")


@app.get("/resp/json-null")
def response_json_null():
    return JSONResponse(None)


@app.get("/resp/json-nan")
def response_json_nan():
    return JSONResponse({"x": float("nan")})


@app.get("/resp/plain")
def response_plain():
    return PlainTextResponse("hello\n", status_code=418)


@app.get("/resp/html")
def response_html():
    return HTMLResponse("<h1>hé</h1>")


@app.get("/resp/html-charset")
def response_html_charset():
    return HTMLResponse("<p>x</p>", media_type="text/html; charset=iso-8859-1")


@app.get("/resp/xml")
def response_xml():
    return XMLResponse("<a>é</a>")


@app.get("/resp/latin1")
def response_latin1():
    return Latin1CSVResponse("café,1\n")


@app.get("/resp/async")
async def response_async():
    await asyncio.sleep(0)
    return HTMLResponse("<b>async</b>", headers={"X-Async": "1"})


# Redirects.


@app.get("/redirect/default")
def redirect_default():
    return RedirectResponse("/target")


@app.get("/redirect/status/{code}")
def redirect_status(code: int):
    return RedirectResponse("/target?from=status", status_code=code)


@app.get("/redirect/spaces")
def redirect_spaces():
    return RedirectResponse("/a b/c d?x=1 2&y=z w#frag ment")


@app.get("/redirect/unicode")
def redirect_unicode():
    return RedirectResponse("https://example.com/café/ünï?q=ü&r=€")


@app.get("/redirect/query")
def redirect_query():
    return RedirectResponse('/search?q=a+b&r=%20c&t=x/y&u=[1]&v=<>"{}|\\^`')


@app.get("/redirect/headers")
def redirect_headers():
    return RedirectResponse("http://other.example/x", status_code=302, headers={"X-From": "here"})


# The decorator's `status_code` and `response_class`.


@app.get("/status/201", status_code=201)
def status_201():
    return {"created": True}


@app.post("/status/202", status_code=202)
def status_202():
    return ["accepted"]


@app.get("/status/204-none", status_code=204)
def status_204_none():
    return None


@app.get("/status/204-dict", status_code=204)
def status_204_dict():
    return {"dropped": True}


@app.get("/status/304", status_code=304)
def status_304():
    return {"x": 1}


@app.get("/status/404", status_code=404)
def status_404():
    return {"missing": "on purpose"}


@app.get("/status/returned-response", status_code=201)
def status_returned_response():
    return PlainTextResponse("the returned response's own status")


@app.get("/class/html", response_class=HTMLResponse)
def class_html():
    return "<p>html</p>"


@app.get("/class/html-201", response_class=HTMLResponse, status_code=201)
def class_html_201():
    return "<p>created</p>"


@app.get("/class/html-dict", response_class=HTMLResponse)
def class_html_dict():
    return {"not": "text"}


@app.get("/class/plain", response_class=PlainTextResponse)
def class_plain():
    return "plain é"


@app.get("/class/plain-int", response_class=PlainTextResponse)
def class_plain_int():
    return 5


@app.get("/class/plain-none", response_class=PlainTextResponse)
def class_plain_none():
    return None


@app.get("/class/plain-204", response_class=PlainTextResponse, status_code=204)
def class_plain_204():
    return "dropped"


@app.get("/class/response", response_class=Response)
def class_response():
    return b"bytes become text"


@app.get("/class/json-201", response_class=JSONResponse, status_code=201)
def class_json_201():
    return {"explicit": "json"}


@app.get("/class/indented", response_class=IndentedJSONResponse)
def class_indented():
    return {"b": [1, 2], "a": {"c": None}}


@app.get("/class/redirect", response_class=RedirectResponse)
def class_redirect():
    return "https://example.com/to there"


@app.get("/class/redirect-302", response_class=RedirectResponse, status_code=302)
def class_redirect_302():
    return "/elsewhere"


@app.get("/class/xml", response_class=XMLResponse)
async def class_xml():
    return "<async/>"


# A `response: Response` parameter.


@app.get("/sub/header")
def sub_header(response: Response):
    response.headers["X-Sub"] = "1"
    response.headers.append("X-Sub", "2")
    return {"a": 1}


@app.get("/sub/cookies")
def sub_cookies(response: Response):
    response.set_cookie("plain", "v")
    response.set_cookie(
        "full",
        "v w",
        max_age=3600,
        expires="Wed, 21 Oct 2037 07:28:00 GMT",
        path="/p",
        domain="example.com",
        secure=True,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        "at", "x", expires=datetime.datetime(2037, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    )
    response.set_cookie("site-none", "x", samesite="none", secure=True)
    response.set_cookie("site-caps", "x", samesite="Lax")
    response.set_cookie("no-site", "x", samesite=None, path=None)
    response.set_cookie("quoted", 'a "b";c\\d')
    response.set_cookie("unicode", "é")
    response.set_cookie("empty")
    response.set_cookie("age", "x", max_age=0)
    response.set_cookie("plain", "again")
    return {"cookies": 11}


@app.get("/sub/cookie-relative-expires")
def sub_cookie_relative_expires(response: Response):
    response.set_cookie("soon", "x", expires=60)
    response.set_cookie("now", "x", expires=0, max_age=5)
    return None


@app.get("/sub/delete-cookie")
def sub_delete_cookie(response: Response):
    response.delete_cookie("gone")
    response.delete_cookie(
        "gone-too", path="/x", domain="d.example", secure=True, httponly=True, samesite="none"
    )
    return {"deleted": 2}


@app.get("/sub/bad-samesite")
def sub_bad_samesite(response: Response):
    response.set_cookie("x", "y", samesite="sometimes")
    return {}


@app.get("/sub/naive-expires")
def sub_naive_expires(response: Response):
    response.set_cookie("naive", "x", expires=datetime.datetime(2037, 1, 2))
    return {}


@app.get("/sub/bad-cookie-name")
def sub_bad_cookie_name(response: Response):
    response.set_cookie("bad name", "x")
    return {}


@app.get("/sub/status")
def sub_status(response: Response):
    response.status_code = 201
    return {"a": 1}


@app.get("/sub/status-over-decorator", status_code=202)
def sub_status_over_decorator(response: Response):
    response.status_code = 203
    response.set_cookie("c", "1")
    return {"a": 2}


@app.get("/sub/decorator-status", status_code=202)
def sub_decorator_status(response: Response):
    response.headers["X-Sub"] = "kept"
    return {"a": 3}


@app.get("/sub/status-204")
def sub_status_204(response: Response):
    response.status_code = 204
    response.headers["X-Sub"] = "no body"
    return {"dropped": True}


@app.get("/sub/content-type")
def sub_content_type(response: Response):
    response.headers["content-type"] = "text/x-sub"
    return {"two": "content types"}


@app.get("/sub/returned-response")
def sub_returned_response(response: Response):
    response.set_cookie("ignored", "1")
    response.headers["X-Ignored"] = "1"
    response.status_code = 299
    return PlainTextResponse("only this response")


@app.get("/sub/html", response_class=HTMLResponse)
def sub_html(response: Response):
    response.headers["X-Sub"] = "html"
    response.set_cookie("h", "1", httponly=True)
    return "<i>sub</i>"


@app.get("/sub/async")
async def sub_async(response: Response):
    await asyncio.sleep(0)
    response.set_cookie("async", "1", max_age=10)
    response.status_code = 202
    return {"async": True}


# Cookies on a returned response.


@app.get("/cookies/returned")
def cookies_returned():
    response = JSONResponse({"a": 1})
    response.set_cookie("a", "1")
    response.set_cookie("b", "2", httponly=True, samesite="strict", path="/b")
    response.set_cookie("a", "3", domain="example.com")
    return response


@app.get("/cookies/returned-delete")
def cookies_returned_delete():
    response = PlainTextResponse("bye")
    response.delete_cookie("session", secure=True)
    return response


@app.get("/cookies/redirect")
def cookies_redirect():
    response = RedirectResponse("/home", status_code=303)
    response.set_cookie("logged-in", "yes", max_age=60, secure=True, httponly=True)
    return response


# Streaming bodies.


def _sync_chunks():
    yield "a"
    yield b"b"
    yield "é"
    yield memoryview(b"mv")


async def _async_chunks():
    for chunk in ["x", b"y", "ü"]:
        yield chunk
        await asyncio.sleep(0)


def _raise_after_first():
    yield b"first"
    raise RuntimeError("the stream broke")


def _raise_at_once():
    raise RuntimeError("the stream broke before its first chunk")
    yield b"never"


async def _async_raise_after_first():
    yield "first"
    await asyncio.sleep(0)
    raise RuntimeError("the async stream broke")


@app.get("/stream/sync")
def stream_sync():
    return StreamingResponse(_sync_chunks(), media_type="text/plain")


@app.get("/stream/async")
async def stream_async():
    return StreamingResponse(_async_chunks(), media_type="application/x-ndjson")


@app.get("/stream/list")
def stream_list():
    return StreamingResponse(
        ["a,b\n", b"1,2\n"], status_code=201, headers={"X-Stream": "1"}, media_type="text/csv"
    )


@app.get("/stream/no-media-type")
def stream_no_media_type():
    return StreamingResponse(iter([b"untyped"]))


@app.get("/stream/empty")
def stream_empty():
    return StreamingResponse([], media_type="text/plain")


@app.get("/stream/length")
def stream_length():
    return StreamingResponse([b"ab", b"c"], headers={"Content-Length": "3"})


@app.get("/stream/sub-response")
def stream_sub_response(response: Response):
    response.set_cookie("ignored", "1")
    return StreamingResponse([b"s"], media_type="text/plain")


@app.get("/stream/cookie")
def stream_cookie():
    response = StreamingResponse([b"c"], media_type="text/plain")
    response.set_cookie("streamed", "1")
    return response


@app.get("/stream/raise-after-first")
def stream_raise_after_first():
    return StreamingResponse(_raise_after_first(), media_type="text/plain")


@app.get("/stream/raise-at-once")
def stream_raise_at_once():
    return StreamingResponse(_raise_at_once(), media_type="text/plain")


@app.get("/stream/async-raise-after-first")
async def stream_async_raise_after_first():
    return StreamingResponse(_async_raise_after_first(), media_type="text/plain")


# Files (written by the tests into `FILES`).


@app.api_route("/file/text", methods=["GET", "HEAD", "POST"])
def file_text():
    return FileResponse(FILES / "data.txt")


@app.api_route("/file/binary", methods=["GET", "HEAD"])
def file_binary():
    return FileResponse(str(FILES / "data.bin"))


@app.get("/file/fixed-mtime")
def file_fixed_mtime():
    return FileResponse(FILES / "fixed.txt")


@app.get("/file/fine-mtime")
def file_fine_mtime():
    return FileResponse(FILES / "fine.txt")


@app.get("/file/early-mtime")
def file_early_mtime():
    return FileResponse(FILES / "early.txt")


@app.api_route("/file/empty", methods=["GET", "HEAD"])
def file_empty():
    return FileResponse(FILES / "empty.txt")


@app.get("/file/named")
def file_named():
    return FileResponse(FILES / "data.bin", filename="report.csv")


@app.get("/file/unicode-name")
def file_unicode_name():
    return FileResponse(FILES / "data.bin", filename="résumé 2024.pdf")


@app.get("/file/space-name")
def file_space_name():
    return FileResponse(FILES / "data.txt", filename="my file.txt")


@app.get("/file/inline")
def file_inline():
    return FileResponse(FILES / "data.txt", filename="a.txt", content_disposition_type="inline")


@app.get("/file/given-type")
def file_given_type():
    return FileResponse(FILES / "data.txt", media_type="application/x-custom")


@app.get("/file/unknown-type")
def file_unknown_type():
    return FileResponse(FILES / "data.unknownext")


@app.get("/file/status")
def file_status():
    return FileResponse(FILES / "data.txt", status_code=201)


@app.get("/file/headers")
def file_headers():
    return FileResponse(
        FILES / "data.txt", headers={"X-File": "1", "ETag": '"custom"', "Cache-Control": "no-store"}
    )


@app.get("/file/stat")
def file_stat():
    path = FILES / "data.txt"
    return FileResponse(path, stat_result=os.stat(path))


@app.get("/file/quote-name")
def file_quote_name():
    return FileResponse(FILES / "data.txt", filename='say "hi".txt')


@app.get("/file/cookie")
def file_cookie():
    response = FileResponse(FILES / "data.txt")
    response.set_cookie("file", "1")
    return response


@app.get("/file/missing")
def file_missing():
    return FileResponse(FILES / "no-such-file.txt")


@app.get("/file/directory")
def file_directory():
    return FileResponse(FILES)


# HEAD and OPTIONS routes.


@app.head("/only-head")
def only_head():
    return {"x": 1}


@app.options("/only-options")
def only_options():
    return Response(headers={"Allow": "GET, OPTIONS"})


@app.api_route("/get-and-head", methods=["GET", "HEAD"])
def get_and_head():
    return PlainTextResponse("both", headers={"X-Both": "1"})


# Slow streams for tests/test_streaming.py: each chunk says when it was made
# (`time.time()`), and each stream records its end in `FILES/<token>`.


def _record(token, text):
    with open(FILES / token, "a") as record:
        record.write(text + "\n")


def _slow_sync(token, count, delay):
    sent = 0
    try:
        for index in range(count):
            yield f"{index} {time.time()}\n"
            sent += 1
            time.sleep(delay)
    finally:
        _record(token, f"closed {sent}")


async def _slow_async(token, count, delay):
    sent = 0
    try:
        for index in range(count):
            yield f"{index} {time.time()}\n"
            sent += 1
            await asyncio.sleep(delay)
    finally:
        _record(token, f"closed {sent}")


def _slow_failing(token, delay):
    yield f"0 {time.time()}\n"
    time.sleep(delay)
    _record(token, "raising")
    raise RuntimeError("the slow stream broke")


@app.get("/slow/sync")
def slow_sync(token: str, count: int = 5, delay: float = 0.05):
    return StreamingResponse(_slow_sync(token, count, delay), media_type="text/plain")


@app.get("/slow/async")
async def slow_async(token: str, count: int = 5, delay: float = 0.05):
    return StreamingResponse(_slow_async(token, count, delay), media_type="text/plain")


@app.get("/slow/failing")
def slow_failing(token: str, delay: float = 0.05):
    return StreamingResponse(_slow_failing(token, delay), media_type="text/plain")


@app.get("/slow/now")
def slow_now():
    return {"now": time.time()}


@app.get("/resp/request-app")
def request_app(request: Request):
    # An app without a lifespan or exception handlers: its interpreters do not load it
    # up front, and `request.app` finds it on first use.
    return {"same": request.app is app, "state": type(request.app.state).__name__}
