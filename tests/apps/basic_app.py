"""An app both FastAPI and FasterAPI can run: the differential tests serve it on each.

Only the import line differs: the tests load this file a second time with `fasterapi`
replaced by `fastapi`.
"""

from fasterapi import FastAPI

app = FastAPI()


@app.get("/")
def root():
    return {"message": "Hello, World!"}


@app.get("/users/{user_id}")
def get_user(user_id: int, q: str | None = None, limit: int = 10):
    return {"user_id": user_id, "q": q, "limit": limit}


@app.put("/users/{user_id}")
def update_user(user_id: int):
    return {"updated": user_id}


@app.get("/items/{item_id}")
def read_item(item_id: str, price: float = 1.5, active: bool = True, tag: str | None = None):
    return {"item_id": item_id, "price": price, "active": active, "tag": tag}


@app.get("/required")
def required(a: int, b: bool, c: float, d: str):
    return [a, b, c, d]


@app.get("/optional-int")
def optional_int(n: int | None = None, flag: bool | None = None):
    return {"n": n, "flag": flag}


@app.post("/create/")
def create():
    return {"created": True}


@app.api_route("/multi", methods=["GET", "POST"])
def multi():
    return 1


@app.get("/values")
def values():
    return {
        "floats": [1.0, 1e16, 1e-7, 0.1, 123456789.0, 1e22, -0.0, 2.5e-5, 1.5e300, 10.0**15],
        "ints": [0, -1, 2**63, -(2**63) - 1, 2**100],
        "strings": ["é", "\u2028", "\x00\x1f\x7f", '"\\/', "\t\n\r\b\f", "😀", ""],
        "keys": {1: "int", None: "none", 2.5: "float", False: "bool", "s": "str"},
        "nested": [[], {}, [[[]]], {"a": {"b": [None, True, False]}}],
        "tuple": (1, "two", 3.0),
    }


@app.get("/text")
def text():
    return "hi"


@app.get("/none")
def none():
    return None


@app.get("/number")
def number():
    return 3.25


@app.get("/boom")
def boom():
    raise ValueError("boom")


@app.get("/nan")
def nan():
    return {"x": float("nan")}


@app.get("/surrogate")
def surrogate():
    return "\ud800"


@app.get("/unserializable")
def unserializable():
    return object()


class Users:
    """A static method is a handler too, reachable as `Users.static_handler`."""

    @staticmethod
    @app.get("/static/{n}")
    def static_handler(n: int):
        return {"static": n}


@app.get("/floats/{seed}")
def floats(seed: int):
    """Floats of every magnitude, to compare their rendering with Python's `repr`."""
    import random
    import struct

    rng = random.Random(seed)
    values = []
    for _ in range(500):
        bits = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if bits == bits and abs(bits) != float("inf"):
            values.append(bits)
        values.append(round(rng.uniform(-1e6, 1e6), rng.randrange(0, 8)))
        values.append(rng.random() * 10.0 ** rng.randrange(-30, 30))
        values.append(float(rng.randrange(-(10**17), 10**17)))
    return {"values": values, "keys": {str(seed): 0.1 + 0.2}}
