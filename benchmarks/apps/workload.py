"""What every benchmark app shares: the CPU-bound work of `/cpu`, and the FastAPI-shaped 422
body that the apps without declarative validation (Robyn, socketify) build by hand."""

import json


def cpu_work() -> int:
    """About 2 ms of pure Python on the reference machine."""
    total = 0
    for i in range(20_000):
        total += i * i % 7
    return total


def user_id_422(raw: str) -> str:
    """FastAPI's 422 body for a `user_id: int` path parameter that is not an integer."""
    detail = [
        {
            "type": "int_parsing",
            "loc": ["path", "user_id"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": raw,
        }
    ]
    return json.dumps({"detail": detail})
