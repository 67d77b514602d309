"""`salesReport` through the real schema and the real SalesQueries, over a fake search
client: arguments to the request, the report to the contract's types, and who may ask."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from identity import ANONYMOUS, Principal
from queries.sales import SalesQueries
from queries.sales_report import SalesGroup, SalesInterval, SalesRequest
from schema.build import build_schema
from schema.context import Context
from tests.support.actors import STAFF
from tests.unit.schema.schema_fakes import FakeServices

pytestmark = pytest.mark.anyio

REPORT = """
query Report($from: DateTime!, $to: DateTime!, $groupBy: [SalesGroup!], $currency: String) {
  salesReport(from: $from, to: $to, interval: WEEK, groupBy: $groupBy, currency: $currency) {
    rows { period product category country units orders revenue { amount currency } }
    totals { amount currency } units orders
  }
}
"""
DEFAULTS = """
{ salesReport(from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z") { units } }
"""
WEEK_49 = int(datetime(2026, 11, 30, tzinfo=UTC).timestamp() * 1000)
ANSWER = {
    "aggregations": {
        "rows": {
            "sales": {
                "chosen": {
                    "rows": {
                        "buckets": [
                            {
                                "key": {
                                    "period": WEEK_49,
                                    "product": "KTL-1",
                                    "category": "kitchen",
                                    "currency": "EUR",
                                },
                                "units": {"value": 3.0},
                                "orders": {"value": 2.0},
                                "revenue": {"value": 11970.0},
                            }
                        ]
                    }
                }
            }
        },
        "totals": {
            "sales": {
                "chosen": {
                    "units": {"value": 3.0},
                    "orders": {"value": 2.0},
                    "by": {"buckets": [{"key": "EUR", "revenue": {"value": 11970.0}}]},
                }
            }
        },
    }
}


@dataclass
class FakeSearch:
    bodies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append((index, body))
        return ANSWER


@dataclass
class SalesServices(FakeServices):
    search: FakeSearch = field(default_factory=FakeSearch)
    sales: SalesQueries = field(init=False)

    def __post_init__(self) -> None:
        self.sales = SalesQueries(self.search, "t-sales")  # type: ignore[arg-type]


async def run(
    query: str, principal: Principal = STAFF, **variables: Any
) -> tuple[SalesServices, Any, list[Any]]:
    """Executes `query` as `principal`; the variables `from`/`to` as keywords."""
    services = SalesServices()
    context = Context(api=services, request=None, principal=principal)  # type: ignore[arg-type]
    result = await build_schema(query_cache_size=0).execute(
        query, variable_values=variables, context_value=context
    )
    return services, result.data, [e.formatted for e in result.errors or []]


async def test_a_report_maps_to_the_contract() -> None:
    week: dict[str, Any] = {"from": "2026-11-30T00:00:00Z", "to": "2026-12-07T00:00:00Z"}
    services, data, errors = await run(REPORT, STAFF, **week, groupBy=["PRODUCT"])
    assert errors == []
    assert data == {
        "salesReport": {
            "rows": [
                {
                    "period": "2026-W49",
                    "product": "KTL-1",
                    "category": "kitchen",
                    "country": None,
                    "units": 3,
                    "orders": 2,
                    "revenue": {"amount": "119.70", "currency": "EUR"},
                }
            ],
            "totals": [{"amount": "119.70", "currency": "EUR"}],
            "units": 3,
            "orders": 2,
        }
    }
    ((index, body),) = services.search.bodies
    assert index == "t-sales"
    assert body["query"]["bool"]["filter"][0]["range"]["day"] == {
        "gte": "2026-11-30",
        "lt": "2026-12-07",
    }


async def test_the_defaults_are_days_and_no_groups() -> None:
    services, data, errors = await run(DEFAULTS)
    assert errors == [] and data == {"salesReport": {"units": 3}}
    ((_, body),) = services.search.bodies
    composite = body["aggs"]["rows"]["aggs"]["sales"]["aggs"]["chosen"]["aggs"]["rows"]
    assert [name for s in composite["composite"]["sources"] for name in s] == [
        "period",
        "currency",
    ]


def test_the_request_type_takes_the_enums_as_they_are() -> None:
    request = SalesRequest(
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 12, 1, tzinfo=UTC),
        SalesInterval.MONTH,
        (SalesGroup.CATEGORY,),
    )
    assert request.interval.value == "MONTH" and request.group_by[0].value == "CATEGORY"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"from": "2026-12-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "after `from`"),
        ({"from": "2026-11-01T10:00:00Z", "to": "2026-12-01T00:00:00Z"}, "UTC midnight"),
        (
            {"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z", "currency": "x"},
            "ISO 4217",
        ),
    ],
)
async def test_bad_input_is_bad_user_input_and_reaches_no_engine(
    variables: dict[str, Any], message: str
) -> None:
    services, data, errors = await run(REPORT, **variables)
    assert data is None and services.search.bodies == []
    (error,) = errors
    assert error["extensions"] == {"code": "BAD_USER_INPUT"} and message in error["message"]


async def test_only_staff_read_sales() -> None:
    customer = Principal.customer("customer-c1", "c1")
    services, data, errors = await run(DEFAULTS, customer)
    assert data is None and services.search.bodies == []
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    services, data, errors = await run(DEFAULTS, ANONYMOUS)
    assert data is None and services.search.bodies == []
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]
