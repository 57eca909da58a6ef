"""`@app.on_event` hooks, sync and async, recorded in order."""

import asyncio
import os

from fasterapi import FastAPI

app = FastAPI()


def interpreter_id() -> int:
    try:
        import _interpreters as interpreters  # Python 3.13
    except ImportError:
        import _xxsubinterpreters as interpreters  # Python 3.12
    current = interpreters.get_current()
    return int(current[0] if isinstance(current, tuple) else current)


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
