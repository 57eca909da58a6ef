"""A startup hook that fails: the server must not start."""

from fasterapi import FastAPI

app = FastAPI()


@app.on_event("startup")
def connect():
    raise ConnectionError("database unreachable at startup")


@app.get("/")
def root():
    return {}
