"""Items, under `/items`: each may belong to a user."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated

from crud.db import MAX_INTEGER, Offset, RowId, transaction
from fasterapi import APIRouter, HTTPException, Query, status

router = APIRouter(prefix="/items", tags=["items"])


@dataclass
class ItemIn:
    """What a client sends to create or replace an item."""

    name: str
    price: float
    tags: list[str] = field(default_factory=list)
    owner_id: int | None = None

    def __post_init__(self) -> None:
        if self.price < 0:
            raise ValueError("price must not be negative")
        if self.owner_id is not None and not 1 <= self.owner_id <= MAX_INTEGER:
            raise ValueError("owner_id is not a valid user id")


@dataclass
class Item:
    """What the API returns: rendered as JSON like any dataclass."""

    id: int
    name: str
    price: float
    tags: list[str]
    owner_id: int | None


@router.post("", status_code=status.HTTP_201_CREATED)
def create_item(item: ItemIn) -> Item:
    with transaction() as db:
        _check_owner(db, item.owner_id)
        cursor = db.execute(
            "INSERT INTO items (name, price, tags, owner_id) VALUES (?, ?, ?, ?)",
            (item.name, item.price, json.dumps(item.tags), item.owner_id),
        )
        return Item(cursor.lastrowid, item.name, item.price, item.tags, item.owner_id)


@router.get("")
def list_items(
    q: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    tag: str | None = None,
    max_price: Annotated[float | None, Query(gt=0)] = None,
    skip: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[Item]:
    """Items whose name contains `q`, tagged `tag`, priced at most `max_price`; a page
    of `limit` from the `skip`-th."""
    where, values = ["1 = 1"], []
    if q is not None:
        where.append("instr(lower(name), lower(?)) > 0")
        values.append(q)
    if tag is not None:
        where.append("EXISTS (SELECT 1 FROM json_each(items.tags) WHERE value = ?)")
        values.append(tag)
    if max_price is not None:
        where.append("price <= ?")
        values.append(max_price)
    query = f"SELECT * FROM items WHERE {' AND '.join(where)} ORDER BY id LIMIT ? OFFSET ?"
    with transaction() as db:
        return [item_from_row(row) for row in db.execute(query, (*values, limit, skip))]


@router.get("/{item_id}")
def read_item(item_id: RowId) -> Item:
    with transaction() as db:
        return item_from_row(_existing(db, item_id))


@router.put("/{item_id}")
def replace_item(item_id: RowId, item: ItemIn) -> Item:
    with transaction() as db:
        _existing(db, item_id)
        _check_owner(db, item.owner_id)
        db.execute(
            "UPDATE items SET name = ?, price = ?, tags = ?, owner_id = ? WHERE id = ?",
            (item.name, item.price, json.dumps(item.tags), item.owner_id, item_id),
        )
        return Item(item_id, item.name, item.price, item.tags, item.owner_id)


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: RowId) -> None:
    with transaction() as db:
        _existing(db, item_id)
        db.execute("DELETE FROM items WHERE id = ?", (item_id,))


def item_from_row(row) -> Item:
    return Item(row["id"], row["name"], row["price"], json.loads(row["tags"]), row["owner_id"])


def _existing(db, item_id: int):
    row = db.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Item not found")
    return row


def _check_owner(db, owner_id: int | None) -> None:
    if owner_id is None:
        return
    if db.execute("SELECT 1 FROM users WHERE id = ?", (owner_id,)).fetchone() is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Owner not found")
