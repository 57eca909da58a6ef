"""A script run as `python script_app.py PORT`: its handlers live in `__main__`."""

import sys

import fasterapi

app = fasterapi.FasterAPI()


@app.get("/where")
def where():
    return {"module": __name__}


if __name__ == "__main__":
    fasterapi.run(app, port=int(sys.argv[1]), interpreters=2)
