"""Handlers that take the `Request` and return what they read from it, for the differential
tests to compare on FastAPI and FasterAPI.

Each sync route has an `async def` twin that also reads the body. The client's address is
left out (FastAPI's TestClient makes one up): only whether there is one is returned.
"""

from contextlib import asynccontextmanager

from fasterapi import FastAPI, Request


@asynccontextmanager
async def lifespan(app):
    yield {"greeting": "hello", "numbers": [1, 2, 3]}


app = FastAPI(lifespan=lifespan)


def describe(request: Request) -> dict:
    """What a sync handler can read from the request (everything but the body)."""
    url = request.url
    return {
        "type": request.scope["type"],
        "http_version": request.scope["http_version"],
        "root_path": request.scope["root_path"],
        "method": request.method,
        "url": str(url),
        "path": url.path,
        "query": url.query,
        "scheme": url.scheme,
        "hostname": url.hostname,
        "port": url.port,
        "is_secure": url.is_secure,
        "base_url": str(request.base_url),
        "headers": sorted(request.headers.items()),
        "header_keys": sorted(request.headers.keys()),
        "x_multi": request.headers.getlist("x-multi"),
        "x_multi_first": request.headers.get("X-Multi"),
        "has_x_multi": "X-MULTI" in request.headers,
        "query_params": dict(request.query_params),
        "query_items": request.query_params.multi_items(),
        "tags": request.query_params.getlist("tag"),
        "path_params": request.path_params,
        "cookies": request.cookies,
        "has_client": request.client is not None,
        "app_is_app": request.app is app,
    }


@app.get("/sync")
def sync_plain(request: Request):
    return describe(request)


@app.get("/sync/{name}")
def sync_with_params(name: str, request: Request, q: int | None = None):
    return {"name": name, "q": q, **describe(request)}


@app.get("/async")
async def async_plain(request: Request):
    return {"body": (await request.body()).decode(), **describe(request)}


@app.get("/async/{name}")
async def async_with_params(request: Request, name: str, q: int | None = None):
    return {"name": name, "q": q, **describe(request)}


@app.post("/async/body")
async def async_body(request: Request):
    body = await request.body()
    return {"body": body.decode(), "again": (await request.body()).decode(), **describe(request)}


@app.post("/async/json")
async def async_json(request: Request):
    return {"json": await request.json(), "body": (await request.body()).decode()}


@app.put("/async/stream")
async def async_stream(request: Request):
    chunks = [chunk async for chunk in request.stream()]
    return {"joined": b"".join(chunks).decode()}


@app.post("/sync/body")
def sync_body(request: Request):
    """FasterAPI only: FastAPI's sync handlers cannot read the body."""
    return {"body": request.body_sync().decode(), "json": request.json_sync()}


@app.post("/sync/body-text")
def sync_body_text(request: Request):
    """FasterAPI only, for a body that is not JSON."""
    return {"body": request.body_sync().decode()}


@app.get("/state")
def state(request: Request):
    return {"greeting": request.state.greeting, "numbers": request.state.numbers}


@app.get("/state/async")
async def state_async(request: Request):
    return {"greeting": request.state.greeting, "has_missing": hasattr(request.state, "missing")}


@app.get("/state/per-request")
def state_per_request(request: Request):
    """Each request gets its own copy of the lifespan's state: what a request adds to its
    `request.state` is not there for the next."""
    seen = getattr(request.state, "added", None)
    request.state.added = "by this request"
    return {"seen": seen, "added": request.state.added}


@app.get("/client")
def client(request: Request):
    """FasterAPI only: the TestClient's client is made up."""
    peer = request.client
    return {"host": peer.host, "port": peer.port, "tuple": list(peer)}
