"""The sales view's query: `salesReport`, staff only, answered from the sales index alone
(queries/sales_report.py says what each number counts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from queries.sales_report import SalesGroup, SalesInterval, SalesRequest
from queries.sales_report import SalesReport as Report
from queries.sales_report import SalesRow as Row
from schema.context import Info
from schema.errors import bad_user_input, consistency_timeout
from schema.money import Money
from schema.queries import Consistency

# The read side's enums are the GraphQL types themselves (registered in place).
strawberry.enum(SalesInterval, name="SalesInterval")
strawberry.enum(SalesGroup, name="SalesGroup")


@strawberry.type(description="One period's sales, per group asked for and per currency.")
class SalesRow:
    period: str = strawberry.field(
        description='The period: "2026-12-01" (DAY), "2026-W49" (ISO WEEK) or "2026-12".'
    )
    product: str | None = strawberry.field(description="The SKU, when grouped by PRODUCT.")
    category: str | None = strawberry.field(
        description="The product's current category, when grouped by PRODUCT or CATEGORY."
    )
    country: str | None = strawberry.field(description="Shipped to, when grouped by COUNTRY.")
    units: int
    orders: int = strawberry.field(
        description=(
            "Orders not cancelled: distinct, except in rows grouped by CATEGORY without "
            "PRODUCT, which count an order once per product of that category it holds."
        )
    )
    revenue: Money

    @classmethod
    def from_row(cls, row: Row) -> SalesRow:
        return cls(
            period=row.period,
            product=row.product,
            category=row.category,
            country=row.country,
            units=row.units,
            orders=row.orders,
            revenue=Money(amount=row.revenue, currency=row.currency),
        )


@strawberry.type(description="Sales of [from, to) by period; totals count each order once.")
class SalesReport:
    rows: list[SalesRow]
    totals: list[Money] = strawberry.field(description="Revenue per currency.")
    units: int
    orders: int

    @classmethod
    def from_report(cls, report: Report) -> SalesReport:
        return cls(
            rows=[SalesRow.from_row(row) for row in report.rows],
            totals=[Money(amount=amount, currency=currency) for amount, currency in report.totals],
            units=report.units,
            orders=report.orders,
        )


@strawberry.type
class SalesQuery:
    @strawberry.field(
        description=(
            "Units, orders and revenue of the orders placed in [from, to) (whole UTC days) "
            "and not cancelled, by DAY, WEEK or MONTH, per product, category and country "
            "if asked; staff only."
        )
    )
    async def sales_report(
        self,
        info: Info,
        start: Annotated[datetime, strawberry.argument(name="from")],
        end: Annotated[datetime, strawberry.argument(name="to")],
        interval: SalesInterval | None = SalesInterval.DAY,
        group_by: list[SalesGroup] | None = [],  # noqa: B006 - the contract's default, never mutated
        currency: str | None = None,
        consistency: Consistency = None,
    ) -> SalesReport:
        request = SalesRequest(
            start=start,
            end=end,
            interval=interval or SalesInterval.DAY,
            group_by=tuple(group_by or ()),
            currency=currency,
        )
        wait = None if consistency is None else (consistency.at_least, consistency.timeout())
        with bad_user_input(), consistency_timeout():
            report = await info.context.api.sales.report(request, info.context.actor(), wait)
        return SalesReport.from_report(report)
