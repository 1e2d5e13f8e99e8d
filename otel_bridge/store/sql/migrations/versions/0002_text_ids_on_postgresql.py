"""Trace and observation ids as text on PostgreSQL: Langfuse's ingestion API sends its SDK's ids
(UUIDs, up to 800 characters), which otel-bridge stores as given.

SQLite does not enforce ``VARCHAR`` lengths, so nothing changes there. On PostgreSQL,
``varchar(n)`` → ``text`` is binary-compatible: no table rewrite, no index rebuild. The downgrade
fails while ids longer than the old limits are stored (it cannot shorten them).

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column, old length, nullable)
COLUMNS = (
    ("observations", "trace_id", 32, False),
    ("observations", "id", 16, False),
    ("observations", "parent_id", 16, True),
    ("traces", "id", 32, False),
    ("traces", "root_observation_id", 16, False),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, length, nullable in COLUMNS:
        op.alter_column(
            table, column, type_=sa.Text(), existing_type=sa.String(length), existing_nullable=nullable
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, length, nullable in COLUMNS:
        op.alter_column(
            table, column, type_=sa.String(length), existing_type=sa.Text(), existing_nullable=nullable
        )
