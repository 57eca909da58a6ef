"""Handlers returning every kind of value FastAPI's `jsonable_encoder` knows, and a few it
cannot encode, for the differential tests to compare on FastAPI and FasterAPI.

No handler has a return annotation: FastAPI would take it for a response model. Sets hold
only ints, whose order does not change between processes as a set of strings would.
"""

import dataclasses
import datetime
import decimal
import enum
import ipaddress
import pathlib
import re
import types
import uuid
from collections import deque

from fasterapi import FastAPI

app = FastAPI()


class Color(str, enum.Enum):  # noqa: UP042 - the mixin FastAPI docs use
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Shape(enum.Enum):
    POINT = (0, 0)
    LINE = (1, 2)


class Number(enum.Enum):
    ONE = 1


class Moment(enum.Enum):
    EPOCH = datetime.datetime(1970, 1, 1)


class Permission(enum.Flag):
    READ = 4
    WRITE = 2


@dataclasses.dataclass
class Address:
    street: str
    zip: str | None = None
    tags: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Person:
    name: str
    age: int
    address: Address
    friends: list["Person"] = dataclasses.field(default_factory=list)
    extra: dict[str, object] = dataclasses.field(default_factory=dict)
    nickname: str | None = None
    color: Color = Color.RED
    born: datetime.date = datetime.date(2000, 1, 2)
    _sa_state: int = 3


class Plain:
    def __init__(self):
        self.x = 1
        self.when = datetime.date(2020, 5, 6)
        self.none = None
        self._sa_instance_state = "left out"


class Pairs:
    def __iter__(self):
        return iter([("a", 1), ("b", Level.HIGH)])


class Slotted:
    __slots__ = ("x",)

    def __init__(self):
        self.x = 1


class Text(str):
    pass


class Count(int):
    pass


class Ratio(float):
    pass


UTC = datetime.UTC
INDIA = datetime.timezone(datetime.timedelta(hours=5, minutes=30))


def _ada():
    return Person("Ada", 36, Address("Main", tags=["a", "b"]), extra={"k": [1, (2, 3)], "n": None})


@app.get("/r/dataclass")
def nested_dataclass():
    return Person("Bob", 40, Address("Side", "12345"), friends=[_ada()], nickname="B")


@app.get("/r/dataclasses-in-dict")
def dataclasses_in_dict():
    return {"people": [_ada()], "addresses": (Address("x"), Address("y", tags=["t"]))}


@app.get("/r/enums")
def enums():
    return [Color.GREEN, Level.LOW, Shape.LINE, Number.ONE, Permission.READ | Permission.WRITE]


@app.get("/r/str-enum")
def str_enum():
    return Color.RED


@app.get("/r/int-enum")
def int_enum():
    return Level.HIGH


@app.get("/r/tuple-enum")
def tuple_enum():
    return Shape.POINT


@app.get("/r/uuid")
def a_uuid():
    return uuid.UUID("12345678-1234-5678-1234-567812345678")


@app.get("/r/datetimes")
def datetimes():
    return {
        "naive": datetime.datetime(2024, 2, 29, 13, 5, 7, 123),
        "utc": datetime.datetime(2024, 2, 29, 13, 5, tzinfo=UTC),
        "offset": datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=INDIA),
    }


@app.get("/r/date")
def a_date():
    return datetime.date(2024, 1, 1)


@app.get("/r/times")
def times():
    return [datetime.time(1, 2, 3, 4), datetime.time(23, 59, tzinfo=INDIA)]


@app.get("/r/timedeltas")
def timedeltas():
    return [datetime.timedelta(days=1, seconds=3, microseconds=5), datetime.timedelta(hours=-1)]


@app.get("/r/decimals")
def decimals():
    values = ["1.5", "10", "1E+2", "1.50", "-0.00", "123456789012345678901234567890"]
    return [decimal.Decimal(value) for value in values]


@app.get("/r/sets")
def sets():
    return {"set": {3, 1, 2, 100, -5}, "frozenset": frozenset({7, 8, 9}), "empty": set()}


