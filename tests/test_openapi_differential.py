"""The OpenAPI document of an app both frameworks run equals FastAPI's `app.openapi()`:
the same JSON text, key order included (`fasterapi/openapi/`).

The apps of the other differential suites are compared as they are; two more apps, here,
use every option the document shows (markers' notes, tags, summaries, response classes,
statuses, bodies of every shape, routers, app arguments, pydantic models, classes that
share a name). Each document is also checked against the OpenAPI 3.1 specification.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi_twin import fastapi_app

from fasterapi.openapi import openapi_document

# FastAPI warns about the operation ids its multi-method routes share, and pydantic about
# the defaults it leaves out; both are part of the behaviour compared here.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Duplicate Operation ID:UserWarning"),
    pytest.mark.filterwarnings("ignore:Default value .* is not JSON serializable"),
]

TESTS = Path(__file__).parent
APPS = ["basic_app", "params_app", "results_app", "routers_app", "responses_app"]
APPS += ["errors_app", "pydantic_app", "request_app", "responses_default_app"]

OPTIONS_APP = '''
"""Every option the OpenAPI document shows, without pydantic."""

import dataclasses
import datetime
import enum
import uuid
from typing import Annotated, Any

from fasterapi import APIRouter, Body, Cookie, FastAPI, Header, Path, Query
from fasterapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

app = FastAPI(
    title="Options",
    version="2.1",
    summary="All the options",
    description="A **long** description.",
    terms_of_service="https://example.com/terms",
    contact={"name": "Ada", "url": "https://Example.com", "email": "ada@example.com"},
    license_info={"name": "MIT", "url": "https://opensource.org/licenses/MIT"},
    openapi_tags=[{"name": "things", "description": "Thing routes"}, {"name": "other"}],
    servers=[{"url": "https://api.example.com", "description": "prod"}],
)


class Mood(str, enum.Enum):
    """How it feels.

    More text.\\fhidden"""

    happy = "happy"
    sad = "sad"


class Priority(enum.IntEnum):
    low = 1
    high = 2


class Mixed(enum.Enum):
    one = 1
    two = "two"
    uno = 1


@dataclasses.dataclass
class Point:
    """A point in the plane."""

    x: float
    y: float = 0.0
    label: str | None = None
    at: datetime.datetime = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    day: datetime.date = datetime.date(2020, 1, 2)
    ident: uuid.UUID = uuid.UUID(int=7)
    mood: Mood = Mood.happy
    data: bytes = b"raw"
    tags: list[str] = dataclasses.field(default_factory=list)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Shape:
    points: list[Point]
    origin: Point | None = None
    weights: dict[str, float] = dataclasses.field(default_factory=dict)
    priority: Priority | None = Priority.low
    area: float = dataclasses.field(default=0.0, init=False)  # described, never read


@dataclasses.dataclass(kw_only=True)
class Window:
    start: datetime.date | None = None
    size: int


class First:
    @dataclasses.dataclass
    class Thing:  # two classes named Thing, different: named by module and qualname
        a: int

    @dataclasses.dataclass
    class Pair:  # two classes named Pair, alike: one component
        a: int


class Second:
    @dataclasses.dataclass
    class Thing:
        b: str

    @dataclasses.dataclass
    class Pair:
        a: int


@dataclasses.dataclass
class Signed:
    """Signed(looks like the generated docstring)"""

    z: int = 0


@app.get(
    "/things/{thing_id}",
    tags=["things"],
    summary="Read one thing",
    description="Reads a thing.",
    operation_id="readThing",
    deprecated=True,
)
def read_thing(
    thing_id: Annotated[int, Path(title="Thing", description="its id", ge=1, le=1000)],
    q: str | None = Query(None, description="search", examples=["a", "b"], deprecated=True),
    hidden: Priority = Query(Priority.low, include_in_schema=False),
    mood: Mood = Mood.sad,
    moods: list[Mood] = Query([Mood.happy]),
    when: datetime.datetime | None = None,
    ratio: float = Query(0.5, gt=0, lt=1),
    x_request_id: str | None = Header(None, description="trace"),
    token: Annotated[str, Header(alias="X-Api-Token", title="Token")] = "t",
    session: str = Cookie("s", max_length=10, pattern="^[a-z]+$"),
    flags: list[bool] | None = Query(None, min_length=1, max_length=3),
    mixed: Mixed = Mixed.two,
):
    """Docstring, not used: the description is given."""


@app.post("/shapes", status_code=201, tags=["things", "other"])
def create_shape(shape: Shape):
    """Create a shape.

    With a second paragraph.\\fInternal notes."""


@app.put("/shapes/{shape_id}")
def replace_shape(
    shape_id: uuid.UUID, shape: Shape, point: Point, window: Window, note: str = Body("n")
):
    pass


@app.post("/points", response_class=PlainTextResponse)
def add_point(point: Point | None = None):
    pass


@app.post("/embedded")
def embedded(point: Point = Body(embed=True, title="The point", description="a point")):
    pass


@app.post("/numbers")
def numbers(
    n: int = Body(gt=0, le=100, examples=[5]),
    f: float = Body(1.5, ge=0.5),
    b: bytes = Body(b"x", max_length=10),
    mood: Mood = Body(Mood.happy),
    when: datetime.date = Body(datetime.date(2021, 5, 6)),
    raw: bytes = Body(b"\\xff"),
    big: float = Body(float("inf")),
):
    pass


@app.post("/single-number")
def single_number(n: Annotated[int, Body(gt=1, lt=9, title="Number")] = 3):
    pass


@app.post("/single-list")
def single_list(values: list[int] = Body(min_length=1)):
    pass


@app.post("/with-query")
def with_query(values: dict[str, list[int]], q: int = 1):
    pass


@app.get("/get-body")
def get_body(point: Point):
    pass


@app.post("/xml")
def xml_body(content: str = Body(media_type="application/xml")):
    pass


@app.post("/two-media")
def two_media(a: str = Body(media_type="text/plain"), b: str = Body(media_type="text/plain")):
    pass


@app.post("/mixed-media")
def mixed_media(a: str = Body(media_type="text/plain"), b: int = Body()):
    pass


@app.post("/aliases")
def aliases(
    item: Signed = Body(alias="the-item", embed=True),
    count_x: int | None = Body(None, alias="count_x"),
):
    pass


@app.post("/optional-embed")
def optional_embed(item: Signed | None = Body(None, embed=True)):
    pass


@app.post("/same-names")
def same_names(a: First.Thing, b: Second.Thing, c: First.Pair, d: Second.Pair):
    pass


@app.get("/duplicates")
def duplicates(first: int | None = Query(None, alias="x"), second: int = Query(alias="x")):
    pass


@app.get("/hidden", include_in_schema=False)
def hidden_route(q: Mood):
    pass


@app.get("/html", response_class=HTMLResponse, status_code=202)
def html_page():
    pass


@app.get("/redirect", response_class=RedirectResponse)
def redirect(to: str = "/"):
    pass


@app.get("/plain", response_class=Response, status_code=418)
def plain():
    pass


@app.delete("/empty/{n}", status_code=204)
def empty(n: int):
    pass


@app.get("/not-modified", status_code=304)
def not_modified():
    pass


@app.get("/informational", status_code=100)
def informational():
    pass


@app.get("/status-422", status_code=422)
def status_422(q: int):
    pass


@app.api_route("/multi/{n}", methods=["GET", "POST", "PATCH", "DELETE"], name="the_multi")
def multi(n: int, point: Point | None = None):
    pass


@app.api_route("/multi-plain", methods=["put", "options", "head", "PUT"])
def multi_plain():
    pass


@app.get("/shared")
def shared_get():
    pass


@app.post("/shared")
def shared_post(q: int):
    pass


@app.get("/files/{path:path}")
def files(path: str):
    pass


@app.get("/converted/{n:int}")
def converted(n: int):
    pass


@app.get("/unicode/ü/{n}")
def unicode_route_ü(n: int):
    pass


@app.get("/untyped")
def untyped(a=None, b: Any = 3, c: list = Query([]), d: dict | None = Body(None)):
    pass


@app.get("/headers")
def headers(
    x_plain: str = Header(convert_underscores=False),
    user_agent: str | None = Header(None),
    x_ints: list[int] = Header([1, 2]),
):
    pass


class Holder:
    @staticmethod
    @app.get("/static")
    def static_route(n: int = 3):
        """Static.

            Indented."""


router = APIRouter(prefix="/r", tags=["router"], deprecated=True)


@router.get("/{item}", tags=["item"])
def router_item(item: str, priority: Priority = Priority.high):
    pass


@router.api_route("/{item}/both", methods=["GET", "PUT", "DELETE"])
def router_both(item: str):
    pass


hidden_router = APIRouter(prefix="/h", include_in_schema=False)


@hidden_router.get("/x")
def hidden_router_route(mood: Mood):
    pass


inner = APIRouter(prefix="/inner", tags=["inner"])


@inner.api_route("/{n}", methods=["POST", "GET", "PUT"])
def inner_route(n: int):
    pass


router.include_router(inner, prefix="/nested", tags=["nested"])
app.include_router(router, prefix="/v1", tags=["v1"])
app.include_router(hidden_router)
'''

MODELS_APP = '''
"""pydantic models beside enums and dataclasses: pydantic writes every component."""

import dataclasses
import enum
from typing import Optional

from pydantic import BaseModel, Field

from fasterapi import Body, FastAPI, Query

app = FastAPI()


class Kind(str, enum.Enum):
    """Kinds."""

    x = "x"


class Inner(BaseModel):
    """An inner model."""

    kind: Kind = Kind.x
    blob: bytes = b""
    n: int = Field(3, ge=1, description="a number", examples=[1, 2])


class Outer(BaseModel):
    inner: Inner
    inners: list[Inner] = []
    maybe: Optional[Inner] = None


class First:
    @dataclasses.dataclass
    class Thing:
        a: int


class Second:
    @dataclasses.dataclass
    class Thing:
        b: str


@app.post("/models")
def models(outer: Outer, kind: Kind = Query(Kind.x)):
    pass


@app.post("/models-embed")
def models_embed(outer: Outer = Body(embed=True, title="O"), extra: Inner | None = None):
    pass


@app.post("/things")
def things(a: First.Thing, b: Second.Thing):
    pass
'''

CASES = {"openapi_options_app": OPTIONS_APP, "openapi_models_app": MODELS_APP}


def _text(document: dict) -> str:
    """The document as FastAPI serves it (Starlette's `JSONResponse`)."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@pytest.fixture(scope="module")
def case_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("openapi_cases")
    for name, source in CASES.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(source).lstrip())
    sys.path.insert(0, str(folder))
    yield folder
    sys.path.remove(str(folder))


