"""`@app.on_event` hooks, sync and async, recorded in order."""

import asyncio
import os

from fasterapi import FastAPI
from fasterapi.interpreters import current_id as interpreter_id

app = FastAPI()


def record(event: str) -> None:
    with open(os.environ["EVENTS_FILE"], "a") as events:
        events.write(f"{event} {interpreter_id()}\n")


@app.on_event("startup")
def open_first():
    record("startup-1")
    app.state.opened = True


@app.on_event("startup")
async def open_second():
    await asyncio.sleep(0)
    record("startup-2")


@app.on_event("shutdown")
async def close_first():
    record("shutdown-1")


@app.on_event("shutdown")
def close_second():
    record("shutdown-2")


@app.get("/")
def root():
    record("request")
    return {"opened": app.state.opened}
