"""An app that replaces FastAPI's default answers with its own: to invalid requests
(`RequestValidationError`), to unknown paths (404) and methods (405), to every
`HTTPException` and to unhandled exceptions (`Exception`). Compared on FastAPI and
FasterAPI by the differential tests.
"""

import asyncio

from fasterapi import Body, FastAPI, HTTPException
from fasterapi.encoders import jsonable_encoder
from fasterapi.exceptions import RequestValidationError
from fasterapi.responses import JSONResponse

app = FastAPI()


class ExplodingError(Exception):
    """Its handler raises, which leaves the error to the `Exception` handler (FastAPI's
    `ServerErrorMiddleware`, outside the layer that ran the first handler)."""


@app.exception_handler(RequestValidationError)
def validation_handler(request, exc):
    content = {"errors": exc.errors(), "path": request.url.path}
    # Only when asked, so that tests of the errors do not depend on `exc.body` too.
    if "x-show-body" in request.headers:
        content["body"] = exc.body
    return JSONResponse(jsonable_encoder(content), status_code=400, headers={"X-Invalid": "1"})


class SilentError(Exception):
    """Its handler returns nothing, which Starlette fails on when it sends the answer."""


@app.exception_handler(SilentError)
def silent_handler(request, exc):
    return None


@app.exception_handler(404)
async def not_found_handler(request, exc):
    await asyncio.sleep(0)
    if request.url.path == "/explode-404":
        # Starlette's router raised the 404 outside the route's exception layer: what
        # this raises goes straight to the `Exception` handler, not to ExplodingError's.
        raise ExplodingError("from the 404 handler")
    return JSONResponse(
        {"missing": request.url.path, "method": request.method, "detail": exc.detail},
        status_code=404,
    )


@app.exception_handler(405)
def not_allowed_handler(request, exc):
    # FastAPI's `Allow` joins a set, so its order varies: the body gets it sorted.
    allowed = sorted(method.strip() for method in exc.headers["Allow"].split(","))
    return JSONResponse(
        {"method": request.method, "allowed": allowed, "detail": exc.detail},
        status_code=405,
        headers=exc.headers,
    )


@app.exception_handler(HTTPException)
def http_handler(request, exc):
    return JSONResponse(
        {"http": exc.detail, "status": exc.status_code},
        status_code=exc.status_code,
        headers=exc.headers,
    )


@app.exception_handler(Exception)
def unhandled_handler(request, exc):
    return JSONResponse(
        {"unhandled": type(exc).__name__, "message": str(exc), "path": request.url.path},
        status_code=500,
    )


@app.exception_handler(ExplodingError)
def exploding_handler(request, exc):
    raise RuntimeError(f"the exception handler failed for {exc.args[0]}")


@app.get("/items/{item_id}")
def read_item(item_id: int, q: int | None = None):
    return {"item_id": item_id, "q": q}


@app.get("/async-items/{item_id}")
async def read_item_async(item_id: int, flag: bool = False):
    return {"item_id": item_id, "flag": flag}


@app.post("/items")
def create_item(name: str = Body(), price: float = Body()):
    return {"name": name, "price": price}


@app.post("/count")
def count(n: int = Body()):
    return {"n": n}


@app.put("/items/{item_id}")
def replace_item(item_id: int):
    return {"replaced": item_id}


@app.get("/http/404")
def http_404():
    raise HTTPException(status_code=404, detail="no such thing")


@app.get("/http/401")
def http_401():
    raise HTTPException(status_code=401, detail="who?", headers={"WWW-Authenticate": "Basic"})


@app.get("/http/500")
async def http_500():
    raise HTTPException(status_code=500, detail="deliberate")


@app.get("/error/value")
def error_value():
    raise ValueError("a bad value")


@app.get("/error/async")
async def error_async():
    await asyncio.sleep(0)
    raise ZeroDivisionError("division by zero")


@app.get("/error/logged/{token}")
def error_logged(token: str):
    raise ValueError(f"logged {token}")


@app.get("/error/exploding/{token}")
def error_exploding(token: str):
    raise ExplodingError(token)


@app.get("/ok")
def ok():
    return {"ok": True}


@app.get("/silent")
def silent():
    raise SilentError("nobody answers")
