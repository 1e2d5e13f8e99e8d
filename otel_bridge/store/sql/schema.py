"""The tables, as SQLAlchemy Core metadata: the one description the migrations are checked against.

Choices that hold for every table (the why; the modules beside this one have the how):

- Every row carries ``project_id`` and leads its keys with it, so every query is scoped by project
  and served by an index. There are no foreign keys: rows reference their project and content by
  key, and enforcing that on every span insert costs throughput for no ingest-time benefit.
- Times are integer nanoseconds since the epoch (``*_ns``). Translation rule 3 breaks ties by the
  span's exact end, which a microsecond timestamp would lose; integers also compare and index the
  same way on SQLite and PostgreSQL.
- Costs are integer nano-dollars: sums of integers do not depend on the order they are added in,
  so the stored aggregates are a function of the set of spans, as order-freedom demands.
- Large text (inputs, outputs, the resource part of observation metadata) lives once in
  ``contents``, addressed by its hash and referenced by ``*_hash`` columns: a chat history repeated
  by every turn, a root span's input that is also its trace's input, and the resource attributes
  every span of a service repeats are each stored once.
- JSON is compact text (``Text``), parsed in Python; small claims and aggregates only.
- The ``claim_*`` columns of ``observations`` persist what each span says about its trace, so that a
  trace can be resolved again from all its stored spans whenever one more arrives.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

PROJECT_ID = sa.String(64)
# OTLP ids are 32 and 16 hex digits; ids from Langfuse's ingestion API are the SDK's own (UUIDs, up to
# 800 characters), stored as given. SQLite does not enforce a length; on PostgreSQL the columns are
# text (migration 0002).
TRACE_ID = sa.String(32).with_variant(sa.Text(), "postgresql")
SPAN_ID = sa.String(16).with_variant(sa.Text(), "postgresql")
#: A content hash: SHA-256 cut to 128 bits, hex (``content.py``).
CONTENT_HASH = sa.String(32)

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", PROJECT_ID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("public_key", sa.String(128), nullable=False, unique=True),
    # A fast, unsalted digest of the secret: the index that finds a project from a bearer secret.
    sa.Column("secret_lookup", sa.String(64), nullable=False, unique=True),
    # The salted, slow hash (scrypt) that verifies the secret; see otel_bridge.store.keys.
    sa.Column("secret_hash", sa.Text, nullable=False),
    sa.Column("created_ns", sa.BigInteger, nullable=False),
)

contents = sa.Table(
    "contents",
    metadata,
    sa.Column("project_id", PROJECT_ID, primary_key=True),
    sa.Column("hash", CONTENT_HASH, primary_key=True),
    # A ``Payload``'s format (its text is ``body``, as it arrived); null: ``body`` is JSON.
    sa.Column("format", sa.String(32)),
    sa.Column("body", sa.Text, nullable=False),
)

observations = sa.Table(
    "observations",
    metadata,
    sa.Column("project_id", PROJECT_ID, primary_key=True),
    sa.Column("trace_id", TRACE_ID, primary_key=True),
    sa.Column("id", SPAN_ID, primary_key=True),
    sa.Column("parent_id", SPAN_ID),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("start_ns", sa.BigInteger, nullable=False),
    sa.Column("end_ns", sa.BigInteger, nullable=False),
    sa.Column("completion_start_ns", sa.BigInteger),
    sa.Column("model", sa.Text),
    sa.Column("model_parameters", sa.Text),
    sa.Column("input_hash", CONTENT_HASH),
    sa.Column("output_hash", CONTENT_HASH),
    # The observation's metadata, inline: it holds what is particular to the span (unmapped
    # attributes, events), so it is rarely repeated and a content row would only cost a lookup.
    sa.Column("metadata", sa.Text),
    # metadata.resourceAttributes and metadata.scope, split off because every span of a service
    # repeats them: stored once per distinct value.
    sa.Column("resource_hash", CONTENT_HASH),
    sa.Column("input_tokens", sa.BigInteger, nullable=False),
    sa.Column("output_tokens", sa.BigInteger, nullable=False),
    sa.Column("total_tokens", sa.BigInteger, nullable=False),
    sa.Column("cached_tokens", sa.BigInteger, nullable=False),
    sa.Column("reasoning_tokens", sa.BigInteger, nullable=False),
    sa.Column("usage_details", sa.Text),
    # Null cost_computed: the observation has no cost at all (``Observation.cost is None``).
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
    # What the span claims about its trace (``TraceClaims``); start and end are the columns above.
    sa.Column("claim_root", sa.Boolean, nullable=False),
    # Null: the observation's own name (claim_input_hash and claim_output_hash likewise; see rows.py).
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
    sa.Column("claim_explicit_input_hash", CONTENT_HASH),
    sa.Column("claim_explicit_output_hash", CONTENT_HASH),
    sa.Column("claim_input_hash", CONTENT_HASH),
    sa.Column("claim_output_hash", CONTENT_HASH),
    # The key leads with the trace: get_trace reads one key range, and the spans of a batch land in
    # few index pages. SQLite keeps the rows themselves in a rowid table, appended in arrival order:
    # clustered on this key (WITHOUT ROWID), rows of ~1 KB overflow their pages and random trace ids
    # split pages half-empty, which made the table three times larger and slower to write.
)
# GET /observations/{id} knows only the span id.
sa.Index("ix_observations_project_id_id", observations.c.project_id, observations.c.id)
# Observation listings across traces, newest first.
sa.Index("ix_observations_project_id_start_ns", observations.c.project_id, observations.c.start_ns)

traces = sa.Table(
    "traces",
    metadata,
    sa.Column("project_id", PROJECT_ID, primary_key=True),
    sa.Column("id", TRACE_ID, primary_key=True),
    sa.Column("timestamp_ns", sa.BigInteger, nullable=False),
    sa.Column("end_ns", sa.BigInteger, nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("root_observation_id", SPAN_ID, nullable=False),
    sa.Column("session_id", sa.Text),
    sa.Column("user_id", sa.Text),
    sa.Column("tags", sa.Text, nullable=False),
    sa.Column("release", sa.Text),
    sa.Column("version", sa.Text),
    sa.Column("environment", sa.String(64), nullable=False),
    sa.Column("public", sa.Boolean, nullable=False),
    sa.Column("input_hash", CONTENT_HASH),
    sa.Column("output_hash", CONTENT_HASH),
    sa.Column("metadata", sa.Text, nullable=False),
    sa.Column("observation_count", sa.Integer, nullable=False),
    sa.Column("input_tokens", sa.BigInteger, nullable=False),
    sa.Column("output_tokens", sa.BigInteger, nullable=False),
    sa.Column("total_tokens", sa.BigInteger, nullable=False),
    # Null: no observation of the trace has a cost.
    sa.Column("total_cost_nanos", sa.BigInteger),
    sa.Column("error_count", sa.Integer, nullable=False),
    # Insertion time, not part of the order-free state.
    sa.Column("updated_ns", sa.BigInteger, nullable=False),
)
# get_session: a session's traces in timestamp order; session aggregation reads the same range.
sa.Index(
    "ix_traces_project_id_session_id_timestamp_ns",
    traces.c.project_id,
    traces.c.session_id,
    traces.c.timestamp_ns,
)
# list_traces, newest first.
sa.Index("ix_traces_project_id_timestamp_ns", traces.c.project_id, traces.c.timestamp_ns)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("project_id", PROJECT_ID, primary_key=True),
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("first_activity_ns", sa.BigInteger, nullable=False),
    sa.Column("last_activity_ns", sa.BigInteger, nullable=False),
    # Stored, not computed, so sorting by it needs no expression.
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
    # Insertion time, not part of the order-free state.
    sa.Column("updated_ns", sa.BigInteger, nullable=False),
)
# The sessions list's default order (ties by id): its first page is a range scan of this index.
sa.Index(
    "ix_sessions_project_id_last_activity_ns_id",
    sessions.c.project_id,
    sessions.c.last_activity_ns,
    sessions.c.id,
)

# The forwarder's spool state (``forwarding.py``, migration 0004): one row per trace written while
# forwarding is on. ``pending``: the trace changed since it was last delivered (written in the same
# transaction as its spans, so nothing acknowledged is missing from the backlog after a crash).
forwarding = sa.Table(
    "forwarding",
    metadata,
    sa.Column("project_id", PROJECT_ID, primary_key=True),
    sa.Column("trace_id", TRACE_ID, primary_key=True),
    sa.Column("pending", sa.Boolean, nullable=False),
    # The last write that changed the trace; a delivery settles the row only if it is still this.
    sa.Column("changed_ns", sa.BigInteger, nullable=False),
    # The first change not delivered yet: the timeout of a trace whose root never arrives runs from it.
    sa.Column("pending_since_ns", sa.BigInteger, nullable=False),
    sa.Column("next_attempt_ns", sa.BigInteger, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    # Refused for good by the target (a 4xx); a later change of the trace tries again once.
    sa.Column("failed", sa.Boolean, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("forwarded_ns", sa.BigInteger),
    # A digest of the trace-level values last delivered: when they change, every span is sent again.
    sa.Column("forwarded_claims", sa.String(64)),
    # The span ids delivered (JSON list): a late span alone is sent when the trace's values held.
    sa.Column("forwarded_spans", sa.Text),
)
# The backlog in change order: what is due next, its size and its oldest entry.
sa.Index("ix_forwarding_pending_changed_ns", forwarding.c.pending, forwarding.c.changed_ns)
# Pruning forwarded data oldest first (relay mode's retention).
sa.Index("ix_forwarding_forwarded_ns", forwarding.c.forwarded_ns)

# Scores (Langfuse's evaluations and feedback) on traces, observations, sessions and dataset runs.
# Written rarely and read by what they score, so plain rows: no content addressing, no aggregates.
# ``trace_id``/``session_id`` are not references that must exist: a score may precede its spans.
scores = sa.Table(
    "scores",
    metadata,
    sa.Column("project_id", PROJECT_ID, primary_key=True),
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("data_type", sa.String(16), nullable=False),
    sa.Column("value", sa.Double, nullable=False),
    # The category, or "True"/"False" of a boolean score; null for a numeric one.
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
    # Any JSON value, as text; null: none.
    sa.Column("metadata", sa.Text),
    sa.Column("config_id", sa.Text),
    sa.Column("queue_id", sa.Text),
    sa.Column("environment", sa.String(64), nullable=False),
)
# The scores of a trace (its page, its API detail) and of a session.
sa.Index("ix_scores_project_id_trace_id", scores.c.project_id, scores.c.trace_id)
sa.Index("ix_scores_project_id_session_id", scores.c.project_id, scores.c.session_id)
# The score listing, newest first.
sa.Index("ix_scores_project_id_timestamp_ns", scores.c.project_id, scores.c.timestamp_ns)

# A person's mark on a session (the UI's star). Keyed by session id, not tied to the sessions row:
# that row is recomputed on every write, and a session whose traces move away and come back keeps
# its bookmark.
bookmarks = sa.Table(
    "bookmarks",
    metadata,
    sa.Column("project_id", PROJECT_ID, primary_key=True),
    sa.Column("session_id", sa.Text, primary_key=True),
    sa.Column("created_ns", sa.BigInteger, nullable=False),
)

__all__ = [
    "bookmarks",
    "contents",
    "forwarding",
    "metadata",
    "observations",
    "projects",
    "scores",
    "sessions",
    "traces",
]
