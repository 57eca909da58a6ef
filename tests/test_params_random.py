"""Seeded random requests, the same on FastAPI and FasterAPI.

The table in `test_params_differential.py` covers what we thought of; these cases cover
combinations nobody wrote down: random JSON documents (some mutated into malformed JSON)
posted to every body route, and random query strings for every query route. The seed is
fixed, so a failure reproduces; raise `COUNT` locally to search further.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from test_params_differential import Case, send

COUNT = 300
SCALARS = [0, 1, -1, 2, 1.5, -0.0, 1e20, 1e-7, 10**20, -(10**19), True, False, None, "", "a",
           "é", "1", " 2 ", "1.5", "true", "red", "2024-01-02", "1e400", "NaN", "\ud800",
           "12345678-1234-5678-1234-567812345678", "x" * 30, "\u2028", "😀"]  # fmt: skip
KEYS = ["name", "price", "tags", "description", "item", "user", "username", "age", "id",
        "items", "note", "tag", "when", "a", "data", "values", "x", "count", "level", "day",
        "slots", "owner"]  # fmt: skip
BODY_ROUTES = ["/items", "/orders", "/two", "/embed", "/scalar", "/scalars", "/dict", "/any-dict",
               "/list", "/list-int", "/bytes", "/optional-body", "/events", "/schedule/1",
               "/depth"]  # fmt: skip
QUERY_ROUTES = {
    "/q/str": ["q"], "/q/pattern": ["code"], "/q/int": ["n"], "/q/float": ["x"],
    "/q/default": ["page-size", "q"], "/q/list": ["tags"], "/q/list-optional": ["ids"],
    "/q/enum": ["color", "level", "shape", "size"], "/q/uuid": ["id"],
    "/q/datetime": ["when", "day"], "/q/bool": ["Flag"],
}  # fmt: skip
WORDS = ["", "0", "1", "-1", "+5", "007", "1_0", "1.0", "1.5", "1e3", ".5", "inf", "nan", "true",
         "Off", "red", "RED", "2", " 1 ", "é", "😀", "%FF", "%00", "2024-01-02", "1700000000",
         "12345678-1234-5678-1234-567812345678", "9" * 25, "ABC", "%2B", ",", "1,2",
         "high"]  # fmt: skip


def random_value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 3 or roll < 0.55:
        return rng.choice(SCALARS)
    if roll < 0.75:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(KEYS): random_value(rng, depth + 1) for _ in range(rng.randrange(5))}


def mutated(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randrange(1, 4)):
        position = rng.randrange(len(chars) + 1)
        if rng.random() < 0.5 and chars:
            del chars[min(position, len(chars) - 1)]
        else:
            chars.insert(position, rng.choice('{}[],:"\\ 0.e-tnfNI\x01é'))
    return "".join(chars)


def body_cases(rng: random.Random) -> Iterator[Case]:
    for _ in range(COUNT):
        text = json.dumps(random_value(rng), ensure_ascii=rng.random() < 0.5)
        if rng.random() < 0.3:
            text = mutated(rng, text)
        content_type = rng.choice(["application/json"] * 8 + ["text/plain", "application/x+json"])
        body = text.encode("utf-8", "surrogatepass")
        yield Case("POST", rng.choice(BODY_ROUTES), {"content-type": content_type}, body)


def query_cases(rng: random.Random) -> Iterator[Case]:
    for _ in range(COUNT):
        url = rng.choice(list(QUERY_ROUTES))
        pairs = [
            f"{rng.choice(QUERY_ROUTES[url])}={word if '%' in word else quote(word)}"
            for word in (rng.choice(WORDS) for _ in range(rng.randrange(4)))
        ]
        yield Case("GET", url + ("?" + "&".join(pairs) if pairs else ""))


CASES = [*body_cases(random.Random(3)), *query_cases(random.Random(4))]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_same_response_as_fastapi(params_client, params_fastapi, case: Case) -> None:
    mine, theirs = send(params_client, case), send(params_fastapi, case)
    assert (mine.status_code, mine.content) == (theirs.status_code, theirs.content)
    assert mine.headers.get("content-type") == theirs.headers.get("content-type")
