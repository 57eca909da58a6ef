"""Orders, validated by pydantic models: these routes run on the main interpreter.

State kept in this module (`_orders`) is shared by every request to these routes, since
only the main interpreter serves them; that is not true of the sub-interpreters' routes.
"""

from datetime import datetime

from pydantic import BaseModel, Field

from fasterapi import APIRouter, HTTPException, status

router = APIRouter(prefix="/orders", tags=["orders"])


class OrderLine(BaseModel):
    sku: str = Field(min_length=1)
    quantity: int = Field(gt=0)


class OrderIn(BaseModel):
    customer: str = Field(min_length=1, max_length=100)
    lines: list[OrderLine] = Field(min_length=1)


class Order(OrderIn):
    id: int
    created: datetime


_orders: dict[int, Order] = {}


@router.post("", status_code=status.HTTP_201_CREATED)
def create_order(order: OrderIn) -> Order:
    created = Order(id=len(_orders) + 1, created=datetime.now(), **order.model_dump())
    _orders[created.id] = created
    return created


@router.get("/{order_id}")
def read_order(order_id: int) -> Order:
    if order_id not in _orders:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Order not found")
    return _orders[order_id]
