"""pydantic models as bodies and results: this module imports pydantic, which cannot load
in a sub-interpreter, so every route here runs on the main interpreter."""

from pydantic import BaseModel, Field

from fasterapi import Body, FastAPI

app = FastAPI()


class Item(BaseModel):
    name: str = Field(min_length=2)
    price: float = Field(gt=0)
    tags: list[str] = []


class Owner(BaseModel):
    id: int
    email: str | None = None


@app.post("/items")
def create_item(item: Item):
    return item


@app.post("/items/{item_id}")
def update_item(item_id: int, item: Item, q: str | None = None):
    return {"id": item_id, "item": item, "q": q, "type": type(item).__name__}


@app.post("/pairs")
def pair(item: Item, owner: Owner):
    return {"item": item, "owner": owner}


@app.post("/embedded")
def embedded(item: Item = Body(embed=True)):
    return {"name": item.name}


@app.post("/optional")
def optional(item: Item | None = None):
    return {"item": item}


@app.post("/async-items")
async def create_async(item: Item):
    return {"item": item}


@app.get("/models")
def list_models():
    return [Item(name="ab", price=1.5, tags=["x"]), Owner(id=1)]
