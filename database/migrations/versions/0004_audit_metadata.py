"""Audit metadata on events; idempotency keys scoped to the principal that sent them.

`events.metadata` holds who acted and the request id ({"actor": {"sub", "role"},
"requestId"}); rows written before this revision keep null. Idempotency keys are stored
as "<sub>:<key>" so one caller's key never answers or blocks another's: the column grows
to hold a 200-character subject, a colon and a 200-character key.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as table:
        table.add_column(sa.Column("metadata", sa.JSON(), nullable=True))
    with op.batch_alter_table("idempotency_keys") as table:
        table.alter_column("key", type_=sa.String(401), existing_type=sa.String(200))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as table:
        table.alter_column("key", type_=sa.String(200), existing_type=sa.String(401))
    with op.batch_alter_table("events") as table:
        table.drop_column("metadata")
