"""The GraphQL documents the benchmark sends, one text each (so the server's caches can hit).

A frontend sends fixed documents with variables; so does the load generator. The faceted
search document is answered by the service and by the SQL alternative alike.
"""

from __future__ import annotations

PLACE_ORDER = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { orderId version position userErrors { code field message } }
}
"""

ORDER_FIELDS = """
  id status version placedAt updatedAt
  customer { id name email }
  lines { productId sku productName category quantity unitPrice lineTotal }
  itemCount total currency
  shippingAddress { name line1 line2 city postalCode country }
  payment { amount paidAt }
  shipment { carrier trackingNumber shippedAt deliveredAt }
  cancellation { reason cancelledAt }
"""

ORDER_BY_ID = f"""
query Order($id: ID!) {{
  order(id: $id) {{ {ORDER_FIELDS} }}
}}
"""

# Text, a status filter, first: 20, every facet and highlights (benchmarks/README.md).
FACETED_SEARCH = """
query Search($search: String, $filter: OrderFilter, $first: Int) {
  orders(search: $search, filter: $filter, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node { id status placedAt total currency customer { name email }
             shippingAddress { city postalCode country } lines { sku productName quantity } }
      highlights { field fragments }
    }
    facets { status { value count } country { value count } category { value count }
             placedMonth { value count } totalRange { value count } }
  }
}
"""

# Freshness: read-your-writes with the mutation's consistency token.
ORDER_AT = """
query OrderAt($id: ID!, $token: String!) {
  order(id: $id, consistency: {atLeast: $token, timeoutMs: 10000}) { id version }
}
"""

SEARCH_ID_AT = """
query SearchAt($search: String!, $token: String!) {
  orders(search: $search, first: 3, consistency: {atLeast: $token, timeoutMs: 10000}) {
    edges { node { id } }
  }
}
"""

# The views section (benchmarks/views.py): the sales report and a customer search.
SALES_REPORT = """
query Sales($from: DateTime!, $to: DateTime!, $interval: SalesInterval, $groupBy: [SalesGroup!]) {
  salesReport(from: $from, to: $to, interval: $interval, groupBy: $groupBy) {
    rows { period product category country units orders revenue { amount currency } }
    totals { amount currency } units orders
  }
}
"""

CUSTOMER_SEARCH = """
query Customers($search: String, $first: Int) {
  customers(search: $search, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node { id name email orderCount ordersByStatus { value count }
             lifetimeValue { amount currency } firstOrderAt lastOrderAt countries }
      highlights { field fragments }
    }
  }
}
"""
