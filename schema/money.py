"""`Money`: an amount in one currency, as the read models show sums (revenue, lifetime
value)."""

from __future__ import annotations

from decimal import Decimal

import strawberry


@strawberry.type(description="An amount of money in one currency (ISO 4217).")
class Money:
    amount: Decimal
    currency: str
