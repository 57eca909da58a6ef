"""Small containers FastAPI users know from Starlette."""

from __future__ import annotations

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class State:
    """An object to hang attributes on, like Starlette's `app.state`.

    Every interpreter imports the app's module itself, so each has its own `app.state`:
    what a startup hook stores there is per interpreter, never shared between them.
    """

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        super().__setattr__("_state", dict(state or {}))

    def __setattr__(self, key: str, value: Any) -> None:
        self._state[key] = value

    def __getattr__(self, key: str) -> Any:
        try:
            return self._state[key]
        except KeyError:
            raise AttributeError(f"'State' object has no attribute '{key}'") from None

    def __delattr__(self, key: str) -> None:
        del self._state[key]
