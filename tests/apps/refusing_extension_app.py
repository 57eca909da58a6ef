"""Imports a PyO3 extension (pydantic-core), which refuses own-GIL sub-interpreters."""

import pydantic_core  # noqa: F401

from fasterapi import FasterAPI

app = FasterAPI()


@app.get("/")
def root():
    return {"ok": True}
