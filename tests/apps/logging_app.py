"""Python's `logging` from handlers, for tests/test_logs.py."""

import logging

from fasterapi import FastAPI

app = FastAPI()
log = logging.getLogger("logging_app")


@app.get("/info/{word}")
def info(word: str):
    log.info("info from a handler: %s", word)
    return {"logged": word}


@app.get("/debug")
def debug():
    log.debug("a debug record")
    return {"logged": "debug"}


@app.get("/failure")
async def failure():
    try:
        raise KeyError("lost")
    except KeyError:
        log.exception("handled, and logged with its traceback")
    return {"logged": "failure"}
