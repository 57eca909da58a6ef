"""Imports the stdlib extensions that can crash CPython 3.12 at finalization after use in a
sub-interpreter (CPython #119213, #112140)."""

import asyncio  # noqa: F401
import hashlib
import http.client  # noqa: F401
import ssl  # noqa: F401

from fasterapi import FasterAPI

app = FasterAPI()


@app.get("/digest")
def digest(text: str = "x"):
    return {"sha256": hashlib.sha256(text.encode()).hexdigest()}
