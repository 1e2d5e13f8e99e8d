"""``prepare_batch``: the part of a write that needs only the batch itself, so that it can run in
another process than the writer's (the writer holds the database's write lock, and Python's GIL
makes every other step of ingest wait on it).

It does all of a write's per-span Python work: drops repeated spans (the last one received wins, as
across batches), encodes the ``observations`` rows and their contents, and resolves every trace the
batch touches from the batch's spans alone. ``SqlStore.write_prepared`` then only reads what is
stored of those traces, inserts, and resolves again only the traces that have spans stored already
(a trace resolved from a set of spans is a function of that set, so for a trace new to the store the
batch's resolution is the trace's).

A ``PreparedBatch`` holds builtins only (dict, list, tuple, str, int, bytes, None), so that pickling
it to the writer costs a few microseconds a span (a ``Translation`` costs about 40).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from otel_bridge.store.codec import ContentSink, ShapedRows, SpanFacts, encode_span, shape_rows, trace_row
from otel_bridge.translate import Translation


class PreparedBatch(TypedDict):
    """A batch ready for ``SqlStore.write_prepared``; built by ``prepare_batch``."""

    project_id: str
    #: The traces the batch touches, sorted (the order their locks are taken in).
    trace_ids: list[str]
    #: The ``observations`` rows (``codec.encode_span``), by shape (``codec.shape_rows``).
    observations: list[ShapedRows]
    #: The ``contents`` rows (project id, hash, format, text as UTF-8 bytes) by shape; in hash order,
    #: but merged batches may repeat a content (the insert ignores what is stored).
    contents: list[ShapedRows]
    #: Each trace's ``traces`` row (``codec.TRACE_STATE_COLUMNS``) as resolved from the batch's spans;
    #: of a merged batch, those of the traces only one of the batches touched.
    traces: dict[str, tuple[Any, ...]]


def prepare_batch(project_id: str, translations: Sequence[Translation]) -> PreparedBatch:
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
        spans.setdefault(row[1], []).append(facts)
    trace_ids = sorted(spans)
    return {
        "project_id": project_id,
        "trace_ids": trace_ids,
        "observations": shape_rows(rows),
        "contents": sink.rows(project_id),
        "traces": {trace_id: trace_row(project_id, spans[trace_id], sink) for trace_id in trace_ids},
    }


def merge_prepared(batches: Sequence[PreparedBatch]) -> PreparedBatch:
    """One batch of the spans of ``batches`` (all of one project), as if they had been prepared
    together in this order (a span in several: the last one wins), but for the traces that several
    of them touch: those are left out of ``traces``, for the writer to resolve from all their spans.

    Cheap when the batches share no trace (ingest's usual group commit): their rows are joined, not
    looked at."""
    if len(batches) == 1:
        return batches[0]
    project_id = batches[0]["project_id"]
    seen: set[str] = set()
    shared: set[str] = set()
    for batch in batches:
        if batch["project_id"] != project_id:
            raise ValueError("merge_prepared merges the batches of one project")
        ids = batch["trace_ids"]
        shared.update(seen.intersection(ids))
        seen.update(ids)
    observations: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
    contents: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
    latest: dict[tuple[str, str], tuple[tuple[int, ...], tuple[Any, ...]]] = {}
    traces: dict[str, tuple[Any, ...]] = {}
    for batch in batches:
        for shape, rows in batch["observations"]:
            joined = observations.setdefault(shape, [])
            if not shared:
                joined.extend(rows)
                continue
            for row in rows:  # trace id and span id: never None, so always at 1 and 2
                if row[1] in shared:
                    latest[(row[1], row[2])] = (shape, row)
                else:
                    joined.append(row)
        for shape, rows in batch["contents"]:
            contents.setdefault(shape, []).extend(rows)
        for trace_id, state in batch["traces"].items():
            if trace_id not in shared:
                traces[trace_id] = state
    for shape, row in latest.values():
        observations.setdefault(shape, []).append(row)
    return {
        "project_id": project_id,
        "trace_ids": sorted(seen),
        "observations": [(shape, rows) for shape, rows in observations.items() if rows],
        "contents": list(contents.items()),
        "traces": traces,
    }


def split_prepared(prepared: PreparedBatch) -> list[PreparedBatch]:
    """The batch as one batch per trace, each with the contents its rows reference: for finding the
    trace the database refuses among a request's (``Ingestor``), so that the others are kept.
    Writing them all is writing the batch."""
    trace_ids = prepared["trace_ids"]
    if len(trace_ids) <= 1:
        return [prepared]
    # Observation rows lead with project id, trace id and span id, never None (see merge_prepared);
    # content rows with project id and hash.
    by_trace: dict[str, dict[tuple[int, ...], list[tuple[Any, ...]]]] = {}
    for shape, rows in prepared["observations"]:
        for row in rows:
            by_trace.setdefault(row[1], {}).setdefault(shape, []).append(row)
    contents = {row[1]: (shape, row) for shape, rows in prepared["contents"] for row in rows}
    parts: list[PreparedBatch] = []
    for trace_id in trace_ids:
        observations = by_trace.get(trace_id, {})
        state = prepared["traces"].get(trace_id)
        # A content hash is a value of some column of the rows that reference it.
        values = [value for rows in observations.values() for row in rows for value in row]
        referenced = {value for value in (*values, *(state or ())) if value in contents}
        shaped: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
        for digest in sorted(referenced):
            shape, row = contents[digest]
            shaped.setdefault(shape, []).append(row)
        parts.append(
            {
                "project_id": prepared["project_id"],
                "trace_ids": [trace_id],
                "observations": list(observations.items()),
                "contents": list(shaped.items()),
                "traces": {} if state is None else {trace_id: state},
            }
        )
    return parts


def observation_ids(prepared: PreparedBatch) -> list[str]:
    """The span ids of the batch's observation rows (a trace's claims row: ``TRACE_CLAIMS_ID``), by
    shape, then in the order received."""
    return [row[2] for _, rows in prepared["observations"] for row in rows]


__all__ = ["PreparedBatch", "merge_prepared", "observation_ids", "prepare_batch", "split_prepared"]
