"""Plain routes of the mixed app: they run in the sub-interpreters."""

import time
from pathlib import Path

from mixed_base import app, interpreter_id


@app.get("/isolated/whoami")
def whoami():
    return {"interpreter": interpreter_id()}


@app.get("/isolated/rendezvous")
def rendezvous(folder: str, me: str, other: str, timeout: float = 20.0):
    """Finishes only if the request named `other` runs at the same time."""
    Path(folder, me).touch()
    deadline = time.monotonic() + timeout
    while not Path(folder, other).exists():
        if time.monotonic() > deadline:
            return {"met": False, "interpreter": interpreter_id()}
        time.sleep(0.005)
    return {"met": True, "interpreter": interpreter_id()}
