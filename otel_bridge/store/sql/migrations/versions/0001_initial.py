"""The initial schema: projects, contents, observations, traces, sessions.

Revision ID: 0001
Revises:
Create Date: 2025-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("public_key", sa.String(128), nullable=False),
        sa.Column("secret_lookup", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.Text, nullable=False),
        sa.Column("created_ns", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_projects"),
        sa.UniqueConstraint("public_key", name="uq_projects_public_key"),
        sa.UniqueConstraint("secret_lookup", name="uq_projects_secret_lookup"),
    )
    op.create_table(
        "contents",
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(32), nullable=False),
        sa.Column("format", sa.String(32)),
        sa.Column("body", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("project_id", "hash", name="pk_contents"),
    )
    op.create_table(
        "observations",
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("parent_id", sa.String(16)),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("start_ns", sa.BigInteger, nullable=False),
        sa.Column("end_ns", sa.BigInteger, nullable=False),
        sa.Column("completion_start_ns", sa.BigInteger),
        sa.Column("model", sa.Text),
        sa.Column("model_parameters", sa.Text),
        sa.Column("input_hash", sa.String(32)),
        sa.Column("output_hash", sa.String(32)),
        sa.Column("metadata", sa.Text),
        sa.Column("resource_hash", sa.String(32)),
        sa.Column("input_tokens", sa.BigInteger, nullable=False),
        sa.Column("output_tokens", sa.BigInteger, nullable=False),
        sa.Column("total_tokens", sa.BigInteger, nullable=False),
        sa.Column("cached_tokens", sa.BigInteger, nullable=False),
        sa.Column("reasoning_tokens", sa.BigInteger, nullable=False),
        sa.Column("usage_details", sa.Text),
        sa.Column("cost_input_nanos", sa.BigInteger),
        sa.Column("cost_output_nanos", sa.BigInteger),
        sa.Column("cost_total_nanos", sa.BigInteger),
        sa.Column("cost_computed", sa.Boolean),
        sa.Column("price_date", sa.String(32)),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("status_message", sa.Text),
        sa.Column("version", sa.Text),
        sa.Column("environment", sa.String(64), nullable=False),
        sa.Column("prompt_name", sa.Text),
        sa.Column("prompt_version", sa.Integer),
        sa.Column("claim_root", sa.Boolean, nullable=False),
        sa.Column("claim_name", sa.Text),
        sa.Column("claim_session_id", sa.Text),
        sa.Column("claim_user_id", sa.Text),
        sa.Column("claim_tags", sa.Text),
        sa.Column("claim_release", sa.Text),
        sa.Column("claim_version", sa.Text),
        sa.Column("claim_environment", sa.String(64)),
        sa.Column("claim_public", sa.Boolean),
        sa.Column("claim_metadata", sa.Text),
        sa.Column("claim_explicit_name", sa.Text),
        sa.Column("claim_explicit_input_hash", sa.String(32)),
        sa.Column("claim_explicit_output_hash", sa.String(32)),
        sa.Column("claim_input_hash", sa.String(32)),
        sa.Column("claim_output_hash", sa.String(32)),
        sa.PrimaryKeyConstraint("project_id", "trace_id", "id", name="pk_observations"),
    )
    op.create_index("ix_observations_project_id_id", "observations", ["project_id", "id"])
    op.create_index("ix_observations_project_id_start_ns", "observations", ["project_id", "start_ns"])
    op.create_table(
        "traces",
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("timestamp_ns", sa.BigInteger, nullable=False),
        sa.Column("end_ns", sa.BigInteger, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("root_observation_id", sa.String(16), nullable=False),
        sa.Column("session_id", sa.Text),
        sa.Column("user_id", sa.Text),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("release", sa.Text),
        sa.Column("version", sa.Text),
        sa.Column("environment", sa.String(64), nullable=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("input_hash", sa.String(32)),
        sa.Column("output_hash", sa.String(32)),
        sa.Column("metadata", sa.Text, nullable=False),
        sa.Column("observation_count", sa.Integer, nullable=False),
        sa.Column("input_tokens", sa.BigInteger, nullable=False),
        sa.Column("output_tokens", sa.BigInteger, nullable=False),
        sa.Column("total_tokens", sa.BigInteger, nullable=False),
        sa.Column("total_cost_nanos", sa.BigInteger),
        sa.Column("error_count", sa.Integer, nullable=False),
        sa.Column("updated_ns", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("project_id", "id", name="pk_traces"),
    )
    op.create_index(
        "ix_traces_project_id_session_id_timestamp_ns", "traces", ["project_id", "session_id", "timestamp_ns"]
    )
    op.create_index("ix_traces_project_id_timestamp_ns", "traces", ["project_id", "timestamp_ns"])
    op.create_table(
        "sessions",
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("first_activity_ns", sa.BigInteger, nullable=False),
        sa.Column("last_activity_ns", sa.BigInteger, nullable=False),
        sa.Column("duration_ns", sa.BigInteger, nullable=False),
        sa.Column("trace_count", sa.Integer, nullable=False),
        sa.Column("observation_count", sa.Integer, nullable=False),
        sa.Column("user_ids", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("environments", sa.Text, nullable=False),
        sa.Column("input_tokens", sa.BigInteger, nullable=False),
        sa.Column("output_tokens", sa.BigInteger, nullable=False),
        sa.Column("total_tokens", sa.BigInteger, nullable=False),
        sa.Column("total_cost_nanos", sa.BigInteger, nullable=False),
        sa.Column("error_count", sa.Integer, nullable=False),
        sa.Column("updated_ns", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("project_id", "id", name="pk_sessions"),
    )
    op.create_index(
        "ix_sessions_project_id_last_activity_ns_id", "sessions", ["project_id", "last_activity_ns", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_sessions_project_id_last_activity_ns_id", table_name="sessions")
    op.drop_table("sessions")
    op.drop_index("ix_traces_project_id_timestamp_ns", table_name="traces")
    op.drop_index("ix_traces_project_id_session_id_timestamp_ns", table_name="traces")
    op.drop_table("traces")
    op.drop_index("ix_observations_project_id_start_ns", table_name="observations")
    op.drop_index("ix_observations_project_id_id", table_name="observations")
    op.drop_table("observations")
    op.drop_table("contents")
    op.drop_table("projects")
