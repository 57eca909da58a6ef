"""The benchmark endpoints on socketify: `python socketify_app.py PORT WORKERS`.

Extra workers are forked processes listening on the same port (uSockets sets SO_REUSEPORT).
"""

import asyncio
import os
import sys

from socketify import App
from workload import cpu_work, user_id_422


def plaintext(res, req):
    res.write_header("Content-Type", "text/plain; charset=utf-8")
    res.end("Hello, World!")


def json_hello(res, req):
    res.send({"message": "Hello, World!"})


def get_user(res, req):
    raw = req.get_parameter(0)
    try:
        user_id = int(raw)
    except ValueError:
        res.write_status(422).write_header("Content-Type", "application/json")
        res.end(user_id_422(raw))
        return
    res.send({"user_id": user_id, "q": req.get_query("q")})


def cpu(res, req):
    res.send({"total": cpu_work()})


async def create_item(res, req):
    item = await res.get_json()
    res.send(
        {"name": str(item["name"]), "price": float(item["price"]), "tags": item.get("tags", [])}
    )


async def sleepy(res, req):
    await asyncio.sleep(0.01)
    res.send({"slept": 0.01})


def serve(port: int) -> None:
    app = App()
    app.get("/plaintext", plaintext)
    app.get("/json", json_hello)
    app.get("/users/:user_id", get_user)
    app.get("/cpu", cpu)
    app.post("/items", create_item)
    app.get("/async", sleepy)
    app.listen(port, lambda config: None)
    app.run()


if __name__ == "__main__":
    port, workers = int(sys.argv[1]), int(sys.argv[2])
    for _ in range(workers - 1):
        if os.fork() == 0:
            break
    serve(port)
