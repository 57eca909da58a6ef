"""The app: the routers of `users` and `items`, and a route of its own."""

from fasterapi import FastAPI

from . import items, users

app = FastAPI()
app.include_router(users.router)
app.include_router(items.router, prefix="/v1", tags=["v1"])


@app.get("/")
def root():
    return {"routers": ["users", "items"]}
