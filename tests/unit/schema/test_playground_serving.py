"""The GraphiQL page and its files over HTTP, in-process: types, caching, CSP, nothing remote."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser

import httpx
import pytest

from playground import ASSETS
from playground.vendor import integrity
from server import create_app
from settings import load_settings
from tests.unit.schema.schema_fakes import FakeWorker

SETTINGS = load_settings(database_url="sqlite+aiosqlite:///:memory:", search_url="http://s:9200")
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# Hosts that serve front-end packages or fonts: none may be loaded from.
CDN = re.compile(
    rb"(unpkg\.com|jsdelivr\.net|cdnjs\.cloudflare\.com|googleapis\.com|gstatic\.com|esm\.sh"
    rb"|skypack\.dev|jspm\.io|bootstrapcdn\.com|statically\.io)",
    re.IGNORECASE,
)


class Tags(HTMLParser):
    """Every src/href on the page, inline script bodies, <style> elements, on* handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self.open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in {"src", "href"}]
        self.inline += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]
        self.inline += ["<style>"] if tag == "style" else []
        self.open = tag

    def handle_data(self, data: str) -> None:
        if self.open == "script" and data.strip():
            self.inline.append(data)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SETTINGS)
    app.state.worker = FakeWorker()  # the context is built before the page is served
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api:8000") as client:
        yield client


async def page_tags(http: httpx.AsyncClient) -> Tags:
    response = await http.get("/graphql", headers=BROWSER)
    assert response.status_code == 200
    tags = Tags()
    tags.feed(response.text)
    return tags


def directives(policy: str) -> dict[str, str]:
    return dict(directive.strip().split(" ", 1) for directive in policy.split(";"))


@pytest.mark.anyio
async def test_the_page_is_html_with_a_same_origin_policy(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self' ws://api:8000"
    assert "unsafe-inline" not in policy["style-src"] and "*" not in policy["style-src"]
    assert policy["font-src"] == policy["img-src"] == "'self' data:"


@pytest.mark.anyio
async def test_a_forged_host_is_not_written_into_the_policy(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={**BROWSER, "Host": "x; script-src *"})
    assert "connect-src 'self';" in response.headers["content-security-policy"]
    assert "script-src *" not in response.headers["content-security-policy"]


@pytest.mark.anyio
async def test_the_page_loads_only_same_origin_files_and_no_inline_code(
    http: httpx.AsyncClient,
) -> None:
    tags = await page_tags(http)
    assert tags.inline == []
    files = [url for url in tags.urls if not url.startswith("data:")]
    assert files and all(url.startswith("/playground/") for url in files)
    assert {url.removeprefix("/playground/") for url in files} == set(ASSETS)


@pytest.mark.anyio
async def test_every_file_is_served_with_its_type_integrity_and_a_long_cache(
    http: httpx.AsyncClient,
) -> None:
    for name, asset in ASSETS.items():
        response = await http.get(f"/playground/{name}", headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, name
        assert response.headers["content-type"] == MEDIA_TYPES[asset.path.suffix], name
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.content == asset.path.read_bytes()
        assert integrity(response.content) == asset.integrity, name


@pytest.mark.anyio
async def test_a_client_that_takes_gzip_gets_the_same_bytes_smaller(
    http: httpx.AsyncClient,
) -> None:
    name = next(name for name in ASSETS if name.startswith("graphiql-3"))
    response = await http.get(f"/playground/{name}", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < len(response.content) / 3
    assert response.content == ASSETS[name].path.read_bytes()  # httpx decoded it


@pytest.mark.anyio
async def test_no_served_file_loads_from_a_cdn_or_points_at_a_source_map(
    http: httpx.AsyncClient,
) -> None:
    page = (await http.get("/graphql", headers=BROWSER)).content
    bodies = {"page": page} | {name: asset.path.read_bytes() for name, asset in ASSETS.items()}
    for name, body in bodies.items():
        assert CDN.search(body) is None, f"{name} names a CDN host"
        assert b"sourceMappingURL=" not in body[-500:], name
    for name in (name for name in ASSETS if name.endswith(".css")):
        urls = re.findall(rb"url\(\s*['\"]?([^'\")]*)", bodies[name])
        assert all(url.startswith(b"data:") for url in urls), name  # fonts inlined, none fetched


@pytest.mark.anyio
@pytest.mark.parametrize(
    "name",
    [
        "nope.js",
        "playground.js",  # ours only under its hashed name
        "VERSIONS.json",
        "LICENSES%2Freact.txt",
        "..%2Fweb.py",
        "%2e%2e%2f__init__.py",
        "graphiql-3.8.3.min.js.map",
        "",
    ],
)
async def test_any_other_name_is_not_found(http: httpx.AsyncClient, name: str) -> None:
    response = await http.get(f"/playground/{name}")
    assert response.status_code == 404
    assert "cache-control" not in response.headers


@pytest.mark.anyio
async def test_json_clients_still_get_graphql_at_the_same_path(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ __typename }"})
    assert response.headers["content-type"].startswith("application/json")
    assert "data" in response.json() or "errors" in response.json()
