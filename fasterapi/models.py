"""pydantic models as body parameters, for routes on the main interpreter.

pydantic cannot load in an own-GIL sub-interpreter, so a route that takes a `BaseModel`
runs on the main interpreter, and pydantic validates the body there, as in FastAPI. The
Rust core parses the JSON and calls `validate` with the value.
"""

from __future__ import annotations

import dataclasses
import decimal
import enum
import json
from typing import Any


class ModelRefused(Exception):
    """pydantic refused the body; `items_json` holds FastAPI's 422 error items."""

    def __init__(self, items_json: str) -> None:
        super().__init__(items_json)
        self.items_json = items_json


def validate(model: Any, value: Any, key: str | None) -> Any:
    """`model` validated from `value`, or `ModelRefused` with errors located under `body`
    (and `key` when the body is an object keyed by parameter)."""
    from pydantic import ValidationError

    try:
        return model.model_validate(value, from_attributes=True)  # as FastAPI validates
    except ValidationError as error:
        prefix = ("body",) if key is None else ("body", key)
        items = [
            {**item, "loc": [*prefix, *item["loc"]]} for item in error.errors(include_url=False)
        ]
        rendered = json.dumps(
            items, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_jsonable
        )
        raise ModelRefused(rendered) from None


def _jsonable(value: Any) -> Any:
    """What FastAPI's `jsonable_encoder` makes of the objects pydantic puts in `ctx`."""
    if isinstance(value, BaseException):
        return vars(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)  # type: ignore[operator]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)
