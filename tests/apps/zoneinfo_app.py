"""Uses `zoneinfo` in sub-interpreters and on the main interpreter: CPython 3.12 shares
`_zoneinfo`'s state between them, so the pool must not load it."""

import datetime
import zoneinfo

from fasterapi import FasterAPI
from fasterapi.interpreters import current_id

app = FasterAPI()


def _in_paris() -> dict:
    moment = datetime.datetime(2026, 7, 1, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    return {"offset": str(moment.utcoffset()), "interpreter": current_id()}


@app.get("/pool")
def pool():
    return _in_paris()


@app.get("/main", isolated=False)
def main():
    return _in_paris()
