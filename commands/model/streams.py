"""The event streams, one per aggregate type: the `stream_type` of every event it appends."""

from __future__ import annotations

CUSTOMER = "customer"
PRODUCT = "product"
ORDER = "order"
