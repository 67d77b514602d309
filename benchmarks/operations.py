"""What the load generator sends: picklable specs, opened inside the load process.

- `GraphQL`: one POST /graphql per call (the service, or the SQL alternative), variables
  taken round-robin; the answer must have no errors, a non-null field and no userErrors.
- `EngineGet` / `EngineSearch`: the same document GET and search body the service sends,
  straight to the search engine.
- `RawPlaceOrder`: placeOrder's rows and events through asyncpg (`benchmarks.raw_write`).
- `EngineProductReport`: a sales report by product computed from order documents, their
  range pulled page by page and summed (`benchmarks.order_answers`).

Every answer is read and parsed as JSON on both sides, so the generator does the same work
for a service path and its limit.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import asyncpg

from benchmarks import order_answers, raw_write

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class Failed(Exception):
    """A request that got an answer, but not the one wanted (status, errors, userErrors)."""


class Operation(Protocol):
    async def __call__(self, i: int) -> None: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class GraphQL:
    url: str
    query: str
    variables: tuple[dict[str, Any], ...]
    field: str  # the top-level field that must be non-null
    key_prefix: str | None = None  # set input.idempotencyKey to "<prefix>-<i>" (unique)
    headers: tuple[tuple[str, str], ...] = tuple(JSON_HEADERS.items())  # with the API's token


@dataclass(frozen=True)
class EngineGet:
    base_url: str
    index: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class EngineSearch:
    base_url: str
    index: str
    bodies: tuple[bytes, ...]


@dataclass(frozen=True)
class RawPlaceOrder:
    dsn: str
    inputs: tuple[dict[str, Any], ...]  # placeOrder inputs, as the GraphQL variables hold them
    key_prefix: str


@dataclass(frozen=True)
class EngineProductReport:
    base_url: str
    index: str
    variables: tuple[dict[str, Any], ...]  # salesReport variables, grouped by PRODUCT


OperationSpec = GraphQL | EngineGet | EngineSearch | RawPlaceOrder | EngineProductReport


def session(concurrency: int) -> aiohttp.ClientSession:
    """A keep-alive session for loopback targets, one connection per concurrent request."""
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    return aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=None), trust_env=False
    )


def check_graphql(answer: Any, field: str) -> Any:
    """The field's value; Failed for errors, a null field or userErrors."""
    if not isinstance(answer, dict):
        raise Failed("not a GraphQL answer")
    if answer.get("errors"):
        error = answer["errors"][0]
        code = (error.get("extensions") or {}).get("code", "")
        raise Failed(f"GraphQL error {code}: {str(error.get('message'))[:100]}")
    value = (answer.get("data") or {}).get(field)
    if value is None:
        raise Failed(f"{field} is null")
    if isinstance(value, dict) and value.get("userErrors"):
        first = value["userErrors"][0]
        raise Failed(f"userError {first.get('code')}: {first.get('message')}")
    return value


async def read_json(response: aiohttp.ClientResponse) -> Any:
    body = await response.read()
    if response.status != 200:
        raise Failed(f"HTTP {response.status}: {body[:100].decode(errors='replace')}")
    return json.loads(body)


class _GraphQLOperation:
    def __init__(self, spec: GraphQL, concurrency: int) -> None:
        self.spec = spec
        self.headers = dict(spec.headers)
        self.http = session(concurrency)

    async def __call__(self, i: int) -> None:
        spec = self.spec
        variables = spec.variables[i % len(spec.variables)]
        if spec.key_prefix is not None:
            variables = {**variables, "input": {**variables["input"]}}
            variables["input"]["idempotencyKey"] = f"{spec.key_prefix}-{i}"
        payload = json.dumps({"query": spec.query, "variables": variables})
        async with self.http.post(spec.url, data=payload, headers=self.headers) as response:
            check_graphql(await read_json(response), spec.field)

    async def close(self) -> None:
        await self.http.close()


class _EngineGetOperation:
    def __init__(self, spec: EngineGet, concurrency: int) -> None:
        self.spec = spec
        self.http = session(concurrency)

    async def __call__(self, i: int) -> None:
        spec = self.spec
        url = f"{spec.base_url}/{spec.index}/_doc/{spec.ids[i % len(spec.ids)]}"
        async with self.http.get(url, headers=JSON_HEADERS) as response:
            if not (await read_json(response)).get("found"):
                raise Failed("document not found")

    async def close(self) -> None:
        await self.http.close()


class _EngineSearchOperation:
    def __init__(self, spec: EngineSearch, concurrency: int) -> None:
        self.spec = spec
        self.http = session(concurrency)
        self.url = f"{spec.base_url}/{spec.index}/_search"

    async def __call__(self, i: int) -> None:
        body = self.spec.bodies[i % len(self.spec.bodies)]
        async with self.http.post(self.url, data=body, headers=JSON_HEADERS) as response:
            answer = await read_json(response)
            if "hits" not in answer:
                raise Failed("no hits in the answer")

    async def close(self) -> None:
        await self.http.close()


class _EngineProductReportOperation:
    def __init__(self, spec: EngineProductReport, concurrency: int) -> None:
        self.spec = spec
        self.http = session(concurrency)
        self.url = f"{spec.base_url}/{spec.index}/_search"

    async def __call__(self, i: int) -> None:
        variables = self.spec.variables[i % len(self.spec.variables)]
        await product_report_from_orders(self.http, self.url, variables)

    async def close(self) -> None:
        await self.http.close()


async def product_report_from_orders(
    http: aiohttp.ClientSession, url: str, variables: dict[str, Any]
) -> order_answers.ReportRows:
    """`order_answers.product_report` over HTTP: each page POSTed to `url` (a _search)."""

    async def search(body: dict[str, Any]) -> Any:
        async with http.post(url, data=json.dumps(body), headers=JSON_HEADERS) as response:
            return await read_json(response)

    return await order_answers.product_report(search, variables)


class _RawPlaceOrderOperation:
    def __init__(self, spec: RawPlaceOrder, pool: asyncpg.Pool) -> None:
        self.spec = spec
        self.pool = pool

    async def __call__(self, i: int) -> None:
        spec = self.spec
        try:
            await raw_write.place_order(  # a request id per order, as the service makes one
                self.pool,
                spec.inputs[i % len(spec.inputs)],
                f"{spec.key_prefix}-{i}",
                request_id=uuid.uuid4().hex,
            )
        except raw_write.Rejected as rejected:
            raise Failed(str(rejected)) from None

    async def close(self) -> None:
        await self.pool.close()


async def open_operation(spec: OperationSpec, concurrency: int) -> Operation:
    if isinstance(spec, GraphQL):
        return _GraphQLOperation(spec, concurrency)
    if isinstance(spec, EngineGet):
        return _EngineGetOperation(spec, concurrency)
    if isinstance(spec, EngineSearch):
        return _EngineSearchOperation(spec, concurrency)
    if isinstance(spec, EngineProductReport):
        return _EngineProductReportOperation(spec, concurrency)
    pool = await asyncpg.create_pool(spec.dsn, min_size=concurrency, max_size=concurrency)
    return _RawPlaceOrderOperation(spec, pool)
