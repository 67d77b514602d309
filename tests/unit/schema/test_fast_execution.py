"""The fast path for plain objects (schema/execution.py) answers exactly what graphql-core
answers: the same data and the same errors, for every shape a client can ask for."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema import execution
from schema.execution import FastExecutionContext, plain_fields
from schema.scalars import SCALARS


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Price:
    amount: Decimal
    currency: str


@strawberry.type
class Item:
    sku: str
    colour: Colour
    price: Price
    tags: list[str]
    note: str | None
    prices: list[Price]
    maybe_tags: list[str | None] | None


@strawberry.type
class Computed:
    sku: str

    @strawberry.field
    def shout(self) -> str:
        return self.sku.upper()


def item(sku: str = "MUG-1", **changes: Any) -> Item:
    values: dict[str, Any] = {
        "sku": sku,
        "colour": Colour.RED,
        "price": Price(amount=Decimal("12.50"), currency="EUR"),
        "tags": ["kitchen", "blue"],
        "note": None,
        "prices": [Price(amount=Decimal("1.00"), currency="PLN")],
        "maybe_tags": ["a", None],
    }
    values.update(changes)
    return Item(**values)


ITEMS: list[Item] = []


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS

    @strawberry.field
    def computed(self) -> list[Computed]:
        return [Computed(sku="a-1"), Computed(sku="b-2")]


def schema(fast: bool) -> strawberry.Schema:
    context = FastExecutionContext if fast else StrawberryGraphQLCoreExecutionContext
    return strawberry.Schema(
        query=Query,
        config=StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=context,
    )


FAST, STOCK = schema(True), schema(False)

QUERIES = [
    "{ items { sku colour price { amount currency } tags note prices { amount } maybeTags } }",
    "{ items { a: sku b: sku price { c: currency __typename } __typename } }",
    "{ items { ...F price { ... on Price { amount } } } } fragment F on Item { sku tags }",
    "query($s: Boolean!) { items { sku @skip(if: $s) note @include(if: $s) colour } }",
    "{ computed { sku shout } }",
]


async def both(query: str, items: list[Item]) -> tuple[Any, Any]:
    ITEMS[:] = items
    answers = []
    for built in (FAST, STOCK):
        result = await built.execute(query, variable_values={"s": True})
        errors = [(e.message, e.path) for e in result.errors or []]
        answers.append((result.data, errors))
    return answers[0], answers[1]


@pytest.mark.anyio
@pytest.mark.parametrize("query", QUERIES)
async def test_plain_objects_answer_as_graphql_core_does(query: str) -> None:
    fast, stock = await both(query, [item("MUG-1"), item("CUP-2", note="fragile")])
    assert fast == stock
    assert fast[0] is not None and not fast[1]


@pytest.mark.anyio
@pytest.mark.parametrize(
    "broken",
    [
        {"sku": None},  # a null where the schema says non-null
        {"price": None},
        {"tags": ["ok", None]},  # a null item in a list of non-null
        {"price": Price(amount="not a number", currency="EUR")},  # type: ignore[arg-type]
        {"colour": "green"},  # no such enum value
    ],
)
async def test_a_value_the_fast_path_cannot_take_gets_graphql_cores_answer(
    broken: dict[str, Any],
) -> None:
    query = QUERIES[0]
    fast, stock = await both(query, [item("MUG-1"), item(**{"sku": "CUP-2", **broken})])
    assert fast == stock
    assert fast[1], "the broken value is reported as an error"


def graphql_type(built: strawberry.Schema, name: str) -> GraphQLObjectType:
    found = built._schema.type_map[name]
    assert isinstance(found, GraphQLObjectType)
    return found


def test_only_types_of_plain_attributes_take_the_fast_path() -> None:
    assert plain_fields(graphql_type(FAST, "Item")) is not None
    assert plain_fields(graphql_type(FAST, "Price")) is not None
    assert plain_fields(graphql_type(FAST, "Computed")) is None  # a resolver
    assert plain_fields(graphql_type(FAST, "Query")) is None


@pytest.mark.anyio
async def test_the_fast_path_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[str] = []
    original = FastExecutionContext._plain_object

    def spy(self: FastExecutionContext, object_type: Any, *args: Any) -> Any:
        taken.append(object_type.name)
        return original(self, object_type, *args)

    monkeypatch.setattr(execution.FastExecutionContext, "_plain_object", spy)
    ITEMS[:] = [item()]
    result = await FAST.execute(QUERIES[0])
    assert not result.errors
    assert "Item" in taken and "Price" in taken
