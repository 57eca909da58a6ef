"""An app with its test client beside it, as FastAPI's testing tutorial writes them.

Every interpreter of the server imports this module again, `fasterapi.testclient` (and
httpx) included: creating a `TestClient` starts nothing, only its first request does.
"""

from fasterapi import FastAPI, Request
from fasterapi.testclient import TestClient

app = FastAPI()


@app.api_route("/echo", methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
async def echo(request: Request):
    """What the request carried, as the handler received it."""
    return {
        "method": request.method,
        "host": request.headers["host"],
        "query": request.query_params.multi_items(),
        "content_type": request.headers.get("content-type"),
        "body": (await request.body()).decode(),
        "cookies": request.cookies,
        "x_token": request.headers.get("x-token"),
        "user_agent": request.headers.get("user-agent"),
    }


client = TestClient(app)
