"""Bearer tokens for HTTP tests, signed with the suite's secret (tests/conftest.py)."""

from __future__ import annotations

import os
from datetime import timedelta

from identity import Principal
from identity.tokens import TokenIssuer

STAFF_PRINCIPAL = Principal.staff("test-staff")


def token_for(principal: Principal, ttl: timedelta = timedelta(hours=1)) -> str:
    return TokenIssuer("HS256", os.environ["AUTH_SECRET"]).issue(principal, ttl)


def bearer_headers(principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(principal)}"}


def customer(customer_id: str) -> Principal:
    return Principal.customer(f"customer-{customer_id}", customer_id)
