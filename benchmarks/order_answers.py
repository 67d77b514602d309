"""The answers of the two view queries computed from order documents instead (the views
section, benchmarks/views.py): what a dashboard or a support tool would have to do
without the customer and the sales view.

- a sales report not grouped by product or category: one composite aggregation over the
  order documents (period of `placedAt`, country, currency; the sums of `itemCount` and
  `total`; the order count), the cheapest way the order index can answer it;
- a sales report grouped by PRODUCT: an order document's `lines` are a plain object array
  (read_model/mapping.py), so no aggregation can pair a line's SKU with its own quantity
  and total: the documents of the range are pulled page by page and summed here;
- a customer search: the order documents matching the name, grouped by customer (a terms
  aggregation ordered by the best score), with what a customer summary shows computed
  per customer (counts by status, value per currency without cancelled orders, first and
  last order, countries). Customers without orders are not found this way.

Each answer is normalised to the same shape as the view's (`ReportRows`, `Summaries`), so
views.py checks that both sides give the same answer before it times them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from order_status import OrderStatus
from queries.sales_report import SalesInterval, period_label

PAGE = 2000  # documents per page when pulling a range
CALENDAR = {"DAY": "day", "WEEK": "week", "MONTH": "month"}
NOT_CANCELLED = {"bool": {"must_not": [{"term": {"status": OrderStatus.CANCELLED.value}}]}}

# (period, product, country, currency) → (units, orders, revenue)
ReportRows = dict[tuple[str, str | None, str | None, str], tuple[int, int, Decimal]]
# customer id → (order count, {status: count}, {currency: value}, last order, countries)
Summaries = dict[str, tuple[int, dict[str, int], dict[str, Decimal], str | None, list[str]]]


def _in_range(start: str, end: str) -> dict[str, Any]:
    return {
        "bool": {
            "filter": [{"range": {"placedAt": {"gte": start, "lt": end}}}, NOT_CANCELLED],
        }
    }


def report_aggregation_body(variables: Mapping[str, Any]) -> dict[str, Any]:
    """A report grouped by nothing or by COUNTRY, as one aggregation over order documents."""
    groups = set(variables["groupBy"])
    assert groups <= {"COUNTRY"}, "only PRODUCT-free reports aggregate over order documents"
    period = {
        "date_histogram": {
            "field": "placedAt",
            "calendar_interval": CALENDAR[variables["interval"]],
            "time_zone": "UTC",
        }
    }
    sources: list[dict[str, Any]] = [{"period": period}]
    if "COUNTRY" in groups:
        sources.append({"country": {"terms": {"field": "shippingAddress.country"}}})
    sources.append({"currency": {"terms": {"field": "currency"}}})
    return {
        "size": 0,
        "track_total_hits": False,
        "query": _in_range(variables["from"], variables["to"]),
        "aggs": {
            "rows": {
                "composite": {"size": 10_000, "sources": sources},
                "aggs": {
                    "units": {"sum": {"field": "itemCount"}},
                    "revenue": {"sum": {"field": "total"}},
                },
            }
        },
    }


def rows_of_aggregation(answer: Mapping[str, Any], interval: str) -> ReportRows:
    rows: ReportRows = {}
    for bucket in answer["aggregations"]["rows"]["buckets"]:
        key = bucket["key"]
        period = period_label(int(key["period"]), SalesInterval(interval))
        cents = round(float(bucket["revenue"]["value"]) * 100)
        rows[(period, None, key.get("country"), key["currency"])] = (
            round(float(bucket["units"]["value"])),
            int(bucket["doc_count"]),
            Decimal(cents) / 100,
        )
    return rows


def report_page_body(variables: Mapping[str, Any], after: list[Any] | None) -> dict[str, Any]:
    """One page of the range's order documents, only the fields a product report needs."""
    body: dict[str, Any] = {
        "size": PAGE,
        "track_total_hits": False,
        "query": _in_range(variables["from"], variables["to"]),
        "_source": ["placedAt", "currency", "lines.sku", "lines.quantity", "lines.lineTotal"],
        "sort": [{"id": "asc"}],
    }
    if after is not None:
        body["search_after"] = after
    return body


Tallies = dict[
    tuple[str, str, str], list[Any]
]  # (period, SKU, currency) → [units, orders, revenue]


