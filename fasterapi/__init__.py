"""FasterAPI: FastAPI-style apps whose handlers run in parallel sub-interpreters.

Importing this package never loads the native core (`fasterapi._core`): handler modules
import it again inside every sub-interpreter, where a PyO3 extension cannot load.
"""

from fasterapi.applications import FastAPI, FasterAPI
from fasterapi.params import Body, Cookie, Header, Path, Query
from fasterapi.server import run

__all__ = ["Body", "Cookie", "FastAPI", "FasterAPI", "Header", "Path", "Query", "run"]
__version__ = "0.1.0"
