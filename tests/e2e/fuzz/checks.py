"""The fuzz properties: no 5xx, every error coded and none INTERNAL_SERVER_ERROR, and a
mutation either succeeds with events or changes nothing (rows counted before and after)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select

from database.engine import create_engine
from database.tables import customers, events, idempotency_keys, order_lines, orders, products

WRITE_TABLES = (customers, products, orders, order_lines, idempotency_keys, events)
# Successes that may write nothing: an update to the values already stored, and a
# placeOrder replaying an idempotency key.
MAY_WRITE_NOTHING = {"updateCustomer", "updateProduct", "placeOrder"}


class RowCounter:
    """Counts every write table in one round trip, on an engine kept for the whole test."""

    def __init__(self, database_url: str) -> None:
        self._runner = asyncio.Runner()
        self._engine = create_engine(database_url)
        counts = [select(func.count()).select_from(t).scalar_subquery() for t in WRITE_TABLES]
        self._query = select(*counts)

    def counts(self) -> dict[str, int]:
        return self._runner.run(self._count())

    async def _count(self) -> dict[str, int]:
        async with self._engine.connect() as connection:
            row = (await connection.execute(self._query)).one()
        return {table.name: int(n) for table, n in zip(WRITE_TABLES, row, strict=True)}

    def close(self) -> None:
        self._runner.run(self._engine.dispose())
        self._runner.close()


class Violation(AssertionError):
    """A broken property: `kind` names it shortly (grouping), `detail` says the case."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}\n{detail}")
        self.kind = kind
        self.detail = detail


def checked_body(response: httpx.Response, sent: str) -> dict[str, Any]:
    """The GraphQL response of a request, after the properties every response must have."""
    where = f"request {sent[:2000]!r}\nanswered {response.status_code}: {response.text[:2000]}"
    if response.status_code >= 500:
        raise Violation(f"HTTP {response.status_code}", where)
    try:
        body = response.json()
    except ValueError:
        kind = f"not a JSON GraphQL response: HTTP {response.status_code} {response.text[:60]!r}"
        raise Violation(kind, where) from None
    if not isinstance(body, dict) or not ("data" in body or "errors" in body):
        raise Violation("neither data nor errors", where)
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if not isinstance(code, str) or not code:
            raise Violation(
                f"an error without extensions.code: {error.get('message')!r:.80}", where
            )
        if code == "INTERNAL_SERVER_ERROR":
            raise Violation(f"INTERNAL_SERVER_ERROR at {error.get('path')}", where)
    return body


def payloads(body: dict[str, Any]) -> list[dict[str, Any] | None]:
    """The mutation payloads of a response, one per root field (null where it failed)."""
    data = body.get("data") or {}
    return list(data.values()) if isinstance(data, dict) else []


def succeeded(payload: dict[str, Any] | None) -> bool:
    if not payload:
        return False
    return not payload.get("userErrors") and payload.get("position") is not None


def check_writes(
    mutation: str, body: dict[str, Any], before: dict[str, int], after: dict[str, int], sent: str
) -> bool:
    """Refused: nothing changed. Succeeded: new events (or a documented no-op). Returns
    whether the mutation succeeded."""
    where = f"{mutation}: {sent[:2000]!r}\nanswered {body!r:.2000}\nrows {before} -> {after}"
    done = [succeeded(payload) for payload in payloads(body)]
    if body.get("errors") or not any(done):
        if after != before:
            raise Violation(f"{mutation}: a refused mutation wrote rows", where)
        return False
    if any(after[t] < before[t] for t in before):
        raise Violation(f"{mutation}: rows vanished", where)
    if after["events"] == before["events"] and (
        mutation not in MAY_WRITE_NOTHING or after != before
    ):
        raise Violation(f"{mutation}: succeeded without events", where)
    return True
