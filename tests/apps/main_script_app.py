"""A script whose `isolated=False` route shares the script's own globals: the main
interpreter serves it from the running `__main__` module, not from a second import."""

import sys

from fasterapi import FastAPI, run

app = FastAPI()
shared = {"set_by_main_block": False}


@app.get("/shared", isolated=False)
def read_shared():
    return {"module": __name__, **shared}


@app.get("/isolated")
def isolated():
    return {"module": __name__}


if __name__ == "__main__":
    shared["set_by_main_block"] = True
    run(app, port=int(sys.argv[1]), interpreters=2)
