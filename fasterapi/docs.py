"""The `/docs` (Swagger UI) and `/redoc` pages, with every asset served from this
package (`fasterapi/static/`): they work with no network at all.

The pages and assets are made once at startup and served by the Rust core as fixed
responses, like the OpenAPI document itself. Main interpreter only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fasterapi.applications import FasterAPI

STATIC = Path(__file__).parent / "static"

# What Swagger UI is told, as FastAPI tells it (`swagger_ui_parameters` adds to these),
# plus no call to the public validator service: the page makes no outside request.
SWAGGER_UI_PARAMETERS: dict[str, Any] = {
    "dom_id": "#swagger-ui",
    "layout": "BaseLayout",
    "deepLinking": True,
    "showExtensions": True,
    "showCommonExtensions": True,
    "validatorUrl": None,
}

# Content types as Starlette's static files give them.
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
}
_HTML = "text/html; charset=utf-8"

# The pages may load only what this server serves: ReDoc's sidebar credit otherwise
# fetches its logo from ReDoc's CDN, and nothing else should reach out either.
_PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'"
)


def fixed_routes(app: FasterAPI) -> list[dict[str, Any]]:
    """The app's fixed routes (OpenAPI document, docs pages, their assets), as route
    table entries the core answers without an interpreter. None when `openapi_url` is
    None, as in FastAPI."""
    if not app.openapi_url:
        return []
    document = json.dumps(
        app.openapi(), ensure_ascii=False, allow_nan=False, separators=(",", ":")
    ).encode()
    routes = [_fixed(app.openapi_url, "application/json", document)]
    if app.docs_url:
        assets = f"{app.docs_url}/assets"
        routes.append(_page(app.docs_url, swagger_ui_page(app, assets)))
        for name in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
            routes.append(_asset(f"{assets}/{name}", STATIC / "swagger-ui" / name))
        if app.swagger_ui_oauth2_redirect_url:
            page = STATIC / "swagger-ui" / "oauth2-redirect.html"
            routes.append(_asset(app.swagger_ui_oauth2_redirect_url, page))
    if app.redoc_url:
        assets = f"{app.redoc_url}/assets"
        routes.append(_page(app.redoc_url, redoc_page(app, assets)))
        routes.append(
            _asset(f"{assets}/redoc.standalone.js", STATIC / "redoc" / "redoc.standalone.js")
        )
    return routes


def swagger_ui_page(app: FasterAPI, assets: str) -> str:
    parameters = {**SWAGGER_UI_PARAMETERS, **(app.swagger_ui_parameters or {})}
    options = "".join(
        f"      {_script_json(k)}: {_script_json(v)},\n" for k, v in parameters.items()
    )
    if app.swagger_ui_oauth2_redirect_url:
        redirect = _script_json(app.swagger_ui_oauth2_redirect_url)
        options += f"      oauth2RedirectUrl: window.location.origin + {redirect},\n"
    return f"""<!DOCTYPE html>
<html>
  <head>
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <link type="text/css" rel="stylesheet" href="{assets}/swagger-ui.css">
    <link rel="shortcut icon" href="{assets}/favicon-32x32.png">
    <title>{_text(app.title)} - Swagger UI</title>
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="{assets}/swagger-ui-bundle.js"></script>
    <script>
    const ui = SwaggerUIBundle({{
      url: {_script_json(app.openapi_url)},
{options}      presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    }})
    </script>
  </body>
</html>
"""


def redoc_page(app: FasterAPI, assets: str) -> str:
    # No web fonts (FastAPI's page loads them from a font service): ReDoc falls back to
    # the system's fonts, and the page stays offline.
    return f"""<!DOCTYPE html>
<html>
  <head>
    <title>{_text(app.title)} - ReDoc</title>
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>body {{ margin: 0; padding: 0; }}</style>
  </head>
  <body>
    <noscript>ReDoc needs JavaScript to show the documentation.</noscript>
    <redoc spec-url="{_text(app.openapi_url or "")}"></redoc>
    <script src="{assets}/redoc.standalone.js"></script>
  </body>
</html>
"""


def _fixed(
    path: str, content_type: str, body: bytes, headers: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    return {
        "methods": ["GET", "HEAD"],
        "path": path,
        "module": "fasterapi.docs",
        "qualname": "fixed_routes",
        "params": [],
        "static_response": {
            "content_type": content_type,
            "body": body,
            "headers": headers or [],
        },
    }


def _page(path: str, html: str) -> dict[str, Any]:
    return _fixed(path, _HTML, html.encode(), [("content-security-policy", _PAGE_POLICY)])


def _asset(path: str, file: Path) -> dict[str, Any]:
    return _fixed(path, _TYPES[file.suffix], file.read_bytes())


def _script_json(value: Any) -> str:
    """JSON that cannot end a `<script>` element early."""
    text = json.dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _text(value: str) -> str:
    from html import escape

    return escape(value)
