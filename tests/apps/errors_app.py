"""Handlers that raise, and exception handlers that answer, for the differential tests to
compare on FastAPI and FasterAPI.

The app's exception handlers here are for its own exception classes and for a few
statuses (403, 409, and 400, whose handler only adds a header to FastAPI's answer, the 400
for an unreadable body included): FastAPI's default answers to 404, 405, 422 and to
unhandled errors stay as they are. `errors_handled_app.py` replaces those.
"""

import asyncio

from fasterapi import Body, FastAPI, HTTPException
from fasterapi.exception_handlers import http_exception_handler
from fasterapi.responses import JSONResponse

app = FastAPI()


class TeapotError(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


class AppError(Exception):
    """Handled for itself and every subclass without a handler of its own."""

    code = "app"


class MissingError(AppError):
    code = "missing"


class GoneError(MissingError):
    code = "gone"


class OwnHandlerError(AppError):
    """A subclass with its own handler, which wins over its base class's."""


class SlowError(Exception):
    """Handled by an `async def` handler that awaits."""


class ExplodingError(Exception):
    """Its handler raises a plain exception."""


class RefusingError(Exception):
    """Its handler raises an `HTTPException`, which FastAPI's outer exception layer (its
    `ExceptionMiddleware`) answers with the default handler."""


class ChainedError(Exception):
    """Its handler raises a `TeapotError`, which the outer layer gives to its handler."""


@app.exception_handler(TeapotError)
def teapot_handler(request, exc):
    return JSONResponse(
        {"teapot": exc.name, "path": request.url.path},
        status_code=418,
        headers={"X-Teapot": exc.name},
    )


@app.exception_handler(AppError)
def app_error_handler(request, exc):
    return JSONResponse({"error": exc.code, "class": type(exc).__name__}, status_code=400)


@app.exception_handler(OwnHandlerError)
def own_handler(request, exc):
    return JSONResponse({"own": True}, status_code=406)


@app.exception_handler(409)
def conflict_handler(request, exc):
    return JSONResponse(
        {"conflict": exc.detail, "status": exc.status_code, "method": request.method},
        status_code=409,
        headers={"X-Conflict": "1"},
    )


@app.exception_handler(SlowError)
async def slow_handler(request, exc):
    await asyncio.sleep(0)
    return JSONResponse({"slow": str(exc)}, status_code=503, headers={"Retry-After": "5"})


@app.exception_handler(403)
async def forbidden_handler(request, exc):
    """FastAPI's own answer, with a header added."""
    response = await http_exception_handler(request, exc)
    response.headers["X-Delegated"] = "yes"
    return response


@app.exception_handler(400)
async def bad_request_handler(request, exc):
    """FastAPI's own answer to every 400 (the one for a body it cannot read included),
    marked as having come through here."""
    response = await http_exception_handler(request, exc)
    response.headers["X-Bad-Request"] = "seen"
    return response


@app.exception_handler(ExplodingError)
def exploding_handler(request, exc):
    raise RuntimeError("the exception handler failed")


@app.exception_handler(RefusingError)
def refusing_handler(request, exc):
    raise HTTPException(status_code=404, detail="raised by an exception handler")


@app.exception_handler(ChainedError)
def chained_handler(request, exc):
    raise TeapotError("chained")


# HTTPException, answered by FastAPI's default handler.


@app.get("/http/str")
def http_str():
    raise HTTPException(status_code=404, detail="Item not found")


@app.get("/http/dict")
def http_dict():
    raise HTTPException(status_code=400, detail={"code": 7, "why": ["a", "b"], "none": None})


@app.get("/http/list")
def http_list():
    raise HTTPException(status_code=422, detail=[1, "two", None, {"x": 1.5}])


@app.get("/http/unicode")
def http_unicode():
    raise HTTPException(status_code=400, detail="café ☕ 😀")


@app.get("/http/empty")
def http_empty():
    raise HTTPException(status_code=400, detail="")


@app.get("/http/status/{code}")
def http_status(code: int):
    """No detail: the status's reason phrase."""
    raise HTTPException(status_code=code)


@app.get("/http/headers")
def http_headers():
    raise HTTPException(
        status_code=401,
        detail="Not authenticated",
        headers={"WWW-Authenticate": "Bearer", "X-Error": "custom value"},
    )


@app.get("/http/no-content")
def http_no_content():
    raise HTTPException(status_code=204, headers={"X-Why": "nothing"})


@app.get("/http/not-modified")
def http_not_modified():
    raise HTTPException(status_code=304, detail="ignored", headers={"ETag": '"abc"'})


@app.get("/http/teapot")
def http_teapot():
    raise HTTPException(status_code=418)


@app.get("/http/server-error")
def http_server_error():
    raise HTTPException(status_code=500, detail="it broke")


@app.get("/http/async")
async def http_async():
    await asyncio.sleep(0)
    raise HTTPException(status_code=404, detail="async not found", headers={"X-Async": "1"})


@app.get("/http/after-params/{item_id}")
def http_after_params(item_id: int, q: str = "x"):
    raise HTTPException(status_code=404, detail=f"no item {item_id} for {q}")


# Plain exceptions: FastAPI's plain-text 500, and the traceback in the log.


@app.get("/error/value")
def error_value():
    raise ValueError("a bad value")


@app.get("/error/key")
def error_key():
    return {}["missing"]


@app.get("/error/logged/{token}")
def error_logged(token: str):
    raise ValueError(f"logged {token}")


@app.get("/error/async")
async def error_async():
    await asyncio.sleep(0)
    raise KeyError("async key")


# Exceptions with handlers registered on the app.


@app.get("/custom/teapot")
def custom_teapot():
    raise TeapotError("earl grey")


@app.get("/custom/teapot-async")
async def custom_teapot_async():
    raise TeapotError("oolong")


@app.get("/custom/app")
def custom_app():
    raise AppError()


@app.get("/custom/missing")
def custom_missing():
    raise MissingError()


@app.get("/custom/gone")
async def custom_gone():
    raise GoneError()


@app.get("/custom/own")
def custom_own():
    raise OwnHandlerError()


@app.get("/custom/conflict")
def custom_conflict():
    raise HTTPException(status_code=409, detail="already exists")


@app.post("/custom/conflict-async")
async def custom_conflict_async():
    raise HTTPException(status_code=409, detail={"id": 3})


@app.get("/custom/slow")
def custom_slow():
    raise SlowError("from a sync route")


@app.get("/custom/slow-async")
async def custom_slow_async():
    raise SlowError("from an async route")


@app.get("/custom/forbidden")
def custom_forbidden():
    raise HTTPException(status_code=403, detail="go away", headers={"X-Original": "kept"})


@app.get("/custom/forbidden-async")
async def custom_forbidden_async():
    raise HTTPException(status_code=403)


@app.get("/custom/exploding")
def custom_exploding():
    raise ExplodingError()


@app.get("/custom/exploding-async")
async def custom_exploding_async():
    raise ExplodingError()


@app.get("/custom/refusing")
def custom_refusing():
    raise RefusingError()


@app.get("/custom/refusing-async")
async def custom_refusing_async():
    raise RefusingError()


@app.get("/custom/chained")
def custom_chained():
    raise ChainedError()


@app.get("/ok")
def ok():
    return {"ok": True}


@app.get("/ok-async")
async def ok_async():
    return {"ok": "async"}


@app.get("/validated")
def validated(n: int):
    return {"n": n}


@app.post("/body")
def with_body(n: int = Body()):
    return {"n": n}
