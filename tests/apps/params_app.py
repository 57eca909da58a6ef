"""Every kind of request parameter FastAPI users declare; the differential parameter tests
serve it on FastAPI and on FasterAPI (only the import line differs).

Handlers answer with what they received and its Python type, so a difference in the value
a handler gets shows up in the body.
"""

import dataclasses
import datetime
import enum
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any, Optional

from fasterapi import Body, Cookie, FastAPI, Header, Path, Query

app = FastAPI()


class Color(str, enum.Enum):  # noqa: UP042 - the mixin FastAPI docs use
    red = "red"
    green = "green"
    blue = "blue"


class Shape(enum.Enum):
    circle = "circle"
    square = "square"


class Level(enum.IntEnum):
    low = 1
    high = 2


class Size(enum.Enum):
    small = 1
    large = 2


@dataclass
class Tag:
    name: str
    weight: float = 1.0


@dataclass
class Item:
    name: str
    price: float
    tags: list[str] = field(default_factory=list)
    description: str | None = None


@dataclass
class Order:
    id: int
    items: list[Item]
    note: Optional[str] = None  # noqa: UP045 - the typing spelling is part of the test
    tag: Tag | None = None
    when: datetime.datetime | None = None


@dataclass
class User:
    username: str
    age: int = 0


def seen(value: Any) -> Any:
    """The value and its type, as JSON both frameworks render the same way."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: seen(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"dataclass": type(value).__name__, "fields": fields}
    if isinstance(value, enum.Enum):
        return {"enum": f"{type(value).__name__}.{value.name}"}
    if isinstance(value, list):
        return [seen(item) for item in value]
    if isinstance(value, dict):
        return {key: seen(item) for key, item in value.items()}
    if isinstance(value, datetime.datetime | datetime.date | uuid.UUID):
        return {type(value).__name__: str(value)}
    if isinstance(value, bytes):
        return {"bytes": value.decode("latin-1")}
    return value


@app.get("/q/str")
def query_str(q: str = Query(min_length=2, max_length=5)):
    return seen(q)


@app.get("/q/pattern")
def query_pattern(code: str = Query(pattern="^[A-Z]{3}$")):
    return seen(code)


@app.get("/q/int")
def query_int(n: int = Query(gt=0, le=100)):
    return seen(n)


@app.get("/q/float")
def query_float(x: float = Query(ge=-1.5, lt=10)):
    return seen(x)


@app.get("/q/default")
def query_default(
    limit: int = Query(10, alias="page-size"), q: str | None = Query(None, max_length=3)
):
    return {"limit": seen(limit), "q": seen(q)}


@app.get("/q/annotated")
def query_annotated(
    q: Annotated[str | None, Query(max_length=3)] = None,
    n: Annotated[int, Query(ge=1)] = 1,
):
    return {"q": seen(q), "n": seen(n)}


@app.get("/q/list")
def query_list(tags: list[int] = Query()):
    return seen(tags)


@app.get("/q/list-default")
def query_list_default(tags: list[str] = Query(["a"])):
    tags.append("added")  # a shared default would grow from one request to the next
    return seen(tags)


@app.get("/q/list-optional")
def query_list_optional(ids: list[uuid.UUID] | None = Query(None, max_length=2)):
    return seen(ids)


@app.get("/q/enum")
def query_enum(
    color: Color, level: Level = Level.low, shape: Shape | None = None, size: Size | None = None
):
    return [seen(color), seen(level), seen(shape), seen(size)]


@app.get("/q/uuid")
def query_uuid(id: uuid.UUID):
    return seen(id)


@app.get("/q/datetime")
def query_datetime(when: datetime.datetime, day: datetime.date | None = None):
    return [seen(when), seen(day)]


@app.get("/q/bytes")
def query_bytes(data: bytes):
    return seen(data)


@app.get("/q/bool")
def query_bool(flag: bool = Query(alias="Flag")):
    return seen(flag)


@app.get("/q/untyped")
def query_untyped(q=None, n: Any = 1):
    return [seen(q), seen(n)]


@app.get("/p/{item_id}")
def path_int(item_id: int = Path(gt=0, title="The ID")):
    return seen(item_id)


@app.get("/p/color/{color}")
def path_enum(color: Color):
    return seen(color)


@app.get("/p/uuid/{id}")
def path_uuid(id: uuid.UUID):
    return seen(id)


@app.get("/p/date/{day}")
def path_date(day: datetime.date):
    return seen(day)


@app.get("/files/{file_path:path}")
def path_file(file_path: str):
    return seen(file_path)


@app.get("/h")
def header_basic(x_token: str = Header(), x_count: int | None = Header(None)):
    return {"x_token": seen(x_token), "x_count": seen(x_count)}


@app.get("/h/list")
def header_list(x_tag: list[str] | None = Header(None)):
    return seen(x_tag)


@app.get("/h/alias")
def header_alias(token: Annotated[str, Header(alias="X-Api-Key")]):
    return seen(token)


@app.get("/h/same-alias")
def header_same_alias(x_token: Annotated[str, Header(alias="x_token")]):
    # A given alias is used as is, even when it equals the name (FastAPI 0.165).
    return seen(x_token)


@app.get("/h/raw")
def header_raw(x_token: str = Header(convert_underscores=False)):
    return seen(x_token)


@app.get("/c")
def cookies(
    session: str = Cookie(), theme: str = Cookie("light"), visits: int | None = Cookie(None)
):
    return {"session": seen(session), "theme": seen(theme), "visits": seen(visits)}


@app.post("/items")
def create_item(item: Item):
    return seen(item)


@app.put("/items/{item_id}")
def update_item(item_id: int, item: Item, q: str | None = None):
    return {"item_id": seen(item_id), "item": seen(item), "q": seen(q)}


@app.post("/orders")
def create_order(order: Order):
    return seen(order)


@app.post("/two")
def two_bodies(item: Item, user: User):
    return {"item": seen(item), "user": seen(user)}


@app.post("/embed")
def embedded(item: Annotated[Item, Body(embed=True)]):
    return seen(item)


@app.post("/scalar")
def scalar_body(x: int = Body()):
    return seen(x)


@app.post("/scalars")
def scalar_bodies(name: str = Body(), count: int = Body(gt=0)):
    return {"name": seen(name), "count": seen(count)}


@app.post("/dict")
def int_dict(data: dict[str, int]):
    return seen(data)


@app.post("/any-dict")
def any_dict(data: dict):
    return seen(data)


@app.post("/list")
def item_list(items: list[Item]):
    return seen(items)


@app.post("/list-int")
def int_list(values: list[int] = Body(min_length=1, max_length=3)):
    return seen(values)


@app.post("/bytes")
def raw_bytes(data: bytes = Body()):
    return seen(data)


@app.post("/optional-body")
def optional_body(item: Item | None = None):
    return seen(item)


@app.post("/mixed/{p}")
def mixed(p: int, q: int, x_h: int = Header(), c: int = Cookie(), item: Item = Body()):
    return [seen(p), seen(q), seen(x_h), seen(c), seen(item)]


@app.post("/events")
def events(when: datetime.datetime = Body(embed=True), level: Level = Body(Level.low, embed=True)):
    return [seen(when), seen(level)]


@app.post("/depth")
def depth(data: list[Any]):
    levels = 1
    while data and isinstance(data[0], list):
        data = data[0]
        levels += 1
    return levels


@dataclass
class Schedule:
    day: datetime.date
    slots: dict[str, list[int]]
    owner: uuid.UUID | None = None
    level: Level = Level.low


@app.post("/schedule/{kind}")
def schedule(kind: Level, plan: Schedule, strict: bool | None = None):
    return [seen(kind), seen(plan), seen(strict)]


@app.get("/h/ints")
def header_ints(x_n: list[int] = Header()):
    return seen(x_n)


@dataclass
class Range:
    low: int
    high: int

    def __post_init__(self):
        if self.low > self.high:
            raise ValueError("low must not exceed high")
        assert self.high < 1000, "high is too large"
        if self.low == 13:
            raise TypeError("unlucky")  # not a validation error: a 500, as in FastAPI
        if self.low == 7:
            raise RangeError("seven is reserved", code=7)  # its attributes show in ctx
        if self.low == 8:
            error = ValueError("eight")
            error.add_note("try nine")
            raise error
        if self.low == 9:
            raise ValueError("bad \ud800")  # FastAPI cannot render this message: a 500


class RangeError(ValueError):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


@dataclass
class Booking:
    name: str
    ranges: list[Range]


@app.post("/range")
def make_range(window: Range):
    return seen(window)


@app.post("/bookings")
def bookings(booking: Booking, extra: Range | None = Body(None)):
    return [seen(booking), seen(extra)]


@app.post("/named")
def named(name: str = Body(embed=True, max_length=5)):
    return len(name)
