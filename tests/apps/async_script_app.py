"""Async handlers in a script served with `fasterapi.run()`, which returns to the script
when the server stops (so the process finalizes the main interpreter normally)."""

import asyncio
import hashlib
import sys

from fasterapi import FastAPI, run

app = FastAPI()


@app.get("/digest")
async def digest(text: str):
    await asyncio.sleep(0)
    return {"sha256": hashlib.sha256(text.encode()).hexdigest()}


if __name__ == "__main__":
    run(app, port=int(sys.argv[1]), interpreters=2)
    print("run() returned", flush=True)
