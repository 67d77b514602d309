"""The schema keeps every name and type of the GraphQL contract (docs/ARCHITECTURE.md §3)."""

from __future__ import annotations

import graphql
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLScalarType,
)

from schema.build import build_schema

# The contract frontends were promised, the inputs it describes, and later extensions:
# `orderSuggestions` and the `category` filter (the category facet's checkboxes); issue 11's
# sales report.
CONTRACT = """
scalar DateTime
scalar Decimal

enum OrderStatus { PLACED PAID SHIPPED DELIVERED CANCELLED }
enum ErrorCode { VALIDATION_FAILED NOT_FOUND CONFLICT INVALID_STATE FORBIDDEN DUPLICATE }

type UserError { code: ErrorCode!  message: String!  field: [String!] }

type Mutation {
  registerCustomer(input: RegisterCustomerInput!): CustomerPayload!
  updateCustomer(input: UpdateCustomerInput!): CustomerPayload!
  addProduct(input: AddProductInput!): ProductPayload!
  updateProduct(input: UpdateProductInput!): ProductPayload!
  placeOrder(input: PlaceOrderInput!): OrderPayload!
  updateShippingAddress(input: UpdateShippingAddressInput!): OrderPayload!
  payOrder(input: PayOrderInput!): OrderPayload!
  shipOrder(input: ShipOrderInput!): OrderPayload!
  deliverOrder(input: DeliverOrderInput!): OrderPayload!
  cancelOrder(input: CancelOrderInput!): OrderPayload!
}
type CustomerPayload { customerId: ID  version: Int  position: String  userErrors: [UserError!]! }
type ProductPayload   { productId: ID   version: Int  position: String  userErrors: [UserError!]! }
type OrderPayload     { orderId: ID     version: Int  position: String  userErrors: [UserError!]! }

input RegisterCustomerInput { name: String!  email: String! }
input UpdateCustomerInput { id: ID!  name: String  email: String  expectedVersion: Int }
input AddProductInput { sku: String!  name: String!  category: String  price: Decimal!
                        currency: String! }
input UpdateProductInput { id: ID!  name: String  category: String  price: Decimal
                           expectedVersion: Int }
input OrderLineInput { productId: ID!  quantity: Int! }
input AddressInput { name: String!  line1: String!  line2: String  city: String!
                     postalCode: String!  country: String! }
input PlaceOrderInput { customerId: ID!  lines: [OrderLineInput!]!
                        shippingAddress: AddressInput!  idempotencyKey: String }
input UpdateShippingAddressInput { orderId: ID!  address: AddressInput!  expectedVersion: Int }
input PayOrderInput { orderId: ID!  amount: Decimal!  expectedVersion: Int }
input ShipOrderInput { orderId: ID!  carrier: String!  trackingNumber: String!
                       expectedVersion: Int }
input DeliverOrderInput { orderId: ID!  expectedVersion: Int }
input CancelOrderInput { orderId: ID!  reason: String!  expectedVersion: Int }

type Query {
  order(id: ID!, consistency: ConsistencyInput): Order
  orders(search: String, filter: OrderFilter, sort: [OrderSort!], first: Int = 20,
         after: String, consistency: ConsistencyInput): OrderConnection!
  orderSuggestions(prefix: String!, first: Int = 10): [OrderSuggestion!]!
  customer(id: ID!, consistency: ConsistencyInput): CustomerSummary
  customers(search: String, filter: CustomerFilter, sort: [CustomerSort!], first: Int = 20,
            after: String, consistency: ConsistencyInput): CustomerConnection!
  salesReport(from: DateTime!, to: DateTime!, interval: SalesInterval = DAY,
              groupBy: [SalesGroup!] = [], currency: String,
              consistency: ConsistencyInput): SalesReport!
}
input ConsistencyInput { atLeast: String!, timeoutMs: Int = 2000 }
input OrderFilter { status: [OrderStatus!], customerId: ID, productId: ID, sku: String,
                    country: String, placedFrom: DateTime, placedTo: DateTime,
                    totalMin: Decimal, totalMax: Decimal, category: [String!] }
enum OrderSuggestionKind { CUSTOMER_NAME EMAIL PRODUCT_NAME SKU ORDER_ID }
type OrderSuggestion { kind: OrderSuggestionKind!  value: String!  orderCount: Int!  orderId: ID }
enum OrderSortField { RELEVANCE PLACED_AT UPDATED_AT TOTAL }
enum SortDirection { ASC DESC }
input OrderSort { field: OrderSortField!, direction: SortDirection = DESC }

type OrderConnection { edges: [OrderEdge!]!  pageInfo: PageInfo!  totalCount: Int!
                       facets: OrderFacets! }
type OrderEdge { cursor: String!  node: Order!  highlights: [Highlight!]! }
type PageInfo { hasNextPage: Boolean!  endCursor: String }
type Highlight { field: String!  fragments: [String!]! }
type FacetBucket { value: String!  count: Int! }
type OrderFacets { status: [FacetBucket!]!  country: [FacetBucket!]!  category: [FacetBucket!]!
                   placedMonth: [FacetBucket!]!  totalRange: [FacetBucket!]! }
type Order {
  id: ID!  status: OrderStatus!  version: Int!  placedAt: DateTime!  updatedAt: DateTime!
  customer: OrderCustomer!
  lines: [OrderLine!]!
  itemCount: Int!  total: Decimal!  currency: String!
  shippingAddress: Address!
  payment: Payment  shipment: Shipment  cancellation: Cancellation
}
type OrderCustomer { id: ID!  name: String!  email: String! }
type OrderLine { productId: ID!  sku: String!  productName: String!  category: String
                 quantity: Int!  unitPrice: Decimal!  lineTotal: Decimal! }
type Address { name: String!  line1: String!  line2: String  city: String!
               postalCode: String!  country: String! }
type Payment { amount: Decimal!  paidAt: DateTime! }
type Shipment { carrier: String!  trackingNumber: String!  shippedAt: DateTime!
                deliveredAt: DateTime }
type Cancellation { reason: String!  cancelledAt: DateTime! }

type CustomerSummary {
  id: ID!  name: String!  email: String!  registeredAt: DateTime!  version: Int!
  orderCount: Int!  ordersByStatus: [FacetBucket!]!  lifetimeValue: [Money!]!
  firstOrderAt: DateTime  lastOrderAt: DateTime  countries: [String!]!
}
type CustomerEdge { cursor: String!  node: CustomerSummary!  highlights: [Highlight!]! }
type CustomerConnection { edges: [CustomerEdge!]!  pageInfo: PageInfo!  totalCount: Int! }
input CustomerFilter { country: String, minOrders: Int, lastOrderFrom: DateTime,
                       lastOrderTo: DateTime }
enum CustomerSortField { LIFETIME_VALUE LAST_ORDER_AT ORDER_COUNT NAME }
input CustomerSort { field: CustomerSortField!, direction: SortDirection = DESC }

type Money { amount: Decimal!  currency: String! }
enum SalesInterval { DAY WEEK MONTH }
enum SalesGroup { PRODUCT CATEGORY COUNTRY }
type SalesRow { period: String!  product: String  category: String  country: String
                units: Int!  orders: Int!  revenue: Money! }
type SalesReport { rows: [SalesRow!]!  totals: [Money!]!  units: Int!  orders: Int! }
"""

