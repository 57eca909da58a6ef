"""The faults of `faults_app.py` in `async def` handlers, raised before the coroutine
first suspends (the eager start runs it inline) and after (its task finishes on a later
turn of the interpreter's event loop), and in async streams.
"""

import asyncio
import threading
import time

from faults_app import fault

from fasterapi import FastAPI
from fasterapi.interpreters import current_id as interpreter_id
from fasterapi.responses import StreamingResponse

app = FastAPI()


@app.get("/ok")
async def ok():
    return {"interpreter": interpreter_id(), "thread": threading.get_ident()}


@app.get("/ok-sync")
def ok_sync():
    return {"interpreter": interpreter_id(), "thread": threading.get_ident()}


@app.get("/hold")
def hold(seconds: float = 0.3):
    """Keeps its interpreter busy (its loop too), so that concurrent requests spread over
    all of them."""
    time.sleep(seconds)
    return ok_sync()


@app.get("/raise/{kind}")
async def raise_fault(kind: str):
    return fault(kind)


@app.get("/raise-later/{kind}")
async def raise_fault_later(kind: str):
    await asyncio.sleep(0.001)
    return fault(kind)


@app.get("/raise-sync/{kind}")
def raise_fault_sync(kind: str):
    return fault(kind)


async def broken_stream(kind: str):
    yield b"first chunk\n"
    await asyncio.sleep(0.001)
    fault(kind)
    yield b"never sent\n"


@app.get("/stream/{kind}")
async def stream(kind: str):
    return StreamingResponse(broken_stream(kind))
