"""pydantic routes of the mixed app: this module cannot load in a sub-interpreter."""

from mixed_base import app, interpreter_id
from pydantic import BaseModel


class Point(BaseModel):
    x: int
    y: int


@app.post("/models/point")
def point(point: Point):
    return {"point": point, "interpreter": interpreter_id()}


@app.get("/models/whoami")
async def whoami():
    return {"interpreter": interpreter_id()}
