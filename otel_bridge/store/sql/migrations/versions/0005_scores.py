"""Scores: Langfuse's evaluations and user feedback on traces, observations, sessions and dataset
runs, one row per score (``schema.scores``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_scores_project_id_trace_id", ["project_id", "trace_id"]),
    ("ix_scores_project_id_session_id", ["project_id", "session_id"]),
    ("ix_scores_project_id_timestamp_ns", ["project_id", "timestamp_ns"]),
)


def upgrade() -> None:
    op.create_table(
        "scores",
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("data_type", sa.String(16), nullable=False),
        sa.Column("value", sa.Double, nullable=False),
        sa.Column("string_value", sa.Text),
        sa.Column("trace_id", sa.Text),
        sa.Column("observation_id", sa.Text),
        sa.Column("session_id", sa.Text),
        sa.Column("dataset_run_id", sa.Text),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("timestamp_ns", sa.BigInteger, nullable=False),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
        sa.Column("updated_ns", sa.BigInteger, nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("metadata", sa.Text),
        sa.Column("config_id", sa.Text),
        sa.Column("queue_id", sa.Text),
        sa.Column("environment", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "id", name="pk_scores"),
    )
    for name, columns in INDEXES:
        op.create_index(name, "scores", columns)


def downgrade() -> None:
    for name, _columns in INDEXES:
        op.drop_index(name, table_name="scores")
    op.drop_table("scores")
