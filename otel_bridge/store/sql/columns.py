"""Named positions of the columns in rows, derived from ``schema.py``.

Rows travel as plain tuples (cheap to build, to pickle and to bind), in the column order of their
table or of a fixed selection of columns; code reads them as ``row[OBS.trace_id]``, never by number.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from otel_bridge.store.sql.schema import contents, observations, sessions, traces


class Positions:
    """The position of each column of a row, as an attribute named after the column."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        for position, name in enumerate(self.names):
            setattr(self, name, position)

    @classmethod
    def of(cls, table: sa.Table) -> Positions:
        """The positions of a whole row of ``table``."""
        return cls(table.columns.keys())

    def __getattr__(self, name: str) -> int:
        # Only reached for a name that is no column; declared so that positions type as int.
        raise AttributeError(f"no column {name!r} among {self.names}")

    def __len__(self) -> int:
        return len(self.names)


OBS = Positions.of(observations)
TRACES = Positions.of(traces)
SESSIONS = Positions.of(sessions)
CONTENTS = Positions.of(contents)

#: A trace's state: its ``traces`` row without the insertion time, as resolved from its spans.
TRACE_STATE = Positions([name for name in TRACES.names if name != "updated_ns"])

#: The ``observations`` columns a span's ``SpanFacts`` are read from (``rows.facts_from_row``): its
#: claims up to ``input_tokens``, then what its aggregates need.
FACTS = Positions(
    (
        "trace_id",
        "id",
        "name",
        "input_hash",
        "output_hash",
        "start_ns",
        "end_ns",
        "claim_root",
        "claim_name",
        "claim_session_id",
        "claim_user_id",
        "claim_tags",
        "claim_release",
        "claim_version",
        "claim_environment",
        "claim_public",
        "claim_metadata",
        "claim_explicit_name",
        "claim_explicit_input_hash",
        "claim_explicit_output_hash",
        "claim_input_hash",
        "claim_output_hash",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "cost_input_nanos",
        "cost_output_nanos",
        "cost_total_nanos",
        "level",
    )
)
#: Where each of ``FACTS`` is in a whole ``observations`` row.
FACT_POSITIONS = tuple(getattr(OBS, name) for name in FACTS.names)

__all__ = ["CONTENTS", "FACTS", "FACT_POSITIONS", "OBS", "SESSIONS", "TRACES", "TRACE_STATE", "Positions"]
