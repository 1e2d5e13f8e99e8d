"""Bookmarks: the sessions a project's people starred in the UI.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bookmarks",
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("session_id", sa.Text, nullable=False),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("project_id", "session_id", name="pk_bookmarks"),
    )


def downgrade() -> None:
    op.drop_table("bookmarks")
