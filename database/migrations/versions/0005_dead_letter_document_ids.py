"""Dead letters name any view's document: `dead_letters.order_id` grows from 36 to 100
characters, for a sales bucket's id (a day, a bar and a product id: 47 characters).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dead_letters") as table:
        table.alter_column("order_id", type_=sa.String(100), existing_type=sa.String(36))


def downgrade() -> None:
    with op.batch_alter_table("dead_letters") as table:
        table.alter_column("order_id", type_=sa.String(36), existing_type=sa.String(100))
