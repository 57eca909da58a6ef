"""The endpoints every server in the benchmark suite serves."""

from fasterapi import FasterAPI

app = FasterAPI()


@app.get("/json")
def json_hello():
    return {"message": "Hello, World!"}


@app.get("/users/{user_id}")
def get_user(user_id: int, q: str | None = None):
    return {"user_id": user_id, "q": q}


@app.get("/cpu")
def cpu():
    # About 2 ms of pure Python on the reference machine.
    total = 0
    for i in range(20_000):
        total += i * i % 7
    return {"total": total}
