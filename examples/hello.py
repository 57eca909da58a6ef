"""The smallest FasterAPI app: `python -m fasterapi run examples.hello:app`."""

from fasterapi import FasterAPI

app = FasterAPI()


@app.get("/")
def root():
    return {"message": "Hello, World!"}


@app.get("/users/{user_id}")
def get_user(user_id: int, q: str | None = None, limit: int = 10):
    return {"user_id": user_id, "q": q, "limit": limit}