@app.get("/r/tuples")
def tuples():
    return (1, "a", None, (2.5, ()), [()])


@app.get("/r/generator")
def generator():
    return (n * n for n in range(4))


@app.get("/r/deque")
def a_deque():
    return deque([1, datetime.date(2001, 1, 1), {2}])


@app.get("/r/bytes")
def some_bytes():
    return {"bytes": b"hello \xc3\xa9"}


@app.get("/r/paths")
def paths():
    return [pathlib.PurePosixPath("/a/b c"), pathlib.PureWindowsPath("C:/x/y")]


@app.get("/r/ip")
def ip():
    return [
        ipaddress.IPv4Address("10.0.0.1"),
        ipaddress.IPv6Address("::1"),
        ipaddress.IPv4Network("10.0.0.0/8"),
        ipaddress.IPv6Interface("fe80::1/64"),
    ]


@app.get("/r/pattern")
def pattern():
    return re.compile(r"^a+\d$", re.IGNORECASE)


@app.get("/r/enum-keys")
def enum_keys():
    return {Color.RED: 1, Level.LOW: 2, Permission.READ: 3}


@app.get("/r/plain-keys")
def plain_keys():
    return {1: "int", None: "none", 2.5: "float", False: "bool", decimal.Decimal("1.5"): "dec"}


@app.get("/r/object-keys")
def object_keys():
    return {datetime.date(2020, 1, 1): 1, uuid.UUID(int=5): 2, datetime.time(5): Level.HIGH}


@app.get("/r/colliding-keys")
def colliding_keys():
    """Keys that differ in Python but encode alike: the later value wins, in the first place."""
    return {Number.ONE: "enum", "x": 0, 1: "int", datetime.date(2020, 1, 1): 1, "2020-01-01": 2}


@app.get("/r/duplicate-json-keys")
def duplicate_json_keys():
    return {1: "int", "1": "str", None: "none", "null": "str"}


@app.get("/r/sqlalchemy-keys")
def sqlalchemy_keys():
    return {"_sa_state": 1, "_sb": 2, "name": "x", "nested": {"_sa": 3, "sa": 4}}


@app.get("/r/plain-object")
def plain_object():
    return Plain()


@app.get("/r/pairs-object")
def pairs_object():
    return Pairs()


@app.get("/r/mapping")
def mapping():
    return types.MappingProxyType({"m": {1, 2}, "items": {"k": "v"}.items()})


@app.get("/r/large-ints")
def large_ints():
    return [2**64, -(2**100), 10**30]


@app.get("/r/subclasses")
def subclasses():
    return {Text("text"): [Text("t"), Count(3), Ratio(2.5), True, False]}


@app.get("/r/nothing")
def nothing():
    return [None, [], {}, (), set(), frozenset(), ""]


# Refused with a 500, by the encoder or by the JSON encoding after it.


@app.get("/r/nan")
def nan():
    return [1.0, float("nan")]


@app.get("/r/infinity")
def infinity():
    return {"x": float("inf")}


@app.get("/r/decimal-nan")
def decimal_nan():
    return decimal.Decimal("NaN")


@app.get("/r/object")
def an_object():
    return {"x": [object()]}


@app.get("/r/slotted-object")
def slotted_object():
    return Slotted()


@app.get("/r/set-beside-bad-key")
def set_beside_bad_key():
    return {"ok": {1, 2}, frozenset({3}): "x"}


@app.get("/r/set-beside-object-key")
def set_beside_object_key():
    return {"ok": {1, 2}, object(): 1}


@app.get("/r/tuple-enum-key")
def tuple_enum_key():
    return {Shape.POINT: 1}


@app.get("/r/datetime-enum")
def datetime_enum():
    return Moment.EPOCH


@app.get("/r/bad-bytes")
def bad_bytes():
    return b"\xff"


@app.get("/r/dataclass-class")
def dataclass_class():
    return Address


@app.get("/status/{code}", status_code=201)
def status(code: int):
    return {"code": code}
