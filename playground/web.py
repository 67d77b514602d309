"""The playground over HTTP: the GraphiQL page and its files, from this package only.

Only the files in the table below are served: the vendored ones listed in
`assets/VERSIONS.json` and the page's own script and stylesheet. Every served name carries a
version (vendored) or a content hash (ours), so each can be cached for a year.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

HERE = Path(__file__).resolve().parent
ASSET_PATH = "/playground"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
IMMUTABLE = "public, max-age=31536000, immutable"
HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")
# The one <style> GraphiQL injects (react-remove-scroll-bar, when a dialog opens): constant,
# since the page never shows a scroll bar. A hash admits only that text, no inline style else.
SCROLL_LOCK_STYLE = "'sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc='"
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@dataclass(frozen=True)
class Asset:
    """One servable file: its name in URLs, where it lives, its type and SRI integrity."""

    name: str
    path: Path
    integrity: str

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.path.suffix]

    @functools.cached_property
    def body(self) -> bytes:
        return self.path.read_bytes()

    @functools.cached_property
    def gzipped(self) -> bytes:
        return gzip.compress(self.body, mtime=0)


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _own(name: str) -> Asset:
    """The page's own file, served under a name with its content hash."""
    path = HERE / "static" / name
    data = path.read_bytes()
    stem, suffix = name.rsplit(".", 1)
    return Asset(f"{stem}-{hashlib.sha256(data).hexdigest()[:12]}.{suffix}", path, sri(data))


def load_assets() -> dict[str, Asset]:
    """Served name -> file, in page load order: vendored files, then ours."""
    manifest = json.loads((HERE / "assets" / "VERSIONS.json").read_text())
    vendored = [
        Asset(entry["asset"], HERE / "assets" / entry["asset"], entry["integrity"])
        for package in manifest["packages"]
        for entry in package["files"]
    ]
    assets = [*vendored, _own("playground.css"), _own("playground.js")]
    return {asset.name: asset for asset in assets}


ASSETS = load_assets()
TEMPLATE = Template((HERE / "static" / "index.html").read_text())


@functools.cache
def page_html(prefix: str) -> str:
    """The page, its files referenced under `prefix` with their integrity."""
    tags: dict[str, list[str]] = {".css": [], ".js": []}
    for asset in ASSETS.values():
        url = f"{prefix}/{asset.name}"
        tags[asset.path.suffix].append(
            f'    <link rel="stylesheet" href="{url}" integrity="{asset.integrity}" />'
            if asset.path.suffix == ".css"
            else f'    <script src="{url}" integrity="{asset.integrity}"></script>'
        )
    return TEMPLATE.substitute(stylesheets="\n".join(tags[".css"]), scripts="\n".join(tags[".js"]))


def content_security_policy(request: Request) -> str:
    """Same origin only; GraphiQL's fonts are data: URLs inside its stylesheet."""
    connect = ["'self'"]
    host = request.headers.get("host", "")
    if HOST.fullmatch(host):  # spelled out too: older browsers' 'self' omits ws:
        connect.append(("wss://" if request.url.scheme == "https" else "ws://") + host)
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self' {SCROLL_LOCK_STYLE}",
            "font-src 'self' data:",
            "img-src 'self' data:",
            "connect-src " + " ".join(connect),
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def page(request: Request) -> HTMLResponse:
    """The GraphiQL page for a browser's GET of the GraphQL endpoint."""
    prefix = request.scope.get("root_path", "") + ASSET_PATH
    headers = {
        **COMMON_HEADERS,
        "Content-Security-Policy": content_security_policy(request),
        "Cache-Control": "no-cache",
    }
    return HTMLResponse(page_html(prefix), headers=headers)


async def asset(request: Request) -> Response:
    """One file of the table, gzipped when the client takes it; any other name is 404."""
    found = ASSETS.get(request.path_params["name"])
    if found is None:
        return PlainTextResponse("Not Found", status_code=404, headers=COMMON_HEADERS)
    headers = {**COMMON_HEADERS, "Cache-Control": IMMUTABLE, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        body = await run_in_threadpool(lambda: found.gzipped)  # once per file: ~0.1 s for 3 MB
        return Response(body, media_type=found.media_type, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


def route() -> Route:
    """`GET /playground/{name}` (and HEAD)."""
    return Route(ASSET_PATH + "/{name}", asset, methods=["GET"], name="playground_asset")
