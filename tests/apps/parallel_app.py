"""Handlers that show where and how they run: interpreter ids, rendezvous, slow calls."""

import os
import threading
import time
from pathlib import Path

from meeting import meet

from fasterapi import FasterAPI
from fasterapi.interpreters import current_id as interpreter_id

app = FasterAPI()


@app.get("/whoami")
def whoami():
    return {"interpreter": interpreter_id(), "thread": threading.get_ident(), "pid": os.getpid()}


@app.get("/rendezvous")
def rendezvous(folder: str, me: str, other: str, timeout: float = 20.0):
    """Waits until the request named `other` has arrived too: both can only finish if
    they run at the same time, in two interpreters."""
    return {"met": meet(folder, me, other, timeout), "interpreter": interpreter_id()}


@app.get("/slow")
def slow(seconds: float = 1.0, marker: str | None = None):
    """Sleeps; touches `marker` first, so a test knows the call has started."""
    if marker:
        Path(marker).touch()
    time.sleep(seconds)
    return {"slept": seconds, "interpreter": interpreter_id()}


@app.get("/counter")
def counter():
    """Module state lives per interpreter: each one counts its own calls."""
    global CALLS
    CALLS += 1
    return {"interpreter": interpreter_id(), "calls": CALLS}


CALLS = 0
