"""Records every handler call in a file, so a test can tell whether Python ran."""

import os
from dataclasses import dataclass

from fasterapi import FastAPI, Header

app = FastAPI()


@dataclass
class Item:
    name: str
    price: float


@app.post("/items/{item_id}")
def create(item_id: int, item: Item, x_count: int = Header(1)):
    with open(os.environ["CALLS_FILE"], "a") as calls:
        calls.write(f"{item_id}\n")
    return {"name": item.name}
