"""An app organised with `APIRouter`s (prefixes, tags, nesting, include prefixes, response
defaults), for the differential tests to compare on FastAPI and FasterAPI.

One file, so that the FastAPI twin can load it with only its import line changed. The
response classes are defined here, from `Response`, for the same reason.
"""

from fasterapi import APIRouter, FastAPI, Response

app = FastAPI()


class HTMLPage(Response):
    media_type = "text/html"


class PlainText(Response):
    media_type = "text/plain"


# A router with its own prefix and tags, and every method decorator.
things = APIRouter(prefix="/things", tags=["things"])


@things.get("/")
def list_things(limit: int = 10):
    return {"things": [], "limit": limit}


@things.post("/", status_code=201)
def create_thing():
    return {"created": True}


@things.get("/{thing_id}")
def read_thing(thing_id: int):
    return {"thing_id": thing_id}


@things.put("/{thing_id}")
def replace_thing(thing_id: int):
    return {"replaced": thing_id}


@things.patch("/{thing_id}", status_code=202)
def patch_thing(thing_id: int):
    return {"patched": thing_id}


@things.delete("/{thing_id}", status_code=204)
def delete_thing(thing_id: int):
    return None


@things.head("/{thing_id}/meta")
def head_thing(thing_id: int):
    return None


@things.options("/{thing_id}/meta")
def thing_options(thing_id: int):
    return {"options": thing_id}


@things.api_route("/{thing_id}/either", methods=["get", "PUT"])
def either_thing(thing_id: int):
    return {"either": thing_id}


# A prefix with a path parameter; `@router.get("")` serves the prefix itself.
user_items = APIRouter(prefix="/users/{user_id}", tags=["users"])


@user_items.get("")
def read_user(user_id: int):
    return {"user_id": user_id}


@user_items.get("/items/{item_id}")
def read_user_item(user_id: int, item_id: str, q: str | None = None):
    return {"user_id": user_id, "item_id": item_id, "q": q}


@user_items.post("/items")
def add_user_item(user_id: int):
    return {"user_id": user_id, "added": True}


# Nested routers: /api/v1/... and, with an include prefix, /api/beta/v2/...
api = APIRouter(prefix="/api", tags=["api"])
v1 = APIRouter(prefix="/v1", tags=["v1"])
v2 = APIRouter(prefix="/v2")


@v1.get("/status")
def v1_status():
    return {"version": 1}


@v1.api_route("/echo/{word}", methods=["GET", "POST", "DELETE"])
def v1_echo(word: str):
    return {"word": word}


@v2.get("/status")
def v2_status():
    return {"version": 2}


@api.get("/")
def api_root():
    return {"api": True}


api.include_router(v1)
api.include_router(v2, prefix="/beta")


# The same handler name in two routers: static methods of two classes.
people = APIRouter(prefix="/people")
stock = APIRouter(prefix="/stock")


class People:
    @people.get("/")
    @staticmethod
    def listing():
        return ["ada", "bob"]


class Stock:
    @stock.get("/")
    @staticmethod
    def listing():
        return ["bolts", "nuts"]


# A router with its own prefix, included under a second one: /admin/reports/...
reports = APIRouter(prefix="/reports", tags=["reports"])


@reports.get("")
def all_reports():
    return {"reports": "all"}


@reports.get("/daily/")
def daily_report():
    return {"report": "daily"}


# The same path in two routers: GET in one, POST in the other.
reading = APIRouter(prefix="/shared")
writing = APIRouter(prefix="/shared")


@reading.get("/board")
def read_board():
    return {"board": "read"}


@writing.post("/board")
def write_board():
    return {"board": "written"}


# Response classes: on a route, as a router's default, as an include default.
pages = APIRouter(prefix="/pages")


@pages.get("/about", response_class=HTMLPage)
def about_page():
    return "<h1>About</h1>"


@pages.post("/made", status_code=201, response_class=PlainText)
def made_page():
    return "made"


texts = APIRouter(prefix="/texts", default_response_class=PlainText)


@texts.get("/hello")
def hello_text():
    return "hello"


@texts.get("/page", response_class=HTMLPage)
def html_text():
    return "<p>page</p>"


@texts.get("/none")
def no_text():
    return None


included_html = APIRouter(prefix="/html")


@included_html.get("/default")
def html_by_include():
    return "<b>included</b>"


@included_html.get("/own", response_class=PlainText, status_code=202)
def own_class():
    return "own"


both = APIRouter(prefix="/both", default_response_class=PlainText)


@both.get("/which")
def which_class():
    return "router default wins"


# A nested router with no default of its own, under a router that has one.
outer_text = APIRouter(prefix="/outer", default_response_class=PlainText)
inner_plain = APIRouter(prefix="/inner")


@inner_plain.get("/value")
def inner_value():
    return "from the outer default"


outer_text.include_router(inner_plain)


app.include_router(things)
app.include_router(user_items)
app.include_router(api)
app.include_router(people)
app.include_router(stock)
app.include_router(reports, prefix="/admin", tags=["admin"])
app.include_router(reading)
app.include_router(writing)
app.include_router(pages)
app.include_router(texts)
app.include_router(included_html, prefix="/inc", default_response_class=HTMLPage)
app.include_router(both, default_response_class=HTMLPage)
app.include_router(outer_text)


@app.get("/")
def root():
    return {"root": True}
