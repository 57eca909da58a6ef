"""Small containers FastAPI users know from Starlette.

They behave as Starlette's do (`starlette.datastructures`), but every sub-interpreter
imports this module, so it loads nothing at import time: `urllib.parse` and `ipaddress`
are imported by the few methods that need them, on first use.
"""

from __future__ import annotations

# `collections.abc` would import the whole `collections` package; `_collections_abc` is
# the module it re-exports, and every interpreter has it loaded already (`os` imports it).
from _collections_abc import Mapping

from fasterapi.urls import URL

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import ItemsView, Iterable, Iterator, KeysView, ValuesView
    from typing import Any

__all__ = ["URL", "Address", "Headers", "MutableHeaders", "QueryParams", "State"]


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


class Address(tuple[str, int]):
    """A peer's `(host, port)`, as `request.client` gives it: a tuple, like Starlette's."""

    __slots__ = ()
    __match_args__ = ("host", "port")
    _fields = ("host", "port")

    def __new__(cls, host: str, port: int) -> Address:
        return tuple.__new__(cls, (host, port))

    def __getnewargs__(self) -> tuple[str, int]:
        return (self[0], self[1])

    @property
    def host(self) -> str:
        return self[0]

    @property
    def port(self) -> int:
        return self[1]

    def __repr__(self) -> str:
        return f"Address(host={self[0]!r}, port={self[1]!r})"


class Headers(Mapping[str, str]):
    """HTTP headers: an immutable, case-insensitive multi-dict, as Starlette's `Headers`.

    It reads `(name, value)` byte pairs as they travel (names lower-case, both latin-1)
    and decodes only what is asked for. `keys()`, `values()` and `items()` list every
    entry, repeated names included; `headers[name]` is the first value of that name.
    """

    __slots__ = ("_list",)

    def __init__(
        self,
        headers: Mapping[str, str] | None = None,
        raw: list[tuple[bytes, bytes]] | None = None,
        scope: dict[str, Any] | None = None,
    ) -> None:
        if headers is not None:
            assert raw is None, 'Cannot set both "headers" and "raw".'
            assert scope is None, 'Cannot set both "headers" and "scope".'
            self._list = [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in headers.items()
            ]
        elif raw is not None:
            assert scope is None, 'Cannot set both "raw" and "scope".'
            self._list = raw
        elif scope is not None:
            raw = scope["headers"]
            if type(raw) is not list:
                # Shared with the scope, so that edits through `MutableHeaders` show there.
                raw = scope["headers"] = list(raw)
            self._list = raw
        else:
            self._list = []

    @property
    def raw(self) -> list[tuple[bytes, bytes]]:
        return list(self._list)

    def keys(self) -> list[str]:  # type: ignore[override]
        return [name.decode("latin-1") for name, _ in self._list]

    def values(self) -> list[str]:  # type: ignore[override]
        return [value.decode("latin-1") for _, value in self._list]

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in self._list]

    def get(self, key: str, default: Any = None) -> Any:
        wanted = key.lower().encode("latin-1")
        for name, value in self._list:
            if name == wanted:
                return value.decode("latin-1")
        return default

    def getlist(self, key: str) -> list[str]:
        wanted = key.lower().encode("latin-1")
        return [value.decode("latin-1") for name, value in self._list if name == wanted]

    def mutablecopy(self) -> MutableHeaders:
        return MutableHeaders(raw=list(self._list))

    def __getitem__(self, key: str) -> str:
        wanted = key.lower().encode("latin-1")
        for name, value in self._list:
            if name == wanted:
                return value.decode("latin-1")
        raise KeyError(key)

    def __contains__(self, key: Any) -> bool:
        wanted = key.lower().encode("latin-1")
        return any(name == wanted for name, _ in self._list)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._list)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and sorted(self._list) == sorted(other._list)

    def __repr__(self) -> str:
        as_dict = dict(self.items())
        if len(as_dict) == len(self._list):
            return f"{self.__class__.__name__}({as_dict!r})"
        return f"{self.__class__.__name__}(raw={self.raw!r})"


