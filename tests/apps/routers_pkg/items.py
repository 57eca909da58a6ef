"""The items' routes, with a dataclass body; the same handler name as in `users`."""

import dataclasses

from fasterapi import APIRouter

router = APIRouter(prefix="/items", tags=["items"])


@dataclasses.dataclass
class Item:
    name: str
    price: float
    tags: list[str] = dataclasses.field(default_factory=list)


@router.post("/", status_code=201)
def create(item: Item):
    return {"item": item, "total": item.price * 2}


@router.get("/{item_id}")
def read(item_id: int, q: str | None = None):
    return {"id": item_id, "q": q, "module": __name__}
