"""Plain routes of the mixed app: they run in the sub-interpreters."""

from meeting import meet
from mixed_base import app, interpreter_id


@app.get("/isolated/whoami")
def whoami():
    return {"interpreter": interpreter_id()}


@app.get("/isolated/rendezvous")
def rendezvous(folder: str, me: str, other: str, timeout: float = 20.0):
    """Finishes only if the request named `other` runs at the same time."""
    return {"met": meet(folder, me, other, timeout), "interpreter": interpreter_id()}
