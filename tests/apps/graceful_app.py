"""Routes for the graceful-shutdown tests: a fast one, and one that takes its time."""

import time

from fasterapi import FasterAPI

app = FasterAPI()


@app.get("/")
def root():
    return {"ok": True}


@app.get("/slow")
def slow(seconds: float = 1.0):
    time.sleep(seconds)
    return {"slept": seconds}
