"""The app object of the mixed app, with hooks that record where they ran."""

import os

from fasterapi import FastAPI
from fasterapi.interpreters import current_id as interpreter_id

app = FastAPI()


@app.on_event("startup")
def started():
    path = os.environ.get("EVENTS_FILE")
    if path:
        with open(path, "a") as events:
            events.write(f"startup {interpreter_id()}\n")
