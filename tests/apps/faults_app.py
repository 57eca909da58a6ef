"""Handlers that fail in every way a handler can: exceptions of every kind (the ones
outside `Exception` included), results that cannot be rendered, streams that break.
Every one must be a 500 (or a cut stream) and leave the server serving.

Only sync handlers here, so the interpreters block on their queue (no event loop);
`faults_async_app.py` has the same faults in `async def` handlers.
"""

import math
import threading
import time

import fasterapi.interpreters  # not `from fasterapi...`: FastAPI runs this app too
from fasterapi import FastAPI
from fasterapi.responses import Response, StreamingResponse

app = FastAPI()


class CustomBaseError(BaseException):
    """Outside `Exception`, like `KeyboardInterrupt`: no exception handler catches it."""


class UnprintableError(Exception):
    """Its message cannot be rendered: the log must still say what was raised."""

    def __str__(self) -> str:
        raise RuntimeError("no message for you")


def recurse(depth: int) -> int:
    return recurse(depth + 1) + 1


def fault(kind: str) -> object:
    """Raises the fault named `kind`."""
    if kind == "value":
        raise ValueError("a value fault")
    if kind == "recursion":
        return recurse(0)  # a real RecursionError, from Python's own limit
    if kind == "memory":
        raise MemoryError("a raised memory fault")
    if kind == "allocation":
        return len(bytearray(1 << 50))  # a real MemoryError: a petabyte cannot be had
    if kind == "system-exit":
        raise SystemExit(3)
    if kind == "keyboard-interrupt":
        raise KeyboardInterrupt
    if kind == "generator-exit":
        raise GeneratorExit
    if kind == "base":
        raise CustomBaseError("a custom BaseException")
    if kind == "unprintable":
        raise UnprintableError
    return {"kind": kind}


@app.get("/ok")
def ok():
    return {"interpreter": fasterapi.interpreters.current_id(), "thread": threading.get_ident()}


@app.get("/hold")
def hold(seconds: float = 0.3):
    """Keeps its interpreter busy, so that concurrent requests spread over all of them."""
    time.sleep(seconds)
    return ok()


@app.get("/raise/{kind}")
def raise_fault(kind: str):
    return fault(kind)


class Unrenderable:
    """Not JSON, and not anything `jsonable_encoder` knows (it has no `__dict__`)."""

    __slots__ = ()


def self_referencing_list() -> list:
    items: list = [1]
    items.append(items)
    return items


def self_referencing_dict() -> dict:
    items: dict = {"a": 1}
    items["self"] = items
    return items


def deeply_nested() -> list:
    nested: list = []
    for _ in range(100_000):
        nested = [nested]
    return nested


RESULTS = {
    "object": object,
    "slots": Unrenderable,
    "nan": lambda: {"value": math.nan},
    "infinity": lambda: [1.0, -math.inf],
    "tuple-keys": lambda: {(1, 2): "pair"},
    "self-list": self_referencing_list,
    "self-dict": self_referencing_dict,
    "deep": deeply_nested,
    "set-of-tuples": lambda: {"items": {(1, 2)}},
    "generator": lambda: (n for n in range(3)),
}


@app.get("/result/{kind}")
def result(kind: str):
    return RESULTS[kind]()


RESPONSES = {
    # Would split the response in two if it were written as it is.
    "crlf-header": lambda: Response("x", headers={"x-injected": "a\r\nset-cookie: b=c"}),
    "status": lambda: Response("x", status_code=1000),
}


@app.get("/response/{kind}")
def response(kind: str):
    return RESPONSES[kind]()


def broken_stream(kind: str):
    yield b"first chunk\n"
    fault(kind)
    yield b"never sent\n"


def unencodable_stream():
    yield b"first chunk\n"
    yield object()


@app.get("/stream/{kind}")
def stream(kind: str):
    if kind == "unencodable":
        return StreamingResponse(unencodable_stream())
    return StreamingResponse(broken_stream(kind))
