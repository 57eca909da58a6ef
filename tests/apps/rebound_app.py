"""The decorated function's name is rebound afterwards: workers would call the wrong object."""

from fasterapi import FasterAPI

app = FasterAPI()


@app.get("/")
def root():
    return {"ok": True}


def root():  # noqa: F811
    return {"rebound": True}
