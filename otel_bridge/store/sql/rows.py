"""The rows a write stores: a span's ``observations`` row and its facts, facts read back from stored
rows, and a trace's ``traces`` row resolved from its spans' facts.

Trace resolution never reads contents back: ``resolve_trace`` only picks *which* span's input or
output wins and never looks inside, so stored spans are handed to it with content hashes in place of
their inputs and outputs (``facts_from_row``). A batch's own spans carry their values, whose hashes
the batch's ``ContentSink`` knows by identity (``trace_row``).

Rows are plain tuples of str, int, bytes and None (booleans as 0 and 1), so that a prepared write
pickles cheaply to the writer and binds on the fast paths of the database drivers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from otel_bridge.model import Cost, ObservationLevel, ObservationType, TraceClaims, build, datetime_to_nanos
from otel_bridge.store.aggregates import (
    SpanFacts,
    effective_cost_nanos,
    resolve_with_aggregates,
    usd_to_nanos,
)
from otel_bridge.store.sql.columns import FACTS
from otel_bridge.store.sql.content import ContentSink
from otel_bridge.store.sql.encoding import dumps
from otel_bridge.translate import Translation

#: Observation metadata keys split off into their own content (``resource_hash``): every span of one
#: service repeats them, so they are stored once per distinct value.
RESOURCE_METADATA_KEYS = ("resourceAttributes", "scope")
_ERROR = ObservationLevel.ERROR.value
# An enum's ``.value`` is a Python-level descriptor; a dict lookup costs a tenth of it (twice a span).
_TYPE_VALUES = {member: member.value for member in ObservationType}
_LEVEL_VALUES = {member: member.value for member in ObservationLevel}


def _same_or(claim: str | None, own: str | None) -> str | None:
    """A claim's content hash as stored: NULL when it is the observation's own (the usual case, and
    64 bytes less per row), '' for a claim of no content where the observation has one."""
    if claim == own:
        return None
    return "" if claim is None else claim


def _claimed(stored: str | None, own: str | None) -> str | None:
    """The inverse of ``_same_or``."""
    if stored is None:
        return own
    return stored or None


def _split_metadata(metadata: Mapping[str, Any]) -> tuple[dict[str, Any], Mapping[str, Any]]:
    """An observation's metadata as its resource part and the rest."""
    resource = {key: metadata[key] for key in RESOURCE_METADATA_KEYS if key in metadata}
    if not resource:
        return resource, metadata
    rest = dict(metadata)  # a C-level copy, then two deletions: cheaper than a comprehension
    for key in resource:
        del rest[key]
    return resource, rest


def _cost_columns(cost: Cost | None) -> tuple[int | None, int | None, int | None, int | None, str | None]:
    """The cost columns of an observation row: input, output and total nano-dollars, computed, price date."""
    if cost is None:
        return None, None, None, None, None
    # Booleans as 0 and 1, as SQLite stores them anyway: its Python driver binds a bool through the
    # slow adaptation path (like None; see ``dialects.shape_rows``), and psycopg's COPY takes either.
    computed = int(cost.computed)
    return (
        usd_to_nanos(cost.input),
        usd_to_nanos(cost.output),
        usd_to_nanos(cost.total),
        computed,
        cost.price_date,
    )


def _claim_columns(
    translation: Translation, input_hash: str | None, output_hash: str | None, sink: ContentSink
) -> tuple[Any, ...]:
    """The ``claim_*`` columns of an observation row: what the span claims about its trace."""
    o, c = translation.observation, translation.claims
    put = sink.put_owned
    # The claims' span input/output are the observation's in practice (put_owned would hash them
    # once anyway), and explicit ones are rare: four calls spared, a span.
    claim_input = input_hash if c.span_input is o.input else put(c.span_input)
    claim_output = output_hash if c.span_output is o.output else put(c.span_output)
    public = c.public
    return (
        int(c.is_root),
        None if c.span_name == o.name else c.span_name,
        c.session_id,
        c.user_id,
        dumps(list(c.tags)) if c.tags else None,
        c.release,
        c.version,
        c.environment,
        None if public is None else int(public),
        dumps(c.metadata) if c.metadata else None,
        c.explicit_name,
        None if c.explicit_input is None else put(c.explicit_input),
        None if c.explicit_output is None else put(c.explicit_output),
        _same_or(claim_input, input_hash),
        _same_or(claim_output, output_hash),
    )


