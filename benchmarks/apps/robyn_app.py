"""The benchmark endpoints on Robyn: `BENCH_PORT=P python robyn_app.py --processes N --workers 1`.

Robyn has no declarative validation, so `/users/{user_id}` converts and answers a
FastAPI-shaped 422 by hand, as a Robyn user would have to.
"""

import asyncio
import json
import os

from robyn import Request, Response, Robyn
from workload import cpu_work, user_id_422

app = Robyn(__file__)
JSON = {"Content-Type": "application/json"}


@app.get("/plaintext")
def plaintext():
    return "Hello, World!"


@app.get("/json")
def json_hello():
    return {"message": "Hello, World!"}


@app.get("/users/:user_id")
def get_user(request: Request):
    raw = request.path_params["user_id"]
    try:
        user_id = int(raw)
    except ValueError:
        return Response(422, JSON, user_id_422(raw))
    return {"user_id": user_id, "q": request.query_params.get("q", None)}


@app.get("/cpu")
def cpu():
    return {"total": cpu_work()}


@app.post("/items")
def create_item(request: Request):
    item = json.loads(request.body)
    return {"name": str(item["name"]), "price": float(item["price"]), "tags": item.get("tags", [])}


@app.get("/async")
async def sleepy():
    await asyncio.sleep(0.01)
    return {"slept": 0.01}


if __name__ == "__main__":
    app.start(host="127.0.0.1", port=int(os.environ["BENCH_PORT"]))
