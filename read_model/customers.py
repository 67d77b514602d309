"""The customer view (alias `<prefix>-customers`): one document per customer, built from
the write tables by projections/customers.py and read back by queries/customers.py.

Field names are the contract's; timestamps are UTC ISO 8601 strings with a `Z`, money
decimal strings with two places. The analysis of the searchable fields is the order
view's (read_model/mapping.py): `name` folded, with `.prefix`, `.spelled` and `.key`
(the folded whole name, the NAME sort); `email` whole, by prefix, by parts and exactly by
local part or domain; `id` exact and by prefix.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from read_model import mapping
from read_model.document import Stamp
from read_model.views import View

# 1: the first mapping
MAPPING_VERSION = 1


class StatusCount(TypedDict):
    status: str  # an order_status.OrderStatus value
    count: int


class MoneyPart(TypedDict):
    currency: str
    amount: str


class CustomerDocument(TypedDict):
    id: str
    name: str
    email: str
    registeredAt: str | None
    version: int
    orderCount: int  # every order, cancelled ones included
    ordersByStatus: list[StatusCount]  # statuses with orders, in the enum's order
    lifetimeValue: list[MoneyPart]  # per currency, orders not cancelled, by currency code
    # LIFETIME_VALUE sorts by the lifetime value in the customer's main currency: the one
    # of most of their orders not cancelled (ties: the larger value, then the code);
    # "0.00" and no currency without such orders.
    mainCurrency: str | None
    mainValue: str
    firstOrderAt: str | None
    lastOrderAt: str | None
    countries: list[str]  # where their orders ship to, ISO codes, sorted
    projectedAt: NotRequired[Stamp]  # set by the projector as it writes


_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date"}
_INT = {"type": "integer"}
_LONG = {"type": "long"}
_MONEY = {"type": "scaled_float", "scaling_factor": 100}


def _properties() -> dict[str, Any]:
    return {
        "id": mapping.ident_field(normalizer=None),  # exact GET, tiebreaker, prefixes
        "name": mapping.text_field(key=True, spelled=True),
        "email": mapping.email_field(),
        "registeredAt": _DATE,
        "version": _INT,
        "orderCount": _INT,
        "ordersByStatus": mapping.object_field(status=_KEYWORD, count=_INT),
        "lifetimeValue": mapping.object_field(currency=_KEYWORD, amount=_MONEY),
        "mainCurrency": _KEYWORD,
        # A double, not scaled_float: OpenSearch 3 skips documents when a small page
        # continues a scaled_float sort with search_after (seen: after 20.00 → 30.00, 90.00,
        # 40.00 missing); money of up to 14 digits sorts exactly as a double.
        "mainValue": {"type": "double"},
        "firstOrderAt": _DATE,
        "lastOrderAt": _DATE,
        "countries": {"type": "keyword", "normalizer": "upper"},
        "projectedAt": mapping.object_field(txid=_LONG, seq=_LONG),
    }


def index_body() -> dict[str, Any]:
    """Settings + strict mappings of a customer index (MAPPING_VERSION)."""
    return {
        "settings": {
            "number_of_shards": 1,  # exact relevance scores, as the order index
            "auto_expand_replicas": "0-1",
            "analysis": mapping.analysis(),
        },
        "mappings": {"dynamic": "strict", "properties": _properties()},
    }


CUSTOMERS = View("customers", MAPPING_VERSION, index_body, noun="customers")
