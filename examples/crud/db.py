"""The example's storage: one SQLite file shared by every interpreter.

Each sub-interpreter has its own copy of this module (its own globals), so an in-memory
dict here would be a different dict in every interpreter, and a request would see only
the items its own interpreter happened to create. A file on disk is the same for all of
them; SQLite (the stdlib's `sqlite3`, which loads in sub-interpreters on 3.12 and 3.13)
serialises the writes.

The file is `$CRUD_DB`, or `fasterapi-crud-example.sqlite3` in the temporary directory.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fasterapi import Path, Query

# SQLite stores 64-bit integers: larger ids or offsets are a 422, not an OverflowError.
MAX_INTEGER = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_INTEGER)]
Offset = Annotated[int, Query(ge=0, le=MAX_INTEGER)]

DB_PATH = os.environ.get("CRUD_DB") or os.path.join(
    tempfile.gettempdir(), "fasterapi-crud-example.sqlite3"
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    price REAL NOT NULL,
    tags TEXT NOT NULL,
    owner_id INTEGER REFERENCES users (id)
);
"""

# Per interpreter, like every global: each one creates the tables (if missing) once.
_schema_ready = False


@contextmanager
def transaction() -> Iterator[sqlite3.Connection]:
    """A connection for one request: committed if the block succeeds, rolled back if it
    raises (an `HTTPException` included), closed in both cases."""
    global _schema_ready
    # `timeout`: how long a writer waits while another interpreter holds the write lock.
    connection = sqlite3.connect(DB_PATH, timeout=10)
    connection.row_factory = sqlite3.Row
    try:
        if not _schema_ready:
            connection.execute("PRAGMA journal_mode=WAL")  # readers do not wait for writers
            connection.executescript(SCHEMA)
            _schema_ready = True
        with connection:
            yield connection
    finally:
        connection.close()
