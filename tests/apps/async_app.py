"""`async def` and sync handlers in one app, with a lifespan that records its runs.

Each handler returns when and where it ran (wall-clock stamps, interpreter id), so tests
can check overlap and ordering without asserting durations.
"""

import asyncio
import contextvars
import os
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fasterapi import FastAPI, Header
from fasterapi.interpreters import current_id as interpreter_id


def record(event: str) -> None:
    path = os.environ.get("EVENTS_FILE")
    if path:
        with open(path, "a") as events:
            events.write(f"{event} {interpreter_id()}\n")


@asynccontextmanager
async def lifespan(app):
    record("startup")
    app.state.interpreter = interpreter_id()
    app.state.calls = 0
    await asyncio.sleep(0)  # startup code may await
    yield
    await asyncio.sleep(0)
    record("shutdown")


app = FastAPI(lifespan=lifespan)


@app.get("/sleep")
async def sleep(seconds: float = 0.1):
    start = time.time()
    record("request")
    await asyncio.sleep(seconds)
    return {"start": start, "end": time.time(), "interpreter": interpreter_id()}


@app.get("/block")
def block(seconds: float = 0.1):
    """A sync handler that holds its interpreter for `seconds`."""
    start = time.time()
    record("request")
    time.sleep(seconds)
    return {"start": start, "end": time.time(), "interpreter": interpreter_id()}


@app.get("/instant")
async def instant(name: str = "x"):
    return {"hello": name}


@app.get("/task")
async def task():
    """asyncio's task machinery works: current_task, timeouts, gather."""
    current = asyncio.current_task()
    async with asyncio.timeout(5):
        results = await asyncio.gather(asyncio.sleep(0.01, "a"), asyncio.sleep(0.02, "b"))
    try:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(1)
        timed_out = False
    except TimeoutError:
        timed_out = True
    return {"task": current is not None, "gathered": results, "timed_out": timed_out}


@dataclass
class Item:
    name: str
    price: float


@app.post("/items/{item_id}", status_code=201)
async def create(item_id: int, item: Item, x_token: str = Header("none")):
    await asyncio.sleep(0)
    return {"id": item_id, "name": item.name, "price": item.price, "token": x_token}


@app.get("/raise")
async def raise_after_await():
    await asyncio.sleep(0)
    raise ValueError("raised after an await")


@app.get("/raise-now")
async def raise_at_once():
    raise ValueError("raised before any await")


@app.get("/unrenderable")
async def unrenderable():
    await asyncio.sleep(0)
    return {"value": object()}


@app.get("/state")
def state():
    app.state.calls += 1
    return {
        "interpreter": interpreter_id(),
        "state_interpreter": app.state.interpreter,
        "calls": app.state.calls,
    }


REQUEST_MARK = contextvars.ContextVar("request_mark", default="unset")


@app.get("/context/sync")
def context_sync():
    """Sees the default, then marks it: FastAPI runs each sync call in a copied context."""
    seen = REQUEST_MARK.get()
    REQUEST_MARK.set("set by a sync request")
    return {"seen": seen}


@app.get("/context/async")
async def context_async():
    seen = REQUEST_MARK.get()
    REQUEST_MARK.set("set by an async request")
    await asyncio.sleep(0)
    return {"seen": seen}


@app.get("/exit")
async def exit_after_await():
    """SystemExit escapes a task's step and the loop's run_forever; the loop must go on."""
    await asyncio.sleep(0)
    raise SystemExit(3)
