"""Imports fine in the main interpreter, fails in every sub-interpreter."""

import sys

from fasterapi import FasterAPI

if sys.implementation.name == "cpython":
    try:
        import _interpreters as interpreters
    except ImportError:
        import _xxsubinterpreters as interpreters
    current = interpreters.get_current()
    if int(current[0] if isinstance(current, tuple) else current) != 0:
        raise RuntimeError("this module needs the main interpreter")

app = FasterAPI()


@app.get("/")
def root():
    return {"ok": True}
