"""The components of pydantic models, written by pydantic itself.

Imported only for an app with pydantic-model routes: the rest of the document is built
without pydantic. All models go through one generator, so that pydantic names them (and
their nested models) as it does for FastAPI, and `bytes` fields are rendered as FastAPI
renders them.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema

from fasterapi.openapi.schemas import REF_PREFIX


class _FastAPIJsonSchema(GenerateJsonSchema):
    """pydantic's generator, with FastAPI's rendering of `bytes` (a string of
    `application/octet-stream` content rather than `format: binary`)."""

    def bytes_schema(self, schema: Any) -> dict[str, Any]:
        rendered: dict[str, Any] = {
            "type": "string",
            "contentMediaType": "application/octet-stream",
        }
        config = getattr(self, "_config", None)
        if getattr(config, "val_json_bytes", None) == "base64":
            rendered["contentEncoding"] = "base64"
        self.update_with_validations(rendered, schema, self.ValidationsMapping.bytes)
        return rendered


def model_definitions(models: list[type]) -> tuple[dict[type, str], dict[str, Any]]:
    """Each model's `$ref`, and every definition the models need (nested ones too)."""
    generator = _FastAPIJsonSchema(ref_template=REF_PREFIX + "{model}")
    inputs = [(model, "validation", TypeAdapter(model).core_schema) for model in models]
    refs, definitions = generator.generate_definitions(inputs=inputs)  # type: ignore[arg-type]
    return (
        {model: refs[(model, "validation")]["$ref"] for model in models},
        dict(definitions),
    )
