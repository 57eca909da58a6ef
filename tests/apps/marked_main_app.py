"""Fails in every sub-interpreter, and says so: `isolated=False` keeps it on the main one."""

from fasterapi import FastAPI


def interpreter_id() -> int:
    try:
        import _interpreters as interpreters  # Python 3.13
    except ImportError:
        import _xxsubinterpreters as interpreters  # Python 3.12
    current = interpreters.get_current()
    return int(current[0] if isinstance(current, tuple) else current)


if interpreter_id() != 0:
    raise RuntimeError("this module needs the main interpreter")

app = FastAPI(isolated=False)


@app.get("/")
def root():
    return {"interpreter": interpreter_id()}


@app.get("/async")
async def root_async():
    return {"interpreter": interpreter_id()}
