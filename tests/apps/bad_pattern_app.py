"""A pattern pydantic's regex engine (Rust's `regex`) refuses: the server must not start."""

from fasterapi import FastAPI, Query

app = FastAPI()


@app.get("/")
def search(q: str = Query(pattern="^(?=a)a+$")):
    return q
