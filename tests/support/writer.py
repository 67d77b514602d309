"""A GraphQL client for e2e stories over views: writes through mutations, keeps the last
write's position token so reads can ask for consistency with it."""

from __future__ import annotations

from typing import Any

import httpx

# The fields a write payload answers with; `%s` in a mutation template takes them.
WRITE = "{id} version position userErrors {{ code field message }}"


class Writer:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.token = ""  # the position of the last write

    def post(
        self, query: str, variables: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Any:
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    def write(self, template: str, id_field: str, **fields: Any) -> str:
        """Run a mutation (`template` with `%s` for the payload) and return the new id."""
        body = self.post(template % WRITE.format(id=id_field), {"input": fields})
        assert "errors" not in body, body
        (payload,) = body["data"].values()
        assert payload["userErrors"] == [], payload
        self.token = payload["position"]
        return str(payload[id_field])


def address(country: str) -> dict[str, str]:
    """A shipping address in `country`."""
    return {
        "name": "A",
        "line1": "1 Road",
        "city": "Town",
        "postalCode": "1000",
        "country": country,
    }
