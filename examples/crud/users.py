"""Users, under `/users`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from crud.db import Offset, RowId, transaction
from crud.items import Item, item_from_row
from fasterapi import APIRouter, HTTPException, Query, status

router = APIRouter(prefix="/users", tags=["users"])


@dataclass
class UserIn:
    name: str
    email: str

    def __post_init__(self) -> None:
        # A ValueError here is a 422 `value_error` at ["body"], as in FastAPI.
        if "@" not in self.email:
            raise ValueError("email must contain '@'")


@dataclass
class User:
    id: int
    name: str
    email: str


@router.post("", status_code=status.HTTP_201_CREATED)
def create_user(user: UserIn) -> User:
    with transaction() as db:
        cursor = db.execute(
            "INSERT INTO users (name, email) VALUES (?, ?)", (user.name, user.email)
        )
        return User(cursor.lastrowid, user.name, user.email)


@router.get("")
def list_users(
    skip: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[User]:
    with transaction() as db:
        rows = db.execute(
            "SELECT id, name, email FROM users ORDER BY id LIMIT ? OFFSET ?", (limit, skip)
        )
        return [User(**row) for row in rows]


@router.get("/{user_id}")
def read_user(user_id: RowId) -> User:
    with transaction() as db:
        return User(**_existing(db, user_id))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: RowId) -> None:
    with transaction() as db:
        _existing(db, user_id)
        db.execute("UPDATE items SET owner_id = NULL WHERE owner_id = ?", (user_id,))
        db.execute("DELETE FROM users WHERE id = ?", (user_id,))


@router.get("/{user_id}/items")
def list_user_items(user_id: RowId) -> list[Item]:
    with transaction() as db:
        _existing(db, user_id)
        rows = db.execute("SELECT * FROM items WHERE owner_id = ? ORDER BY id", (user_id,))
        return [item_from_row(row) for row in rows]


def _existing(db, user_id: int):
    row = db.execute("SELECT id, name, email FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="User not found")
    return row