@pytest.mark.parametrize("name", APPS)
def test_document_equals_fastapis(name):
    ours = openapi_document(importlib.import_module(name).app)
    theirs = fastapi_app(f"{name}.py").openapi()
    assert _text(ours) == _text(theirs)


@pytest.mark.parametrize("name", CASES)
def test_options_document_equals_fastapis(case_files, name):
    ours = openapi_document(importlib.import_module(name).app)
    theirs = fastapi_app(case_files / f"{name}.py").openapi()
    # The twin's module has another name, which shows in the names of the classes
    # that share a `__name__` (`openapi_options_app__First__Thing`).
    assert _text(ours) == _text(theirs).replace("fastapi_twin_openapi_", "openapi_")
    assert "First__Thing" in _text(ours)


def test_app_openapi_is_the_document():
    app = importlib.import_module("params_app").app
    assert _text(app.openapi()) == _text(openapi_document(app))


@pytest.mark.parametrize("name", [*APPS, *CASES])
def test_document_is_valid_openapi_3_1(case_files, name):
    from openapi_spec_validator import OpenAPIV31SpecValidator

    document = openapi_document(importlib.import_module(name).app)
    errors = list(OpenAPIV31SpecValidator(document).iter_errors())
    # FastAPI names every method of a multi-method route with one operation id (and warns
    # about it): the same document, so the same duplicates. Nothing else may be wrong.
    errors = [error for error in errors if type(error).__name__ != "DuplicateOperationIDError"]
    assert errors == []