def encode_span(
    project_id: str, translation: Translation, sink: ContentSink
) -> tuple[tuple[Any, ...], SpanFacts]:
    """The ``observations`` row of one span (in ``schema.observations`` column order) and its facts."""
    o = translation.observation
    resource, rest = _split_metadata(o.metadata)
    u = o.usage
    cost_in, cost_out, cost_total, computed, price_date = _cost_columns(o.cost)
    input_hash = sink.put_owned(o.input)
    output_hash = sink.put_owned(o.output)
    level = _LEVEL_VALUES[o.level]
    claims = translation.claims
    # Empty JSON values (no parameters, metadata, tags…) are NULL rather than "{}" or "[]".
    row = (
        project_id,
        o.trace_id,
        o.id,
        o.parent_observation_id,
        _TYPE_VALUES[o.type],
        o.name,
        # The span's exact times, from its claims: the observation's datetimes are the same instants
        # rounded to microseconds (the translator derives both from the span), and rule 3 needs nanos.
        claims.start_time_unix_nano,
        claims.end_time_unix_nano,
        None if o.completion_start_time is None else datetime_to_nanos(o.completion_start_time),
        o.model,
        dumps(o.model_parameters) if o.model_parameters else None,
        input_hash,
        output_hash,
        dumps(rest) if rest else None,
        sink.put_repeated(resource) if resource else None,
        u.input,
        u.output,
        u.total,
        u.cached,
        u.reasoning,
        dumps(u.details) if u.details else None,
        cost_in,
        cost_out,
        cost_total,
        computed,
        price_date,
        level,
        o.status_message,
        o.version,
        o.environment,
        o.prompt_name,
        o.prompt_version,
        *_claim_columns(translation, input_hash, output_hash, sink),
    )
    cost = effective_cost_nanos(cost_total, cost_in, cost_out)
    return row, SpanFacts(claims, u.input, u.output, u.total, cost, level == _ERROR)


@lru_cache(maxsize=1024)
def _tags(text: str) -> tuple[str, ...]:
    """Claimed tags from their JSON: a few tag sets, repeated by the spans of a service, parsed once."""
    return tuple(json.loads(text))


def facts_from_row(row: Sequence[Any]) -> SpanFacts:
    """``SpanFacts`` from a row of the columns ``columns.FACTS``, in that order."""
    input_tokens, output_tokens, total_tokens, cost_in, cost_out, cost_total, level = row[
        FACTS.input_tokens :
    ]
    cost = effective_cost_nanos(cost_total, cost_in, cost_out)
    return SpanFacts(_claims_from_row(row), input_tokens, output_tokens, total_tokens, cost, level == _ERROR)


def _claims_from_row(row: Sequence[Any]) -> TraceClaims:
    """The ``TraceClaims`` of a row of ``columns.FACTS`` (inputs and outputs as content hashes)."""
    (
        trace_id,
        span_id,
        own_name,
        own_input,
        own_output,
        start_ns,
        end_ns,
        root,
        name,
        session_id,
        user_id,
        tags,
        release,
        version,
        environment,
        public,
        metadata,
        explicit_name,
        explicit_input,
        explicit_output,
        span_input,
        span_output,
    ) = row[: FACTS.input_tokens]
    # build() skips the frozen dataclass __init__ (19 object.__setattr__ calls): this runs for every
    # stored span of every trace a batch adds to.
    return build(
        TraceClaims,
        {
            "trace_id": trace_id,
            "span_id": span_id,
            "start_time_unix_nano": start_ns,
            "end_time_unix_nano": end_ns,
            "is_root": bool(root),
            "span_name": own_name if name is None else name,
            "session_id": session_id,
            "user_id": user_id,
            "tags": _tags(tags) if tags else (),
            "release": release,
            "version": version,
            "environment": environment,
            "public": None if public is None else bool(public),
            "metadata": json.loads(metadata) if metadata else {},
            "explicit_name": explicit_name,
            "explicit_input": explicit_input,
            "explicit_output": explicit_output,
            "span_input": _claimed(span_input, own_input),
            "span_output": _claimed(span_output, own_output),
        },
    )


def trace_row(
    project_id: str, spans: Iterable[SpanFacts], sink: ContentSink | None = None
) -> tuple[Any, ...]:
    """A trace's state (``columns.TRACE_STATE``), resolved from all its spans' facts with its
    aggregates (``aggregates.resolve_with_aggregates``). ``sink``: the batch's, which knows the
    hashes of the values of facts from ``encode_span``; None when every fact is from
    ``facts_from_row`` (hashes already)."""
    resolved = resolve_with_aggregates(spans)
    trace = resolved.trace
    return (
        project_id,
        trace.id,
        resolved.start_ns,
        resolved.end_ns,
        trace.name,
        trace.root_observation_id,
        trace.session_id,
        trace.user_id,
        dumps(list(trace.tags)),
        trace.release,
        trace.version,
        trace.environment,
        trace.public,
        trace.input if sink is None else sink.hash_of(trace.input),
        trace.output if sink is None else sink.hash_of(trace.output),
        dumps(trace.metadata),
        resolved.observation_count,
        resolved.input_tokens,
        resolved.output_tokens,
        resolved.total_tokens,
        resolved.cost_nanos,
        resolved.error_count,
    )


__all__ = ["RESOURCE_METADATA_KEYS", "encode_span", "facts_from_row", "trace_row"]
