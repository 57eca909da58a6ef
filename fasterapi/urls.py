"""`URL`, as Starlette's (`starlette.datastructures.URL`), and the URL of a request scope.

Every sub-interpreter imports this module with `fasterapi.datastructures`, so it loads
nothing at import time: `urllib.parse` and `ipaddress` are imported on first use.
"""

from __future__ import annotations

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any
    from urllib.parse import SplitResult

__all__ = ["URL"]


class URL:
    """A URL, as Starlette's `URL`: a string taken apart (by `urlsplit`) on first use.

    Build it from a string, from its parts (`URL(scheme="https", netloc="a.b", path="/")`)
    or from a request's scope (`URL(scope=request.scope)`).
    """

    # Taken apart on first use: most URLs are only ever turned back into strings.
    _parts: SplitResult | None = None

    def __init__(self, url: str = "", scope: Mapping[str, Any] | None = None, **components: Any):
        if scope is not None:
            assert not url, 'Cannot set both "url" and "scope".'
            assert not components, 'Cannot set both "scope" and "**components".'
            url = _url_from_scope(scope)
        elif components:
            assert not url, 'Cannot set both "url" and "**components".'
            url = URL().replace(**components).components.geturl()
        self._url = url

    @property
    def components(self) -> SplitResult:
        parts = self._parts
        if parts is None:
            from urllib.parse import urlsplit

            parts = self._parts = urlsplit(self._url)
        return parts

    @property
    def scheme(self) -> str:
        return self.components.scheme

    @property
    def netloc(self) -> str:
        return self.components.netloc

    @property
    def path(self) -> str:
        return self.components.path

    @property
    def query(self) -> str:
        return self.components.query

    @property
    def fragment(self) -> str:
        return self.components.fragment

    @property
    def username(self) -> str | None:
        return self.components.username

    @property
    def password(self) -> str | None:
        return self.components.password

    @property
    def hostname(self) -> str | None:
        return self.components.hostname

    @property
    def port(self) -> int | None:
        return self.components.port

    @property
    def is_secure(self) -> bool:
        return self.scheme in ("https", "wss")

    def replace(self, **kwargs: Any) -> URL:
        """This URL with some of its parts changed: any `urlsplit` field, or `username`,
        `password`, `hostname` and `port`, which rebuild the netloc."""
        if kwargs.keys() & {"username", "password", "hostname", "port"}:
            kwargs["netloc"] = self._netloc_with(kwargs)
        return self.__class__(self.components._replace(**kwargs).geturl())

    def _netloc_with(self, kwargs: dict[str, Any]) -> str:
        """The netloc with the user info, host and port in `kwargs`, which it pops."""
        hostname = kwargs.pop("hostname", None)
        port = kwargs.pop("port") if "port" in kwargs else self.port
        username = kwargs.pop("username") if "username" in kwargs else self.username
        password = kwargs.pop("password") if "password" in kwargs else self.password
        if hostname is None:
            # The current host as written (an IPv6 one keeps its brackets), without the
            # user info before it or the port after it.
            hostname = self.netloc.rpartition("@")[2]
            if hostname and not hostname.endswith("]"):
                hostname = hostname.rsplit(":", 1)[0]
        elif ":" in hostname and not hostname.startswith("["):
            from ipaddress import IPv6Address

            try:
                IPv6Address(hostname)
            except ValueError:
                pass
            else:
                hostname = f"[{hostname}]"
        netloc = hostname if port is None else f"{hostname}:{port}"
        if username is None:
            return netloc
        user_info = username if password is None else f"{username}:{password}"
        return f"{user_info}@{netloc}"

    def include_query_params(self, **kwargs: Any) -> URL:
        """This URL with the given query parameters set, each replacing all of its name."""
        from urllib.parse import parse_qsl, urlencode

        added = [(str(name), str(value)) for name, value in kwargs.items()]
        names = {name for name, _ in added}
        pairs = parse_qsl(self.query, keep_blank_values=True)
        kept = [(name, value) for name, value in pairs if name not in names]
        return self.replace(query=urlencode(kept + added))

    def replace_query_params(self, **kwargs: Any) -> URL:
        """This URL with exactly the given query parameters."""
        from urllib.parse import urlencode

        pairs = [(str(name), str(value)) for name, value in kwargs.items()]
        return self.replace(query=urlencode(pairs))

    def remove_query_params(self, keys: str | Sequence[str]) -> URL:
        """This URL without any query parameter named in `keys`."""
        from urllib.parse import parse_qsl, urlencode

        names = {keys} if isinstance(keys, str) else set(keys)
        pairs = parse_qsl(self.query, keep_blank_values=True)
        return self.replace(query=urlencode([pair for pair in pairs if pair[0] not in names]))

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __str__(self) -> str:
        return self._url

    def __repr__(self) -> str:
        url = self._url
        if self.password:
            url = str(self.replace(password="********"))
        return f"{self.__class__.__name__}({url!r})"


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

# What a Host header may hold (RFC 3986): a registered name, an IPv6 literal or an
# IPvFuture literal, then an optional port. Anything else is ignored, so that a header
# cannot change the URL's path or authority.
_HEX_DIGITS = "0123456789abcdefABCDEF"
_REG_NAME = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~%!$&'()*+,;=-"
_IPV_FUTURE = _REG_NAME.replace("%", ":")


def _url_from_scope(scope: Mapping[str, Any]) -> str:
    """The URL a request was sent to, as Starlette builds it from an ASGI scope."""
    scheme = scope.get("scheme", "http")
    # Escape what would end the path: the path in a scope is already percent-decoded.
    path = scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    query = scope.get("query_string", b"").decode()
    netloc = None
    for name, value in scope["headers"]:
        if name == b"host":
            netloc = _host_authority(value.decode("latin-1"))
            break
    if netloc is None and scope.get("server") is not None:
        host, port = scope["server"]
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        netloc = host if port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    if netloc is None:
        if path.startswith("//"):
            # Without a host, a leading `//` would read as one.
            path = "/%2F" + path[2:]
        url = path
    elif netloc and scheme:
        if path and not path.startswith("/"):
            path = "/" + path
        url = f"{scheme}://{netloc}{path}"
    else:
        from urllib.parse import urlunsplit

        url = urlunsplit((scheme, netloc, path, "", ""))
    return f"{url}?{query}" if query else url


def _host_authority(host: str) -> str | None:
    """`host` (a Host header) if it is a well-formed host with an optional valid port."""
    if host.startswith("["):
        literal, bracket, port_part = host[1:].partition("]")
        if not bracket or not _is_ip_literal(literal):
            return None
    else:
        name = host.partition(":")[0]
        if not name or name.strip(_REG_NAME):
            return None
        port_part = host[len(name) :]
    if port_part:
        port = port_part[1:]
        if port_part[0] != ":" or not port or port.strip("0123456789"):
            return None
        if len(port.lstrip("0")) > 5 or int(port) > 65535:
            return None
    return host


def _is_ip_literal(literal: str) -> bool:
    """Whether `literal`, found between brackets, is an IPv6 or IPvFuture address."""
    if literal.startswith("v"):
        version, dot, rest = literal[1:].partition(".")
        return bool(version and dot and rest) and not (
            version.strip(_HEX_DIGITS) or rest.strip(_IPV_FUTURE)
        )
    head, colon, tail = literal.partition(":")
    if not colon or not tail or head.strip(_HEX_DIGITS) or tail.strip(_HEX_DIGITS + ".:"):
        return False
    from ipaddress import IPv6Address

    try:
        IPv6Address(literal)
    except ValueError:
        return False
    return True