# Runs in a fresh interpreter: what the document needs imported, and the order of a
# multi-method route's operations, which follows string hashing (so, PYTHONHASHSEED).
_FRESH = """
import json, sys, warnings
sys.path[:0] = [{tests!r}, {apps!r}]
import basic_app, routers_app, responses_app, params_app
from fasterapi.openapi import openapi_document
documents = [openapi_document(module.app) for module in (basic_app, routers_app, responses_app)]
openapi_document(params_app.app)
loaded = sorted(name for name in ("pydantic", "fastapi") if name in sys.modules)
warnings.simplefilter("ignore")
from fastapi_twin import fastapi_app
same = [
    json.dumps(ours) == json.dumps(fastapi_app(name + ".py").openapi())
    for ours, name in zip(documents, ("basic_app", "routers_app", "responses_app"))
]
print(json.dumps({{"loaded": loaded, "same": same}}))
"""


@pytest.mark.parametrize("seed", ["0", "1", "2", "3"])
def test_multi_method_routes_and_imports_in_a_fresh_interpreter(tmp_path, seed):
    script = _FRESH.format(tests=str(TESTS), apps=str(TESTS / "apps"))
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": seed},
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.splitlines()[-1])
    # Neither pydantic nor FastAPI for apps without pydantic models.
    assert outcome == {"loaded": [], "same": [True, True, True]}
