"""Fails in every sub-interpreter, and says so: `isolated=False` keeps it on the main one."""

from fasterapi import FastAPI
from fasterapi.interpreters import current_id as interpreter_id

if interpreter_id() != 0:
    raise RuntimeError("this module needs the main interpreter")

app = FastAPI(isolated=False)


@app.get("/")
def root():
    return {"interpreter": interpreter_id()}


@app.get("/async")
async def root_async():
    return {"interpreter": interpreter_id()}
