"""The forwarder's spool state: one ``forwarding`` row per trace written while forwarding is on
(``otel_bridge.store.sql.forwarding``).

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    trace_id = sa.String(32).with_variant(sa.Text(), "postgresql")
    op.create_table(
        "forwarding",
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("trace_id", trace_id, nullable=False),
        sa.Column("pending", sa.Boolean, nullable=False),
        sa.Column("changed_ns", sa.BigInteger, nullable=False),
        sa.Column("pending_since_ns", sa.BigInteger, nullable=False),
        sa.Column("next_attempt_ns", sa.BigInteger, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("failed", sa.Boolean, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("forwarded_ns", sa.BigInteger),
        sa.Column("forwarded_claims", sa.String(64)),
        sa.Column("forwarded_spans", sa.Text),
        sa.PrimaryKeyConstraint("project_id", "trace_id", name="pk_forwarding"),
    )
    op.create_index("ix_forwarding_pending_changed_ns", "forwarding", ["pending", "changed_ns"])
    op.create_index("ix_forwarding_forwarded_ns", "forwarding", ["forwarded_ns"])


def downgrade() -> None:
    op.drop_index("ix_forwarding_forwarded_ns", table_name="forwarding")
    op.drop_index("ix_forwarding_pending_changed_ns", table_name="forwarding")
    op.drop_table("forwarding")
