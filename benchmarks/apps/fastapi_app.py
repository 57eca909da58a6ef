"""The benchmark endpoints on FastAPI, served by uvicorn and by Granian."""

import asyncio
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from workload import cpu_work

app = FastAPI()


@dataclass
class Item:
    name: str
    price: float
    tags: list[str] = field(default_factory=list)


@app.get("/plaintext", response_class=PlainTextResponse)
def plaintext():
    return "Hello, World!"


@app.get("/json")
def json_hello():
    return {"message": "Hello, World!"}


@app.get("/users/{user_id}")
def get_user(user_id: int, q: str | None = None):
    return {"user_id": user_id, "q": q}


@app.get("/cpu")
def cpu():
    return {"total": cpu_work()}


@app.post("/items")
def create_item(item: Item):
    return item


@app.get("/async")
async def sleepy():
    await asyncio.sleep(0.01)
    return {"slept": 0.01}
