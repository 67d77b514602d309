"""The sales report's engine request and the report read from its answer (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from queries.errors import InvalidQuery
from queries.sales_report import (
    MAX_DAYS,
    MAX_ROWS,
    SalesGroup,
    SalesInterval,
    SalesRequest,
    SalesRow,
    build_report_body,
    period_label,
    report_from,
)

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)


def request(*groups: SalesGroup, **changes: Any) -> SalesRequest:
    return SalesRequest(**{"start": START, "end": END, "group_by": groups, **changes})


def rows_agg(body: dict[str, Any]) -> dict[str, Any]:
    chosen: dict[str, Any] = body["aggs"]["rows"]["aggs"]["sales"]["aggs"]["chosen"]
    return chosen


def sources(body: dict[str, Any]) -> list[str]:
    return [
        name for source in rows_agg(body)["aggs"]["rows"]["composite"]["sources"] for name in source
    ]


def test_the_range_filters_whole_days_from_inclusive_to_exclusive() -> None:
    body = build_report_body(request())
    assert body["size"] == 0
    assert body["query"]["bool"]["filter"] == [
        {"range": {"day": {"gte": "2026-11-01", "lt": "2026-12-01"}}}
    ]


def test_rows_without_product_or_category_read_the_day_documents() -> None:
    body = build_report_body(request(SalesGroup.COUNTRY))
    assert body["aggs"]["rows"]["filter"] == {"term": {"kind": "day"}}
    assert sources(body) == ["period", "country", "currency"]
    assert body["aggs"]["totals"]["filter"] == {"term": {"kind": "day"}}


def test_product_rows_read_the_buckets_and_name_their_category_in_a_fixed_order() -> None:
    body = build_report_body(request(SalesGroup.COUNTRY, SalesGroup.PRODUCT))
    assert body["aggs"]["rows"]["filter"] == {"term": {"kind": "product"}}
    assert sources(body) == ["period", "product", "category", "country", "currency"]
    composite = rows_agg(body)["aggs"]["rows"]["composite"]
    assert composite["size"] == MAX_ROWS + 1
    assert composite["sources"][0]["period"]["date_histogram"] == {
        "field": "sales.day",
        "calendar_interval": "day",
        "time_zone": "UTC",
    }


@pytest.mark.parametrize(
    ("interval", "calendar"),
    [(SalesInterval.DAY, "day"), (SalesInterval.WEEK, "week"), (SalesInterval.MONTH, "month")],
)
def test_the_interval_is_a_calendar_interval(interval: SalesInterval, calendar: str) -> None:
    body = build_report_body(request(interval=interval))
    period = rows_agg(body)["aggs"]["rows"]["composite"]["sources"][0]["period"]
    assert period["date_histogram"]["calendar_interval"] == calendar


def test_a_currency_chooses_the_entries_of_that_currency() -> None:
    body = build_report_body(request(currency=" PLN "))
    assert rows_agg(body)["filter"] == {"term": {"sales.currency": "PLN"}}
    assert build_report_body(request())["aggs"]["totals"]["aggs"]["sales"]["aggs"]["chosen"][
        "filter"
    ] == {"match_all": {}}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": START}, "`to` must be after `from`"),
        ({"end": START - timedelta(days=1)}, "`to` must be after `from`"),
        ({"start": START + timedelta(hours=1)}, "`from` must be a UTC midnight"),
        ({"end": END - timedelta(milliseconds=1)}, "`to` must be a UTC midnight"),
        ({"end": START + timedelta(days=MAX_DAYS + 1)}, f"at most {MAX_DAYS} days"),
        ({"currency": "eur"}, "three upper-case letters"),
        ({"currency": "EURO"}, "three upper-case letters"),
    ],
)
def test_bad_requests_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidQuery, match=message):
        build_report_body(request(**changes))


def test_an_offset_that_is_midnight_in_utc_is_fine() -> None:
    start = datetime(2026, 11, 1, 1, 0, tzinfo=timezone(timedelta(hours=1)))
    assert (
        build_report_body(request(start=start))["query"]["bool"]["filter"][0]["range"]["day"]["gte"]
        == "2026-11-01"
    )


def test_periods_are_named_by_day_iso_week_and_month() -> None:
    monday = int(datetime(2026, 11, 30, tzinfo=UTC).timestamp() * 1000)
    assert period_label(monday, SalesInterval.DAY) == "2026-11-30"
    assert period_label(monday, SalesInterval.WEEK) == "2026-W49"
    assert period_label(monday, SalesInterval.MONTH) == "2026-11"
    late = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp() * 1000)
    assert period_label(late, SalesInterval.WEEK) == "2026-W53"  # ISO week-based year


def bucket(period: datetime, units: int, orders: int, cents: int, **key: Any) -> dict[str, Any]:
    return {
        "key": {"period": int(period.timestamp() * 1000), "currency": "EUR", **key},
        "doc_count": 1,
        "units": {"value": float(units)},
        "orders": {"value": float(orders)},
        "revenue": {"value": float(cents)},
    }


def response(buckets: list[dict[str, Any]]) -> dict[str, Any]:
    totals = {
        "units": {"value": 7.0},
        "orders": {"value": 3.0},
        "by": {
            "buckets": [
                {"key": "EUR", "revenue": {"value": 12345.0}},
                {"key": "PLN", "revenue": {"value": 10.0}},
            ]
        },
    }
    return {
        "aggregations": {
            "rows": {"sales": {"chosen": {"rows": {"buckets": buckets}}}},
            "totals": {"sales": {"chosen": totals}},
        }
    }


def test_the_report_reads_rows_and_totals() -> None:
    found = report_from(
        response(
            [
                bucket(START, 2, 1, 7980, product="KTL-1", category="kitchen", country="PL"),
                bucket(START, 5, 2, 4565, product="MUG-1", category=None, country="DE"),
            ]
        ),
        request(SalesGroup.PRODUCT, SalesGroup.COUNTRY),
    )
    assert found.rows == [
        SalesRow("2026-11-01", "KTL-1", "kitchen", "PL", 2, 1, Decimal("79.80"), "EUR"),
        SalesRow("2026-11-01", "MUG-1", None, "DE", 5, 2, Decimal("45.65"), "EUR"),
    ]
    assert found.totals == [(Decimal("123.45"), "EUR"), (Decimal("0.10"), "PLN")]
    assert (found.units, found.orders) == (7, 3)


def test_rows_without_groups_name_only_their_period() -> None:
    found = report_from(response([bucket(START, 1, 1, 100)]), request(interval=SalesInterval.MONTH))
    assert found.rows == [SalesRow("2026-11", None, None, None, 1, 1, Decimal("1.00"), "EUR")]


def test_more_rows_than_allowed_is_a_bad_request() -> None:
    too_many = [bucket(START, 1, 1, 1, country=f"C{n}") for n in range(MAX_ROWS + 1)]
    with pytest.raises(InvalidQuery, match=f"more than {MAX_ROWS} rows"):
        report_from(response(too_many), request(SalesGroup.COUNTRY))
