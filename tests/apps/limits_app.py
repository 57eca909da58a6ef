"""Routes for the limit tests (tests/test_limits.py): a JSON body, slow handlers and a fast
one; `limited_app` is the same app with its limits set on the app instead of by flags.

Run as a script (`python limits_app.py PORT`) it serves `app` through `fasterapi.run` with
limits passed to `run`.
"""

import asyncio
import sys
import time

import fasterapi
from fasterapi import FasterAPI, Limits


def json_body(data: dict):
    return {"keys": len(data)}


def sleep(seconds: float):
    time.sleep(seconds)
    return {"slept": seconds}


async def async_sleep(seconds: float):
    await asyncio.sleep(seconds)
    return {"slept": seconds}


def fast():
    return {"fast": True}


def add_routes(app: FasterAPI) -> FasterAPI:
    app.post("/json")(json_body)
    app.get("/sleep")(sleep)
    app.get("/async-sleep")(async_sleep)
    app.get("/fast")(fast)
    return app


app = add_routes(FasterAPI())

# Every limit the tests reach through the app setting, far below its default.
limited_app = add_routes(
    FasterAPI(
        limits=Limits(
            max_body_size=1000,
            max_uri_length=100,
            max_header_size=2048,
            max_headers=10,
            request_head_timeout=1,
            keep_alive_timeout=1,
            handler_timeout=1,
        )
    )
)


if __name__ == "__main__":
    fasterapi.run(app, port=int(sys.argv[1]), interpreters=2, limits=Limits(max_uri_length=100))
