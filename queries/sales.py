"""The sales report, from the sales view alone (docs/ARCHITECTURE.md, invariant 6): staff
only, with read-your-writes against the sales view's own published progress."""

from __future__ import annotations

from identity import Principal
from positions import Position
from queries import consistency
from queries.errors import ReadForbidden
from queries.sales_report import SalesReport, SalesRequest, build_report_body, report_from
from read_model import names
from search_engine.client import SearchClient


class SalesQueries:
    """`prefix` is the sales view's (`read_model.sales.SALES.prefix(INDEX_PREFIX)`)."""

    def __init__(self, client: SearchClient, prefix: str):
        self._client = client
        self._prefix = prefix
        self._alias = names.alias(prefix)
        self._progress = consistency.ProgressWatch(client, prefix)

    async def report(
        self, request: SalesRequest, actor: Principal, wait: tuple[str, int] | None = None
    ) -> SalesReport:
        """The report, once the view has reached `wait` (token, timeout ms) if given.

        NotSignedIn, ReadForbidden (not staff), InvalidQuery (bad input, checked before any
        wait), ConsistencyTimeout."""
        if not actor.signed_in().is_staff:
            raise ReadForbidden("the sales report is for staff only")
        body = build_report_body(request)
        if wait is not None:
            await self.wait_for(*wait)
        return report_from(await self._client.search(self._alias, body), request)

    async def wait_for(self, token: str, timeout_ms: int) -> Position:
        """Block until the sales view has caught up with `token` (consistency.wait_for)."""
        return await consistency.wait_for(
            self._client, self._prefix, token, timeout_ms, self._progress
        )
