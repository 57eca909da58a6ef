"""The app `benchmarks/soak.py` keeps busy for a million requests.

One route per kind of request the soak mixes: sync handlers with path, query and body
parameters, `async def` handlers, and handlers that raise. Every 200 body names its kind, so
the load script can tell which request a response answers; the 422, 500 and 404 bodies are
the framework's own.
"""

import asyncio
from dataclasses import dataclass, field

from fasterapi import FasterAPI

app = FasterAPI()


@app.get("/users/{user_id}")
def read_user(user_id: int, q: str | None = None, limit: int = 10):
    return {"kind": "path-query", "user_id": user_id, "q": q, "limit": limit}


@dataclass
class Item:
    name: str
    price: float
    tags: list[str] = field(default_factory=list)


@app.post("/items/{item_id}")
def update_item(item_id: int, item: Item, verbose: bool = False):
    return {"kind": "body", "item_id": item_id, "name": item.name, "total": item.price * 2}


@app.get("/async/{n}")
async def read_async(n: int):
    await asyncio.sleep(0)  # suspends once: the task finishes on a later turn of the loop
    return {"kind": "async", "n": n}


@app.get("/raise")
def fail():
    raise RuntimeError("soak: a handler that raises")


@app.get("/async-raise")
async def fail_async():
    await asyncio.sleep(0)
    raise RuntimeError("soak: an async handler that raises")
