"""Hello world as a sync and as an `async def` handler in one app, to measure what an
async request costs next to a sync one (both run on the interpreters' event loops)."""

from fasterapi import FasterAPI

app = FasterAPI()


@app.get("/sync")
def hello_sync():
    return {"message": "Hello, World!"}


@app.get("/async")
async def hello_async():
    return {"message": "Hello, World!"}


@app.get("/async-sleep0")
async def hello_async_suspending():
    import asyncio

    await asyncio.sleep(0)  # suspends once: the task finishes on a later loop turn
    return {"message": "Hello, World!"}
