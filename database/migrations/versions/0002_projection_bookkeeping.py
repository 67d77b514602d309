"""Projection bookkeeping: leadership leases and claims, dead-lettered documents.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "projection_leases",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=True),
        sa.Column("expires_at", TIMESTAMP, nullable=True),
        sa.Column("claimant", sa.String(200), nullable=True),
        sa.Column("claim_expires_at", TIMESTAMP, nullable=True),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("projection", sa.String(100), nullable=False),
        sa.Column("index_name", sa.String(255), nullable=False),
        sa.Column("order_id", sa.String(36), nullable=False),
        sa.Column("txid", sa.BigInteger, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_index(
        "ix_dead_letters_index_order", "dead_letters", ["index_name", "order_id"], unique=True
    )


def downgrade() -> None:
    op.drop_table("dead_letters")
    op.drop_table("projection_leases")
