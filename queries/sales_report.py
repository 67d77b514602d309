"""The sales report's engine request and its answer: pure, over the sales view
(read_model/sales.py) alone, never over order documents.

One search with `size: 0` and two small aggregations inside the nested `sales` entries:

- `rows`: a composite aggregation by period (a UTC `date_histogram` of the entry's day),
  the groups asked for and the currency (a row's revenue is in one currency), summing
  units, orders and revenue cents. Grouped by PRODUCT or CATEGORY it reads the product
  buckets, otherwise the day documents.
- `totals`: the day documents' units, orders and revenue per currency.

What `orders` counts: in the totals and in rows not grouped by product or category,
distinct orders (each order once); in rows grouped by PRODUCT, the orders holding that
product (an order holds a product once, so distinct too); in rows grouped by CATEGORY
without PRODUCT, the orders' lines of that category's products (an order with two
kitchen products counts twice in the kitchen row).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from queries.errors import InvalidQuery
from read_model.sales import DAY, PRODUCT

MAX_ROWS = 1000
MAX_DAYS = 3660  # about ten years
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class SalesInterval(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


class SalesGroup(StrEnum):
    PRODUCT = "PRODUCT"
    CATEGORY = "CATEGORY"
    COUNTRY = "COUNTRY"


_CALENDAR = {SalesInterval.DAY: "day", SalesInterval.WEEK: "week", SalesInterval.MONTH: "month"}
_FIELDS = {
    SalesGroup.PRODUCT: "sku",
    SalesGroup.CATEGORY: "category",
    SalesGroup.COUNTRY: "country",
}


@dataclass(frozen=True)
class SalesRequest:
    start: datetime  # inclusive, a UTC midnight
    end: datetime  # exclusive, a UTC midnight
    interval: SalesInterval = SalesInterval.DAY
    group_by: Sequence[SalesGroup] = ()
    currency: str | None = None


@dataclass(frozen=True)
class SalesRow:
    period: str  # "2026-12-01", "2026-W49", "2026-12"
    product: str | None  # the SKU
    category: str | None
    country: str | None
    units: int
    orders: int
    revenue: Decimal
    currency: str


@dataclass(frozen=True)
class SalesReport:
    rows: list[SalesRow]
    totals: list[tuple[Decimal, str]]  # (amount, currency), by currency
    units: int
    orders: int


def build_report_body(request: SalesRequest) -> dict[str, Any]:
    """The search body of a report; InvalidQuery for a request the client got wrong."""
    first, last = _days(request)
    currency = _currency(request.currency)
    chosen = {"match_all": {}} if currency is None else {"term": {"sales.currency": currency}}
    sums = {
        "units": {"sum": {"field": "sales.units"}},
        "orders": {"sum": {"field": "sales.orders"}},
        "revenue": {"sum": {"field": "sales.revenueCents"}},
    }
    rows = {"composite": {"size": MAX_ROWS + 1, "sources": _sources(request)}, "aggs": sums}
    currencies = {
        "terms": {"field": "sales.currency", "size": 300, "order": {"_key": "asc"}},
        "aggs": {"revenue": sums["revenue"]},
    }
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {"bool": {"filter": [{"range": {"day": {"gte": first, "lt": last}}}]}},
        "aggs": {
            "rows": _in_sales(_kind(request), chosen, {"rows": rows}),
            "totals": _in_sales(
                DAY, chosen, {"units": sums["units"], "orders": sums["orders"], "by": currencies}
            ),
        },
    }


def report_from(response: Mapping[str, Any], request: SalesRequest) -> SalesReport:
    """The report of an engine response to `build_report_body(request)`."""
    aggs = response["aggregations"]
    buckets = aggs["rows"]["sales"]["chosen"]["rows"]["buckets"]
    if len(buckets) > MAX_ROWS:
        raise InvalidQuery(
            f"the report has more than {MAX_ROWS} rows: shorten the range, take a longer "
            "interval or group by less"
        )
    rows = [
        SalesRow(
            period=period_label(int(b["key"]["period"]), request.interval),
            product=b["key"].get("product"),
            category=b["key"].get("category"),
            country=b["key"].get("country"),
            units=_count(b["units"]),
            orders=_count(b["orders"]),
            revenue=_cents(b["revenue"]),
            currency=b["key"]["currency"],
        )
        for b in buckets
    ]
    totals = aggs["totals"]["sales"]["chosen"]
    return SalesReport(
        rows=rows,
        totals=[(_cents(b["revenue"]), b["key"]) for b in totals["by"]["buckets"]],
        units=_count(totals["units"]),
        orders=_count(totals["orders"]),
    )


def period_label(epoch_ms: int, interval: SalesInterval) -> str:
    """A period's name from its start (epoch milliseconds, UTC)."""
    day = datetime.fromtimestamp(epoch_ms / 1000, UTC).date()
    if interval is SalesInterval.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if interval is SalesInterval.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _days(request: SalesRequest) -> tuple[str, str]:
    first, last = _midnight("from", request.start), _midnight("to", request.end)
    if last <= first:
        raise InvalidQuery("`to` must be after `from`")
    if (last - first).days > MAX_DAYS:
        raise InvalidQuery(f"the range spans at most {MAX_DAYS} days")
    return first.isoformat(), last.isoformat()


def _midnight(name: str, value: datetime) -> date:
    at = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if at.time() != time(0):
        raise InvalidQuery(
            f"`{name}` must be a UTC midnight, e.g. 2026-12-01T00:00:00Z: the sales view "
            "counts whole days"
        )
    return at.date()


def _currency(value: str | None) -> str | None:
    if value is None:
        return None
    if not _CURRENCY.match(value.strip()):
        raise InvalidQuery("`currency` must be three upper-case letters (ISO 4217), e.g. EUR")
    return value.strip()


def _kind(request: SalesRequest) -> str:
    by_product = {SalesGroup.PRODUCT, SalesGroup.CATEGORY} & set(request.group_by)
    return PRODUCT if by_product else DAY


def _sources(request: SalesRequest) -> list[dict[str, Any]]:
    """Period, the groups (a product's row also names its category), then currency."""
    groups = set(request.group_by)
    if SalesGroup.PRODUCT in groups:
        groups.add(SalesGroup.CATEGORY)  # one category per SKU: no more rows
    period = {
        "date_histogram": {
            "field": "sales.day",
            "calendar_interval": _CALENDAR[request.interval],
            "time_zone": "UTC",
        }
    }
    sources: list[dict[str, Any]] = [{"period": period}]
    for group in SalesGroup:  # a fixed order, whatever order the client listed them in
        if group in groups:
            field = f"sales.{_FIELDS[group]}"
            sources.append(
                {group.value.lower(): {"terms": {"field": field, "missing_bucket": True}}}
            )
    sources.append({"currency": {"terms": {"field": "sales.currency"}}})
    return sources


def _in_sales(kind: str, chosen: dict[str, Any], aggs: dict[str, Any]) -> dict[str, Any]:
    """`aggs` over the `sales` entries of the documents of one kind, of the chosen currency."""
    return {
        "filter": {"term": {"kind": kind}},
        "aggs": {
            "sales": {
                "nested": {"path": "sales"},
                "aggs": {"chosen": {"filter": chosen, "aggs": aggs}},
            }
        },
    }


def _count(agg: Mapping[str, Any]) -> int:
    return round(float(agg.get("value") or 0))


def _cents(agg: Mapping[str, Any]) -> Decimal:
    return (Decimal(_count(agg)) / 100).quantize(Decimal("0.01"))
