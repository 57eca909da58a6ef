"""A CRUD API: users and their items, in SQLite, organised with routers.

Run it from `examples/`:

    python -m fasterapi run crud.main:app

then, for example:

    curl -X POST localhost:8000/users -H 'content-type: application/json' \
        -d '{"name": "Ada", "email": "ada@example.com"}'
    curl -X POST localhost:8000/items -H 'content-type: application/json' \
        -d '{"name": "lamp", "price": 12.5, "tags": ["home"], "owner_id": 1}'
    curl 'localhost:8000/items?q=la&limit=5'
    curl -X PUT localhost:8000/items/1 -H 'content-type: application/json' \
        -d '{"name": "desk lamp", "price": 14}'
    curl -i -X DELETE localhost:8000/items/1        # 204, no body
    curl -i localhost:8000/items/1                  # 404 {"detail":"Item not found"}

Storage: the requests are served by several sub-interpreters at once, and each has its
own module globals, so the data cannot live in a dict. It lives in one SQLite file
(`$CRUD_DB`, default `fasterapi-crud-example.sqlite3` in the temporary directory) that
every interpreter opens; see `crud/db.py`.

Layout: `crud/users.py` and `crud/items.py` each hold an `APIRouter` (prefix and tags)
with their handlers, as plain module-level functions: every sub-interpreter imports
those modules and calls the handlers by name.
"""

from crud import items, users
from crud.db import transaction
from fasterapi import FastAPI

app = FastAPI(title="CRUD example")
app.include_router(users.router)
app.include_router(items.router)


@app.get("/health")
def health():
    """For a load balancer: answers once the database answers."""
    with transaction() as db:
        db.execute("SELECT 1")
    return {"status": "ok"}
