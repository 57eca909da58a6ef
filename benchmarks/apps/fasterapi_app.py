"""The benchmark endpoints, on FasterAPI (those it supports so far).

Like the FastAPI app, it mixes sync and `async def` handlers, so every interpreter runs an
event loop and the sync endpoints are measured as they run in such an app.
"""

import asyncio
from dataclasses import dataclass, field

from workload import cpu_work

from fasterapi import FasterAPI

app = FasterAPI()


@app.get("/json")
def json_hello():
    return {"message": "Hello, World!"}


@app.get("/users/{user_id}")
def get_user(user_id: int, q: str | None = None):
    return {"user_id": user_id, "q": q}


@app.get("/cpu")
def cpu():
    return {"total": cpu_work()}


@dataclass
class Item:
    name: str
    price: float
    tags: list[str] = field(default_factory=list)


@app.post("/items")
def create_item(item: Item):
    # Returning the dataclass itself needs the responses issue; this is the same JSON.
    return {"name": item.name, "price": item.price, "tags": item.tags}


@app.get("/async")
async def sleepy():
    await asyncio.sleep(0.01)
    return {"slept": 0.01}