EXPECTED = graphql.build_schema(CONTRACT)
ACTUAL = graphql.build_schema(str(build_schema(query_cache_size=0)))
NAMES = sorted(name for name in EXPECTED.type_map if not name.startswith("__"))


def _default(field: object) -> object:
    value = getattr(field, "default_value", graphql.Undefined)
    return None if value is graphql.Undefined else value


@pytest.mark.parametrize("name", NAMES)
def test_every_contract_type_is_in_the_schema(name: str) -> None:
    expected, actual = EXPECTED.type_map[name], ACTUAL.type_map.get(name)
    assert actual is not None, f"{name} is missing from the schema"
    assert type(actual) is type(expected)
    if isinstance(expected, GraphQLEnumType):
        assert isinstance(actual, GraphQLEnumType)
        assert set(actual.values) == set(expected.values)
    if isinstance(expected, GraphQLObjectType | GraphQLInputObjectType):
        assert isinstance(actual, GraphQLObjectType | GraphQLInputObjectType)
        for field_name, field in expected.fields.items():
            assert field_name in actual.fields, f"{name}.{field_name} is missing"
            assert str(actual.fields[field_name].type) == str(field.type), f"{name}.{field_name}"
            assert _default(actual.fields[field_name]) == _default(field), f"{name}.{field_name}"


@pytest.mark.parametrize("root", ["Query", "Mutation"])
def test_root_fields_take_the_contract_arguments(root: str) -> None:
    expected, actual = EXPECTED.type_map[root], ACTUAL.type_map[root]
    assert isinstance(expected, GraphQLObjectType)
    assert isinstance(actual, GraphQLObjectType)
    assert set(actual.fields) == set(expected.fields)
    for name, field in expected.fields.items():
        arguments = actual.fields[name].args
        assert set(arguments) == set(field.args), name
        for arg_name, arg in field.args.items():
            assert str(arguments[arg_name].type) == str(arg.type), f"{name}({arg_name})"
            assert _default(arguments[arg_name]) == _default(arg), f"{name}({arg_name})"


def test_scalars_are_the_contract_ones() -> None:
    for name in ("DateTime", "Decimal"):
        assert isinstance(ACTUAL.type_map[name], GraphQLScalarType)
