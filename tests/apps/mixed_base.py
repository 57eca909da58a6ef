"""The app object of the mixed app, with hooks that record where they ran."""

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


@app.on_event("startup")
def started():
    path = os.environ.get("EVENTS_FILE")
    if path:
        with open(path, "a") as events:
            events.write(f"startup {interpreter_id()}\n")
