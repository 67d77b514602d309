"""`orders.placed_at` gets an index: the sales view re-reads the orders of the days a
batch touches (projections/sales.py), a range scan with it instead of a scan of `orders`.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_placed_at", "orders", ["placed_at"])


def downgrade() -> None:
    op.drop_index("ix_orders_placed_at", table_name="orders")
