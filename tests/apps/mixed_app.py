"""An app whose routes live in two modules: one runs in sub-interpreters, the other (it
imports pydantic) on the main interpreter."""

import mixed_isolated  # noqa: F401 - registers its routes
import mixed_models  # noqa: F401 - registers its routes
from mixed_base import app

__all__ = ["app"]
