"""Plain routes of the mixed app: standard library only, so they run in the
sub-interpreters, in parallel."""

import statistics
from collections import Counter
from typing import Annotated

from fasterapi import APIRouter, Query
from fasterapi.exceptions import RequestValidationError

router = APIRouter(tags=["text"])

LARGEST = 1e150


@router.get("/words")
def words(text: Annotated[str, Query(max_length=10_000)], top: int = 3):
    """The `top` most frequent words of `text`."""
    counts = Counter(word.strip(".,;:!?").lower() for word in text.split())
    return {"words": sum(counts.values()), "top": counts.most_common(top)}


@router.get("/stats")
def stats(x: Annotated[list[float], Query(min_length=1)]):
    """Summary statistics of the repeated query parameter `x` (`/stats?x=1&x=2.5`)."""
    too_large = [index for index, value in enumerate(x) if not abs(value) <= LARGEST]
    if too_large:  # JSON has no inf or nan, and squares of larger values overflow
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ["query", "x", index],
                    "msg": f"Value error, must be within ±{LARGEST}",
                    "input": str(x[index]),
                }
                for index in too_large
            ]
        )
    return {
        "n": len(x),
        "mean": statistics.fmean(x),
        "median": statistics.median(x),
        "stdev": statistics.stdev(x) if len(x) > 1 else 0.0,
    }
