"""An app whose pydantic routes run on the main interpreter and the rest in parallel.

pydantic (its core is a Rust extension) cannot load in an own-GIL sub-interpreter. Any
route whose module imports it is therefore served by the main interpreter, one call at a
time, as a single uvicorn worker would; every other route stays on the sub-interpreters,
in parallel. Nothing to configure: the server finds out at startup by importing each
route's module in a scratch sub-interpreter.

The app is split so that the pydantic import stays where it is needed:

- `mixed.py` (this file) makes the app and includes the two routers. It holds no
  handler, so no sub-interpreter ever imports it.
- `mixed_orders.py` imports pydantic: `POST /orders` and `GET /orders/{order_id}` run on
  the main interpreter, and pydantic validates the body (a bad one is FastAPI's 422).
- `mixed_text.py` is plain Python: `GET /words` and `GET /stats` run in parallel.

Had a handler been written here, importing this module in a sub-interpreter would import
`mixed_orders`, hence pydantic, and that route would be on the main interpreter too: a
module imports everything it imports.

Run it from `examples/` (pydantic must be installed: `pip install pydantic`):

    python -m fasterapi run mixed:app --interpreters 2

The log starts with where each route runs, and why:

    INFO 2 sub-interpreters (in parallel) serve 2 routes from mixed_text
    INFO the main interpreter (one call at a time) serves 2 routes:
      because module 'mixed_orders' cannot load in a sub-interpreter (ImportError: module
      pydantic_core._pydantic_core does not support loading in subinterpreters):
        POST /orders (mixed_orders:create_order)
        GET /orders/{order_id} (mixed_orders:read_order)

`python -m fasterapi routes mixed:app` lists the same without serving, and
`--strict-isolation` turns the fallback into a startup error.
"""

import mixed_orders
import mixed_text

from fasterapi import FastAPI

app = FastAPI(title="Mixed example")
app.include_router(mixed_orders.router)
app.include_router(mixed_text.router)
