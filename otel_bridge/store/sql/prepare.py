"""The SQL store's ``WritePreparer``: the part of a write that needs only the batch itself, so that it
can run in another process than the writer's (the writer holds the database's write lock, and
Python's GIL makes every other step of ingest wait on it).

``prepare`` does all of a write's per-span Python work: drops repeated spans (the last one received
wins, as across batches), encodes the ``observations`` rows and their contents, and resolves every
trace the batch touches from the batch's spans alone. The writer (``writes.py``) then only reads
what is stored of those traces, inserts, and resolves again only the traces that have spans stored
already (a trace resolved from a set of spans is a function of that set, so for a trace new to the
store the batch's resolution is the trace's).

A ``SqlPreparedWrite`` holds builtins only (dict, list, tuple, str, int, bytes, None) in a slotted
dataclass, so that pickling it to the writer costs a few microseconds a span (a ``Translation``
costs about 40).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from otel_bridge.store import TRACE_CLAIMS_ID, PreparedWrite
from otel_bridge.store.aggregates import SpanFacts
from otel_bridge.store.sql.columns import CONTENTS, OBS
from otel_bridge.store.sql.content import ContentSink
from otel_bridge.store.sql.dialects import ShapedRows, shape_rows
from otel_bridge.store.sql.rows import encode_span, trace_row
from otel_bridge.translate import Translation

_Groups = dict[tuple[int, ...], list[tuple[Any, ...]]]


@dataclass(frozen=True, slots=True)
class SqlPreparedWrite:
    """A write ready for ``SqlStore.write_prepared``; made by ``SqlWritePreparer.prepare``."""

    project_id: str
    #: The traces the batch touches, sorted (the order their locks are taken in).
    trace_ids: list[str]
    #: The ``observations`` rows (``rows.encode_span``), by shape (``dialects.shape_rows``).
    observations: list[ShapedRows]
    #: The ``contents`` rows (project id, hash, format, text as UTF-8 bytes) by shape; in hash order,
    #: but merged batches may repeat a content (the insert ignores what is stored).
    contents: list[ShapedRows]
    #: Each trace's state (``columns.TRACE_STATE``) as resolved from the batch's spans; of a merged
    #: batch, those of the traces only one of the batches touched.
    traces: dict[str, tuple[Any, ...]]


def sql_prepared(prepared: PreparedWrite) -> SqlPreparedWrite:
    """``prepared``, which must be the SQL store's own."""
    if not isinstance(prepared, SqlPreparedWrite):
        raise TypeError(f"the SQL store writes what its own preparer made, not a {type(prepared).__name__}")
    return prepared


def _position(shape: tuple[int, ...], column: int) -> int:
    """Where a column that is never None (a key) is in rows of ``shape``."""
    return shape.index(column)


