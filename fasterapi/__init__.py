"""FasterAPI: FastAPI-style apps whose handlers run in parallel sub-interpreters.

Importing this package never loads the native core (`fasterapi._core`): handler modules
import it again inside every sub-interpreter, where a PyO3 extension cannot load.
"""

from __future__ import annotations

from fasterapi import status
from fasterapi.applications import FastAPI, FasterAPI
from fasterapi.exceptions import HTTPException
from fasterapi.params import Body, Cookie, Header, Path, Query
from fasterapi.requests import Request
from fasterapi.responses import Response
from fasterapi.routers import APIRouter

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from fasterapi.limits import Limits
    from fasterapi.server import run


def __getattr__(name: str) -> Any:
    # `run` is imported on first use: sub-interpreters import this package with every
    # handler module and never serve, so they skip the server's imports.
    if name == "run":
        from fasterapi.server import run

        return run
    if name == "Limits":
        from fasterapi.limits import Limits

        return Limits
    raise AttributeError(f"module 'fasterapi' has no attribute {name!r}")


__all__ = [
    "APIRouter",
    "Body",
    "Cookie",
    "FastAPI",
    "FasterAPI",
    "HTTPException",
    "Header",
    "Limits",
    "Path",
    "Query",
    "Request",
    "Response",
    "run",
    "status",
]
__version__ = "0.1.0"
