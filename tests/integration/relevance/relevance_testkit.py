"""What the relevance fixtures hand to the tests."""

from __future__ import annotations

from dataclasses import dataclass

from queries.handlers import OrderQueries
from read_model.document import OrderDocument


@dataclass
class Searchable:
    """The dataset's read path (a fresh index) and its oracle documents by order id."""

    queries: OrderQueries
    documents: dict[str, OrderDocument]