class SqlWritePreparer:
    """The ``WritePreparer`` of ``SqlStore``: stateless, so it pickles to decode workers."""

    def prepare(self, project_id: str, translations: Sequence[Translation]) -> SqlPreparedWrite:
        """Everything of writing ``translations`` into ``project_id`` that needs no database (see the
        module docstring); pure, and cheap to pickle."""
        latest: dict[tuple[str, str], Translation] = {}
        for translation in translations:
            latest[(translation.observation.trace_id, translation.observation.id)] = translation
        sink = ContentSink()
        rows: list[tuple[Any, ...]] = []
        spans: dict[str, list[SpanFacts]] = {}
        for translation in latest.values():
            row, facts = encode_span(project_id, translation, sink)
            rows.append(row)
            spans.setdefault(row[OBS.trace_id], []).append(facts)
        trace_ids = sorted(spans)
        return SqlPreparedWrite(
            project_id=project_id,
            trace_ids=trace_ids,
            observations=shape_rows(rows),
            contents=sink.rows(project_id),
            traces={trace_id: trace_row(project_id, spans[trace_id], sink) for trace_id in trace_ids},
        )

    def split(self, prepared: PreparedWrite) -> list[PreparedWrite]:
        """The write as one write per trace, each with the contents its rows reference."""
        whole = sql_prepared(prepared)
        if len(whole.trace_ids) <= 1:
            return [whole]
        by_trace: dict[str, _Groups] = {}
        for shape, rows in whole.observations:
            at = _position(shape, OBS.trace_id)
            for row in rows:
                by_trace.setdefault(row[at], {}).setdefault(shape, []).append(row)
        contents = {
            row[_position(shape, CONTENTS.hash)]: (shape, row)
            for shape, rows in whole.contents
            for row in rows
        }
        parts: list[PreparedWrite] = []
        for trace_id in whole.trace_ids:
            observations = by_trace.get(trace_id, {})
            state = whole.traces.get(trace_id)
            # A content hash is a value of some column of the rows that reference it.
            values = [value for rows in observations.values() for row in rows for value in row]
            referenced = {value for value in (*values, *(state or ())) if value in contents}
            shaped: _Groups = {}
            for digest in sorted(referenced):
                shape, row = contents[digest]
                shaped.setdefault(shape, []).append(row)
            parts.append(
                SqlPreparedWrite(
                    project_id=whole.project_id,
                    trace_ids=[trace_id],
                    observations=list(observations.items()),
                    contents=list(shaped.items()),
                    traces={} if state is None else {trace_id: state},
                )
            )
        return parts

    def span_ids(self, prepared: PreparedWrite) -> list[tuple[str, str]]:
        """The (trace id, span id) of the write's observation rows, claims rows left out; by shape,
        then in the order received."""
        found: list[tuple[str, str]] = []
        for shape, rows in sql_prepared(prepared).observations:
            trace_at, span_at = _position(shape, OBS.trace_id), _position(shape, OBS.id)
            found += [(row[trace_at], row[span_at]) for row in rows if row[span_at] != TRACE_CLAIMS_ID]
        return found


def merge_prepared(batches: Sequence[SqlPreparedWrite]) -> SqlPreparedWrite:
    """One write of the spans of ``batches`` (all of one project), as if they had been prepared
    together in this order (a span in several: the last one wins), but for the traces that several
    of them touch: those are left out of ``traces``, for the writer to resolve from all their spans.

    Cheap when the batches share no trace (ingest's usual group commit): their rows are joined, not
    looked at."""
    if len(batches) == 1:
        return batches[0]
    project_id = batches[0].project_id
    seen: set[str] = set()
    shared: set[str] = set()
    for batch in batches:
        if batch.project_id != project_id:
            raise ValueError("merge_prepared merges the batches of one project")
        shared.update(seen.intersection(batch.trace_ids))
        seen.update(batch.trace_ids)
    observations: _Groups = {}
    contents: _Groups = {}
    latest: dict[tuple[str, str], tuple[tuple[int, ...], tuple[Any, ...]]] = {}
    traces: dict[str, tuple[Any, ...]] = {}
    for batch in batches:
        for shape, rows in batch.observations:
            joined = observations.setdefault(shape, [])
            if not shared:
                joined.extend(rows)
                continue
            trace_at, span_at = _position(shape, OBS.trace_id), _position(shape, OBS.id)
            for row in rows:
                if row[trace_at] in shared:
                    latest[(row[trace_at], row[span_at])] = (shape, row)
                else:
                    joined.append(row)
        for shape, rows in batch.contents:
            contents.setdefault(shape, []).extend(rows)
        for trace_id, state in batch.traces.items():
            if trace_id not in shared:
                traces[trace_id] = state
    for shape, row in latest.values():
        observations.setdefault(shape, []).append(row)
    return SqlPreparedWrite(
        project_id=project_id,
        trace_ids=sorted(seen),
        observations=[(shape, rows) for shape, rows in observations.items() if rows],
        contents=list(contents.items()),
        traces=traces,
    )


__all__ = ["SqlPreparedWrite", "SqlWritePreparer", "merge_prepared", "sql_prepared"]
