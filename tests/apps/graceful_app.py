"""Routes for the graceful-shutdown tests: a fast one, and one that takes its time."""

import time

from fasterapi import FasterAPI

app = FasterAPI()


@app.get("/")
def root():
    return {"ok": True}


@app.get("/slow")
def slow(seconds: float = 1.0, started: str | None = None):
    if started:  # tells the test the handler runs
        with open(started, "a") as marker:
            marker.write("started\n")
    time.sleep(seconds)
    return {"slept": seconds}
