"""Type stubs for the native core. Import it only from `fasterapi.server`."""

from typing import Any

def serve(route_table: dict[str, Any], config: dict[str, Any]) -> bool: ...
