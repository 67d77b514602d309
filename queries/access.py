"""What a principal may read: staff every order, a customer their own orders, anonymous none.
The same holds for the other views by the field naming the customer (the customer view:
their own document).

The restriction is added to the engine request itself, so hits, `totalCount`, facets and
suggestions all count only what the principal may see; it never comes from a client filter.
"""

from __future__ import annotations

from typing import Any

from identity import Principal


def restricted(
    body: dict[str, Any], actor: Principal, owner_field: str = "customer.id"
) -> dict[str, Any]:
    """`body` limited to the actor's documents: those whose `owner_field` is the actor's
    customer id (`NotSignedIn` for anonymous callers)."""
    actor.signed_in()
    if actor.is_staff:
        return body
    query = body.get("query", {"match_all": {}})
    # A filter clause: scores (and so the order of hits) are those of the original query.
    own = {"term": {owner_field: actor.customer_id}}
    scoped = {"bool": {"filter": [own], "must": [query]}}
    return {**body, "query": scoped}


def may_read(actor: Principal, document: dict[str, Any]) -> bool:
    """Whether the actor may see this order document (`NotSignedIn` for anonymous callers)."""
    customer = document.get("customer") or {}
    return actor.signed_in().owns(customer.get("id"))