class MutableHeaders(Headers):
    """Headers that can be changed, as Starlette's `MutableHeaders`.

    Edits change the list given as `raw` in place: a response's `headers` edit the
    `raw_headers` it sends.
    """

    __slots__ = ()

    @property
    def raw(self) -> list[tuple[bytes, bytes]]:
        return self._list

    def __setitem__(self, key: str, value: str) -> None:
        """Make `value` the only entry named `key`, where the first such entry was."""
        name = key.lower().encode("latin-1")
        entry = (name, value.encode("latin-1"))
        raw = self._list
        found = [index for index, (other, _) in enumerate(raw) if other == name]
        if not found:
            raw.append(entry)
            return
        raw[found[0]] = entry
        for index in reversed(found[1:]):
            del raw[index]

    def __delitem__(self, key: str) -> None:
        """Remove every entry named `key` (none is no error, as in Starlette)."""
        name = key.lower().encode("latin-1")
        raw = self._list
        for index in range(len(raw) - 1, -1, -1):
            if raw[index][0] == name:
                del raw[index]

    def setdefault(self, key: str, value: str) -> str:  # type: ignore[override]
        """The first value of `key`, after adding `key: value` if there is none."""
        name = key.lower().encode("latin-1")
        for other, existing in self._list:
            if other == name:
                return existing.decode("latin-1")
        self._list.append((name, value.encode("latin-1")))
        return value

    def update(self, other: Mapping[str, str]) -> None:  # type: ignore[override]
        for key, value in other.items():
            self[key] = value

    def append(self, key: str, value: str) -> None:
        """Add an entry, keeping those of the same name."""
        self._list.append((key.lower().encode("latin-1"), value.encode("latin-1")))

    def add_vary_header(self, vary: str) -> None:
        self["vary"] = ", ".join([*self.getlist("vary"), vary])

    def __ior__(self, other: Mapping[str, str]) -> MutableHeaders:
        if not isinstance(other, Mapping):
            raise TypeError(f"Expected a mapping but got {other.__class__.__name__}")
        self.update(other)
        return self

    def __or__(self, other: Mapping[str, str]) -> MutableHeaders:
        if not isinstance(other, Mapping):
            raise TypeError(f"Expected a mapping but got {other.__class__.__name__}")
        merged = self.mutablecopy()
        merged.update(other)
        return merged


class QueryParams(Mapping[str, str]):
    """A query string's parameters: an immutable multi-dict, as Starlette's `QueryParams`.

    `params["q"]` is the last value of `q`, as in Starlette; `getlist("q")` gives them all
    and `multi_items()` every pair, in order.
    """

    __slots__ = ("_dict", "_list")

    def __init__(
        self,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | str | bytes | None = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(params, str):
            pairs = _parse_query(params)
        elif isinstance(params, bytes):
            pairs = _parse_query(params.decode("latin-1"))
        elif not params:
            pairs = []
        elif hasattr(params, "multi_items"):
            pairs = [(str(name), str(value)) for name, value in params.multi_items()]
        elif hasattr(params, "items"):
            pairs = [(str(name), str(value)) for name, value in params.items()]
        else:
            pairs = [(str(name), str(value)) for name, value in params]
        if kwargs:
            pairs += [(str(name), str(value)) for name, value in kwargs.items()]
        self._list = pairs
        self._dict = dict(pairs)

    def getlist(self, key: Any) -> list[str]:
        return [value for name, value in self._list if name == key]

    def get(self, key: Any, default: Any = None) -> Any:
        return self._dict.get(key, default)

    def keys(self) -> KeysView[str]:
        return self._dict.keys()

    def values(self) -> ValuesView[str]:
        return self._dict.values()

    def items(self) -> ItemsView[str, str]:
        return self._dict.items()

    def multi_items(self) -> list[tuple[str, str]]:
        return list(self._list)

    def __getitem__(self, key: str) -> str:
        return self._dict[key]

    def __contains__(self, key: object) -> bool:
        return key in self._dict

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, self.__class__):
            return False
        return sorted(self._list, key=_name_of) == sorted(other._list, key=_name_of)

    def __str__(self) -> str:
        from urllib.parse import urlencode

        return urlencode(self._list)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({str(self)!r})"


def _name_of(pair: tuple[str, str]) -> str:
    return pair[0]


def _parse_query(query: str) -> list[tuple[str, str]]:
    """The pairs of a query string, as `parse_qsl(query, keep_blank_values=True)` gives.

    Written out so that a query without `%` escapes, the usual one, needs no `urllib`.
    """
    unquote = None
    pairs = []
    for field in query.split("&"):
        if not field:
            continue
        name, _, value = field.partition("=")
        if "+" in field:
            name = name.replace("+", " ")
            value = value.replace("+", " ")
        if "%" in field:
            if unquote is None:
                from urllib.parse import unquote
            # UTF-8, and U+FFFD for what does not decode, as `parse_qsl` does.
            name = unquote(name)
            value = unquote(value)
        pairs.append((name, value))
    return pairs