def add_lines(rows: Tallies, hits: Sequence[Any], interval: str) -> None:
    """Sum one page's order lines into `rows`; an order holds a product once, so each
    line is one order of its product."""
    labels: dict[str, str] = {}
    for hit in hits:
        order = hit["_source"]
        day = order["placedAt"][:10]
        if day not in labels:
            epoch_ms = int(datetime.fromisoformat(day + "T00:00:00+00:00").timestamp() * 1000)
            labels[day] = period_label(epoch_ms, SalesInterval(interval))
        for line in order["lines"]:
            key = (labels[day], line["sku"], order["currency"])
            tally = rows.setdefault(key, [0, 0, Decimal(0)])
            tally[0] += line["quantity"]
            tally[1] += 1
            tally[2] += Decimal(line["lineTotal"] or "0")


def rows_of_lines(rows: Tallies) -> ReportRows:
    return {(p, sku, None, c): (t[0], t[1], t[2]) for (p, sku, c), t in rows.items()}


Search = Callable[[dict[str, Any]], Awaitable[Mapping[str, Any]]]  # a body → its answer


async def product_report(search: Search, variables: Mapping[str, Any]) -> ReportRows:
    """Pull the range's order documents page by page and sum their lines by product."""
    tallies: Tallies = {}
    after: list[Any] | None = None
    while True:
        hits = (await search(report_page_body(variables, after)))["hits"]["hits"]
        add_lines(tallies, hits, variables["interval"])
        if len(hits) < PAGE:
            return rows_of_lines(tallies)
        after = hits[-1]["sort"]


def rows_of_report(report: Mapping[str, Any]) -> ReportRows:
    """The GraphQL `salesReport` answer in the same shape."""
    return {
        (r["period"], r["product"], r["country"], r["revenue"]["currency"]): (
            r["units"],
            r["orders"],
            Decimal(r["revenue"]["amount"]),
        )
        for r in report["rows"]
    }


def customers_body(text: str, first: int) -> dict[str, Any]:
    """Customers whose orders match `text` by name, best match first, with their figures."""
    standing = {
        "filter": NOT_CANCELLED,
        "aggs": {
            "by": {
                "terms": {"field": "currency", "size": 50},
                "aggs": {"value": {"sum": {"field": "total"}}},
            }
        },
    }
    per_customer = {
        "best": {"max": {"script": {"source": "_score"}}},
        "who": {"top_hits": {"size": 1, "_source": ["customer"], "sort": [{"placedAt": "desc"}]}},
        "statuses": {"terms": {"field": "status", "size": 10}},
        "standing": standing,
        "first": {"min": {"field": "placedAt"}},
        "last": {"max": {"field": "placedAt"}},
        "countries": {"terms": {"field": "shippingAddress.country", "size": 250}},
    }
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {
            "match": {"customer.name": {"query": text, "operator": "and", "fuzziness": "AUTO"}}
        },
        "aggs": {
            "total": {"cardinality": {"field": "customer.id"}},
            "customers": {
                "terms": {"field": "customer.id", "size": first + 1, "order": {"best": "desc"}},
                "aggs": per_customer,
            },
        },
    }


def summaries_of_orders(answer: Mapping[str, Any]) -> Summaries:
    found: Summaries = {}
    for bucket in answer["aggregations"]["customers"]["buckets"]:
        statuses = {b["key"]: int(b["doc_count"]) for b in bucket["statuses"]["buckets"]}
        values = {
            b["key"]: Decimal(round(float(b["value"]["value"]) * 100)) / 100
            for b in bucket["standing"]["by"]["buckets"]
        }
        last = bucket["last"].get("value_as_string")
        countries = sorted(b["key"] for b in bucket["countries"]["buckets"])
        found[bucket["key"]] = (int(bucket["doc_count"]), statuses, values, last, countries)
    return found


def summaries_of_view(connection: Mapping[str, Any]) -> Summaries:
    """The GraphQL `customers` answer in the same shape."""
    found: Summaries = {}
    for edge in connection["edges"]:
        node = edge["node"]
        found[node["id"]] = (
            node["orderCount"],
            {b["value"]: b["count"] for b in node["ordersByStatus"]},
            {m["currency"]: Decimal(m["amount"]) for m in node["lifetimeValue"]},
            node["lastOrderAt"],
            sorted(node["countries"]),
        )
    return found


def same_instant(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a == b
    return datetime.fromisoformat(a.replace("Z", "+00:00")) == datetime.fromisoformat(
        b.replace("Z", "+00:00")
    )


def summaries_agree(view: Summaries, orders: Summaries) -> tuple[int, int]:
    """(customers on both pages whose figures agree, customers on both pages)."""
    shared = sorted(set(view) & set(orders))
    agree = 0
    for customer in shared:
        (count, statuses, values, last, countries) = view[customer]
        (count2, statuses2, values2, last2, countries2) = orders[customer]
        same = (count, statuses, values, countries) == (count2, statuses2, values2, countries2)
        agree += same and same_instant(last, last2)
    return agree, len(shared)
