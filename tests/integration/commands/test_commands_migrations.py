"""The Alembic migrations build exactly the schema `database.tables` describes."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from database.migrate import alembic_config, upgrade
from database.tables import metadata

pytestmark = pytest.mark.anyio


def differences(connection: Connection, target: MetaData) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, target))


async def test_the_migrated_schema_equals_the_table_metadata(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(differences, metadata) == []


async def test_the_comparison_notices_a_difference(engine: AsyncEngine) -> None:
    """Guards the test above against comparing nothing at all."""
    altered = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(altered)
    Table("extra", altered, Column("id", Integer, primary_key=True))
    altered.tables["customers"].append_column(Column("nickname", String(20)))
    async with engine.connect() as connection:
        found = await connection.run_sync(differences, altered)
    assert {diff[0] for diff in found if isinstance(diff, tuple)} == {"add_table", "add_column"}


async def test_indexes_and_unique_constraints_exist(engine: AsyncEngine) -> None:
    def describe(connection: Connection) -> dict[str, Any]:
        inspector = inspect(connection)
        return {
            "events": {
                i["name"]: (i["column_names"], bool(i["unique"]))
                for i in inspector.get_indexes("events")
            },
            "orders": [i["column_names"] for i in inspector.get_indexes("orders")],
            "order_lines": [i["column_names"] for i in inspector.get_indexes("order_lines")],
            "emails": [u["column_names"] for u in inspector.get_unique_constraints("customers")],
            "skus": [u["column_names"] for u in inspector.get_unique_constraints("products")],
        }

    async with engine.connect() as connection:
        schema = await connection.run_sync(describe)
    assert schema["events"] == {
        "ix_events_stream": (["stream_type", "stream_id", "stream_version"], True),
        "ix_events_txid_seq": (["txid", "seq"], False),
    }
    assert sorted(schema["orders"]) == [["customer_id"], ["placed_at"]]
    assert schema["order_lines"] == [["product_id"]]
    assert (schema["emails"], schema["skus"]) == ([["email"]], [["sku"]])


async def test_upgrade_again_is_a_no_op(database_url: str, engine: AsyncEngine) -> None:
    await upgrade(database_url)
    async with engine.connect() as connection:
        version = (
            await connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        ).all()
        assert version == [(ScriptDirectory.from_config(alembic_config()).get_current_head(),)]
        assert await connection.run_sync(differences, metadata) == []
