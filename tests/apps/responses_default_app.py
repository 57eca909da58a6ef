"""An app and a router with a `default_response_class`, for the differential tests: a
route's own `response_class` wins, then its router's default, then the one given to
`include_router`, then the app's."""

from fasterapi import APIRouter, FastAPI
from fasterapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

app = FastAPI(default_response_class=HTMLResponse)
plain = APIRouter(default_response_class=PlainTextResponse)
bare = APIRouter()


@app.get("/text")
def text():
    return "<p>app default</p>"


@app.get("/dict")
def a_dict():
    return {"html": "cannot render a dict"}


@app.get("/json", response_class=JSONResponse)
def json():
    return {"route": "wins"}


@app.get("/status", status_code=201)
def status():
    return "<p>created</p>"


@app.get("/returned")
def returned():
    return JSONResponse(["returned", "as is"])


@plain.get("/text")
def router_text():
    return "router default"


@plain.get("/json", response_class=JSONResponse)
def router_json():
    return ["route wins"]


@bare.get("/text")
def bare_text():
    return "include default"


@bare.get("/html", response_class=HTMLResponse)
def bare_html():
    return "<b>route wins</b>"


app.include_router(plain, prefix="/plain", default_response_class=JSONResponse)
app.include_router(bare, prefix="/bare", default_response_class=PlainTextResponse)
app.include_router(bare, prefix="/app-default")
