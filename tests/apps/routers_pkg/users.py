"""The users' routes."""

from fasterapi import APIRouter

router = APIRouter(prefix="/users", tags=["users"])

USERS = {1: "ada", 2: "bob"}


@router.get("/")
def listing():
    return [{"id": key, "name": name} for key, name in USERS.items()]


@router.get("/{user_id}")
def read(user_id: int):
    return {"id": user_id, "name": USERS.get(user_id), "module": __name__}
