"""Rows ↔ model values, and the per-trace and per-session arithmetic of ``write_batch``. Pure and
dialect-neutral: no SQL is built here (``sql.py`` does that).

Large values become content references: a value is stored once in ``contents`` under the hash of
its text (SHA-256 cut to 128 bits: the fastest strong hash here, with SHA extensions), and rows hold
the hash. A ``Payload`` (an input or output kept as the text it arrived in) is stored as that text
with its format, untouched: it is normalized when read (``otel_bridge.translate.payloads``), so
ingest never parses it. Any other value is stored as compact JSON, with no format.

Trace resolution never reads contents back: ``resolve_trace`` only picks *which* span's input or
output wins and never looks inside, so stored spans are handed to it with content hashes in place of
their inputs and outputs (``facts_from_row``). ``prepare_batch`` resolves the batch's traces from the
batch's spans with their own values, whose hashes the batch's ``ContentSink`` knows by identity.

Rows leave this module as plain tuples of str, int, bytes and None (booleans as 0 and 1), so that a
prepared batch pickles cheaply to the writer and binds on the fast paths of the database drivers.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from itertools import compress, repeat
from operator import is_not, itemgetter
from typing import Any, NamedTuple

import orjson

from otel_bridge.model import (
    Cost,
    Observation,
    ObservationLevel,
    ObservationType,
    Payload,
    Session,
    Trace,
    TraceClaims,
    Usage,
    build,
    nanos_to_datetime,
)
from otel_bridge.store import TRACE_CLAIMS_ID
from otel_bridge.translate import Translation, resolve_trace
from otel_bridge.translate.payloads import resolve_payload

#: Observation metadata keys split off into their own content (``resource_hash``): every span of one
#: service repeats them, so they are stored once per distinct value.
RESOURCE_METADATA_KEYS = ("resourceAttributes", "scope")
NANOS_PER_USD = 1_000_000_000
_ERROR = ObservationLevel.ERROR.value
# An enum's ``.value`` is a Python-level descriptor; a dict lookup costs a tenth of it (twice a span).
_TYPE_VALUES = {member: member.value for member in ObservationType}
_LEVEL_VALUES = {member: member.value for member in ObservationLevel}


def _json_default(value: Any) -> Any:
    """JSON for what attribute values may hold beyond JSON: bytes (base64), sets, other objects (text)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Payload):  # nested in metadata: only top-level inputs and outputs stay text
        return resolve_payload(value)
    return str(value)


_encode_unicode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default).encode
_encode_ascii = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), default=_json_default).encode
_orjson_dumps = orjson.dumps
# Datetimes and dataclasses (a nested ``Payload``) go to ``_json_default``, as with ``json``; str and
# int subclasses are encoded natively by both libraries alike.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(value: Any) -> str:
    """Compact JSON text; non-ASCII kept as is unless the text holds lone surrogates, which neither
    database can store as UTF-8, and which then stay escaped.

    Encoded by orjson (several times faster: this runs a few times per span) whenever that gives the
    value ``json`` would: orjson refuses lone surrogates, non-string keys and integers beyond 64 bits,
    and writes NaN and infinities as ``null`` (``json`` writes ``NaN``, which reads back as NaN), so
    a refusal, or any ``null`` in its text, leaves the value to ``json``. Enums (not attribute
    values) are the one remaining difference: their value rather than their ``str``.
    """
    data = _orjson_or_none(value)
    return _json_dumps(value) if data is None else data.decode()


def dumps_utf8(value: Any) -> bytes:
    """``dumps`` in UTF-8: orjson's own bytes, where ``dumps`` would decode them to be encoded again."""
    data = _orjson_or_none(value)
    return _json_dumps(value).encode("utf-8") if data is None else data


def _orjson_or_none(value: Any) -> bytes | None:
    """orjson's JSON of ``value``, or None where it would differ from ``json``'s (see ``dumps``)."""
    try:
        data = _orjson_dumps(value, default=_json_default, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError included
        return None
    return None if b"null" in data else data


def _json_dumps(value: Any) -> str:
    text = _encode_unicode(value)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return _encode_ascii(value)
    return text


def content_hash(format: str | None, data: bytes) -> str:
    """The content address of a stored text (UTF-8) in a format (None: JSON of a plain value)."""
    digest = hashlib.sha256(data)
    if format is not None:
        digest.update(b"\x00" + format.encode())
    return digest.hexdigest()[:32]


def _utf8(text: str) -> bytes:
    """``text`` in UTF-8; lone surrogates (possible in OTLP/JSON escapes), which neither database
    stores, become ``?``."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def to_nanos(moment: datetime) -> int:
    """Nanoseconds since the epoch of an aware datetime (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def usd_to_nanos(usd: float | None) -> int | None:
    """Integer nano-dollars: exact to a billionth of a dollar, and summable in any order."""
    return None if usd is None else round(usd * NANOS_PER_USD)


def nanos_to_usd(nanos: int | None) -> float | None:
    """USD from integer nano-dollars."""
    return None if nanos is None else nanos / NANOS_PER_USD


class ContentSink:
    """Collects the distinct contents a batch references: hash → (format, text as UTF-8 bytes).

    The text stays bytes, as hashed: it pickles as a copy (a ``str`` is encoded to UTF-8 and decoded
    again), and the writer hands it to the database as it is (``sql.py``: ``CAST(? AS TEXT)`` on SQLite,
    the text's binary COPY format on PostgreSQL), where a ``str`` would be encoded once more.

    Values that belong to the batch's translations (alive as long as the sink) are also remembered by
    identity, so that a value referenced twice (a span's input is its claims' span input) is hashed
    once, and so that ``hash_of`` can name the hash of whichever value trace resolution picks.
    """

    __slots__ = ("_by_id", "_repeated", "bodies")

    def __init__(self) -> None:
        self.bodies: dict[str, tuple[str | None, bytes]] = {}
        self._repeated: list[tuple[Any, str]] = []
        self._by_id: dict[int, str | None] = {}

    def put_owned(self, value: Any) -> str | None:
        """``put`` for a value owned by one of the batch's translations."""
        key = id(value)
        try:
            return self._by_id[key]
        except KeyError:
            digest = self._by_id[key] = self.put(value)
            return digest

    def hash_of(self, value: Any) -> str | None:
        """The hash of a value given to ``put_owned``; any other value is taken to be a hash already
        (a stored span's claim)."""
        if value is None:
            return None
        digest = self._by_id.get(id(value))
        return str(value) if digest is None else digest

    def put_repeated(self, value: Any) -> str | None:
        """``put`` for a value that most spans of a batch repeat (the resource attributes of one
        service): comparing it with the few seen before is cheaper than serializing it again."""
        for seen, digest in self._repeated:
            if seen == value:
                return digest
        new = self.put(value)
        if new is not None and len(self._repeated) < 8:
            self._repeated.append((value, new))
        return new

    def rows(self, project_id: str) -> list[ShapedRows]:
        """The ``contents`` rows in hash order, by shape (see ``shape_rows``; the positions are those of
        ``schema.contents``: project_id, hash, format, body): JSON ones have no format."""
        plain: list[tuple[Any, ...]] = []
        payloads: list[tuple[Any, ...]] = []
        bodies = self.bodies
        for digest in sorted(bodies):
            format, data = bodies[digest]
            if format is None:
                plain.append((project_id, digest, data))
            else:
                payloads.append((project_id, digest, format, data))
        shaped: list[ShapedRows] = []
        if plain:
            shaped.append(((0, 1, 3), plain))
        if payloads:
            shaped.append(((0, 1, 2, 3), payloads))
        return shaped

    def put(self, value: Any) -> str | None:
        """The hash of ``value`` (None for None), remembering its text for insertion."""
        if value is None:
            return None
        if isinstance(value, Payload):
            format: str | None = value.format
            data = _utf8(value.text)
        else:
            format = None
            data = dumps_utf8(value)
        digest = content_hash(format, data)
        self.bodies[digest] = (format, data)
        return digest


#: Rows of one table grouped by which of their values are not None: the positions (in the table's
#: column order) of those columns, and the rows cut down to their values.
ShapedRows = tuple[tuple[int, ...], list[tuple[Any, ...]]]


def shape_rows(rows: Iterable[tuple[Any, ...]]) -> list[ShapedRows]:
    """``rows`` (in table column order) grouped by which of their values are not None, each cut down to
    those values, in order of first appearance.

    Python's sqlite3 binds a None through its slow adaptation path (about 0.7 µs a value, a third of
    the time of inserting an observation row, which has a dozen or two), while a column an INSERT
    leaves out is NULL for nothing; so the writer inserts each group with a statement naming its
    columns only. A batch's rows fall into a handful of groups (one per kind of span, roughly).
    """
    groups: dict[bytes, list[tuple[Any, ...]]] = {}
    for row in rows:
        # 1 where the value is not None: a C-level pass, where a comprehension would cost 2 µs a row.
        mask = bytes(map(is_not, row, repeat(None)))
        group = groups.get(mask)
        if group is None:
            groups[mask] = [row]
        else:
            group.append(row)
    shaped: list[ShapedRows] = []
    for mask, group in groups.items():
        shape = tuple(compress(range(len(mask)), mask))
        shaped.append((shape, list(map(_tuple_getter(shape), group))))
    return shaped


@lru_cache(maxsize=512)
def shape_getter(
    shape: tuple[int, ...], columns: tuple[int, ...]
) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """For a row of ``shape`` (see ``shape_rows``) *with a None appended*, the getter of its values at
    the table positions ``columns`` (None where the shape has none), as one tuple."""
    index = {column: i for i, column in enumerate(shape)}
    return _tuple_getter([index.get(column, len(shape)) for column in columns])


def _tuple_getter(positions: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """The values at ``positions``, as a tuple: an ``itemgetter`` (C) unless it would give a bare value."""
    if len(positions) > 1:
        return itemgetter(*positions)
    return lambda row: tuple(row[i] for i in positions)


class SpanFacts(NamedTuple):
    """What trace resolution and trace aggregates need of one span (a tuple: built for every span).

    For a stored span, ``claims`` holds content hashes in place of inputs and outputs; for a span of
    the batch being written, its own claims (see the module docstring).
    """

    claims: TraceClaims
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost_nanos: int | None
    is_error: bool


def effective_cost_nanos(total: int | None, input_: int | None, output: int | None) -> int | None:
    """An observation's cost for aggregates: its total, else the sum of the parts it has."""
    if total is not None:
        return total
    if input_ is None and output is None:
        return None
    return (input_ or 0) + (output or 0)


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


def encode_span(
    project_id: str, translation: Translation, sink: ContentSink
) -> tuple[tuple[Any, ...], SpanFacts]:
    """The ``observations`` row of one span (in ``schema.observations`` column order) and its facts."""
    o = translation.observation
    c = translation.claims
    metadata = o.metadata
    resource = {key: metadata[key] for key in RESOURCE_METADATA_KEYS if key in metadata}
    rest: Mapping[str, Any] = metadata
    if resource:
        split = dict(metadata)  # a C-level copy, then two deletions: cheaper than a comprehension
        for key in resource:
            del split[key]
        rest = split
    resource_hash = sink.put_repeated(resource) if resource else None
    u = o.usage
    cost = o.cost
    if cost is None:
        cost_in = cost_out = cost_total = None
        computed: int | None = None
        price_date = None
    else:
        cost_in, cost_out, cost_total = (
            usd_to_nanos(cost.input),
            usd_to_nanos(cost.output),
            usd_to_nanos(cost.total),
        )
        # Booleans as 0 and 1, as SQLite stores them anyway: its Python driver binds a bool through the
        # slow adaptation path (like None; see ``shape_rows``), and psycopg's COPY takes either.
        computed, price_date = int(cost.computed), cost.price_date
    put = sink.put_owned
    input_hash = put(o.input)
    output_hash = put(o.output)
    # The claims' span input/output are the observation's in practice (put_owned would hash them
    # once anyway), and explicit ones are rare: four calls spared, a span.
    claim_input = input_hash if c.span_input is o.input else put(c.span_input)
    claim_output = output_hash if c.span_output is o.output else put(c.span_output)
    explicit_input = None if c.explicit_input is None else put(c.explicit_input)
    explicit_output = None if c.explicit_output is None else put(c.explicit_output)
    level = _LEVEL_VALUES[o.level]
    public = c.public
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
        c.start_time_unix_nano,
        c.end_time_unix_nano,
        None if o.completion_start_time is None else to_nanos(o.completion_start_time),
        o.model,
        dumps(o.model_parameters) if o.model_parameters else None,
        input_hash,
        output_hash,
        dumps(rest) if rest else None,
        resource_hash,
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
        explicit_input,
        explicit_output,
        _same_or(claim_input, input_hash),
        _same_or(claim_output, output_hash),
    )
    facts = SpanFacts(
        c,
        u.input,
        u.output,
        u.total,
        effective_cost_nanos(cost_total, cost_in, cost_out),
        level == _ERROR,
    )
    return row, facts


#: The ``observations`` columns ``facts_from_row`` reads, in this order.
FACT_COLUMNS = (
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


@lru_cache(maxsize=1024)
def _tags(text: str) -> tuple[str, ...]:
    """Claimed tags from their JSON: a few tag sets, repeated by the spans of a service, parsed once."""
    return tuple(json.loads(text))


def facts_from_row(row: Sequence[Any]) -> SpanFacts:
    """``SpanFacts`` from a row of ``FACT_COLUMNS``."""
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
        input_tokens,
        output_tokens,
        total_tokens,
        cost_in,
        cost_out,
        cost_total,
        level,
    ) = row
    # build() skips the frozen dataclass __init__ (19 object.__setattr__ calls): this runs for every
    # stored span of every trace a batch adds to.
    claims = build(
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
    return SpanFacts(
        claims,
        input_tokens,
        output_tokens,
        total_tokens,
        effective_cost_nanos(cost_total, cost_in, cost_out),
        level == _ERROR,
    )


#: The ``traces`` columns of ``trace_row``, in this order; ``updated_ns`` is appended by the writer.
TRACE_STATE_COLUMNS = (
    "project_id",
    "id",
    "timestamp_ns",
    "end_ns",
    "name",
    "root_observation_id",
    "session_id",
    "user_id",
    "tags",
    "release",
    "version",
    "environment",
    "public",
    "input_hash",
    "output_hash",
    "metadata",
    "observation_count",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "total_cost_nanos",
    "error_count",
)
TRACE_SESSION_INDEX = TRACE_STATE_COLUMNS.index("session_id")


def trace_row(
    project_id: str, spans: Iterable[SpanFacts], sink: ContentSink | None = None
) -> tuple[Any, ...]:
    """The ``traces`` row (``TRACE_STATE_COLUMNS``) of a trace, resolved from all its spans' facts by
    DESIGN.md rule 3, with its aggregates recomputed from the same spans. ``sink``: the batch's, which
    knows the hashes of the values of facts from ``encode_span``; None when every fact is from
    ``facts_from_row`` (hashes already).

    A claims row (``TRACE_CLAIMS_ID``) takes part in resolution as the span that ended last, so its
    explicit trace-level claims beat every span's, and in the trace's start (a ``trace-create``
    timestamp); it counts as no observation and does not extend the trace's end.
    """
    # One pass over the spans for every aggregate (this runs for each trace a batch touches).
    claims: list[TraceClaims] = []
    start = end = observed_end = None
    count = n_in = n_out = n_total = errors = 0
    cost: int | None = None
    has_claims_row = False
    for c, span_in, span_out, span_total, span_cost, is_error in spans:
        claims.append(c)
        span_start, span_end = c.start_time_unix_nano, c.end_time_unix_nano
        if start is None or span_start < start:
            start = span_start
        if end is None or span_end > end:
            end = span_end
        if c.span_id == TRACE_CLAIMS_ID:
            has_claims_row = True
            continue
        if observed_end is None or span_end > observed_end:
            observed_end = span_end
        count += 1
        n_in += span_in
        n_out += span_out
        n_total += span_total
        if span_cost is not None:
            cost = span_cost if cost is None else cost + span_cost
        errors += is_error
    if end is None:
        raise ValueError("a trace of no spans")
    if has_claims_row:
        last = end + 1
        # ``replace`` keeps the claim values themselves, so the sink still knows their hashes.
        claims = [replace(c, end_time_unix_nano=last) if c.span_id == TRACE_CLAIMS_ID else c for c in claims]
    trace = resolve_trace(claims)
    return (
        project_id,
        trace.id,
        start,
        end if observed_end is None else observed_end,
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
        count,
        n_in,
        n_out,
        n_total,
        cost,
        errors,
    )


@dataclass(slots=True)
class SessionTotals:
    """A session's aggregates as recomputed from its traces."""

    first_activity_ns: int
    last_activity_ns: int
    trace_count: int
    observation_count: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    total_cost_nanos: int
    error_count: int
    user_ids: set[str]
    tags: set[str]
    environments: set[str]

    def row(self, project_id: str, session_id: str, updated_ns: int) -> tuple[Any, ...]:
        """The ``sessions`` row, in ``schema.sessions`` column order."""
        return (
            project_id,
            session_id,
            self.first_activity_ns,
            self.last_activity_ns,
            self.last_activity_ns - self.first_activity_ns,
            self.trace_count,
            self.observation_count,
            dumps(sorted(self.user_ids)),
            dumps(sorted(self.tags)),
            dumps(sorted(self.environments)),
            self.input_tokens,
            self.output_tokens,
            self.total_tokens,
            self.total_cost_nanos,
            self.error_count,
            updated_ns,
        )


class ContentReader:
    """The contents one read needs, fetched at once (hash → format, text), each parsed once."""

    __slots__ = ("_parsed", "_texts")

    def __init__(self, texts: Mapping[str, tuple[str | None, str]]) -> None:
        self._texts = texts
        self._parsed: dict[str, Any] = {}

    def load(self, digest: str | None) -> Any:
        """The value stored under ``digest`` (None for no reference)."""
        if digest is None:
            return None
        try:
            return self._parsed[digest]
        except KeyError:
            found = self._texts.get(digest)
            if found is None:
                return None
            format, text = found
            value = self._parsed[digest] = json.loads(text) if format is None else Payload(text, format)
            return value


#: The content references of observation and trace rows.
OBSERVATION_CONTENT_COLUMNS = ("input_hash", "output_hash", "resource_hash")
TRACE_CONTENT_COLUMNS = ("input_hash", "output_hash")


def _dt(nanos: int) -> datetime:
    return nanos_to_datetime(nanos)


def decode_observation(row: Mapping[Any, Any], reader: ContentReader) -> Observation:
    """An ``Observation`` from an ``observations`` row; ``reader`` holds the contents it references."""
    metadata: dict[str, Any] = json.loads(row["metadata"]) if row["metadata"] else {}
    resource = reader.load(row["resource_hash"])
    if resource:
        metadata.update(resource)
    computed = row["cost_computed"]
    cost = (
        None
        if computed is None
        else Cost(
            input=nanos_to_usd(row["cost_input_nanos"]),
            output=nanos_to_usd(row["cost_output_nanos"]),
            total=nanos_to_usd(row["cost_total_nanos"]),
            computed=bool(computed),
            price_date=row["price_date"],
        )
    )
    completion = row["completion_start_ns"]
    return Observation(
        id=row["id"],
        trace_id=row["trace_id"],
        parent_observation_id=row["parent_id"],
        type=ObservationType(row["type"]),
        name=row["name"],
        start_time=_dt(row["start_ns"]),
        end_time=_dt(row["end_ns"]),
        completion_start_time=None if completion is None else _dt(completion),
        model=row["model"],
        model_parameters=json.loads(row["model_parameters"]) if row["model_parameters"] else {},
        input=reader.load(row["input_hash"]),
        output=reader.load(row["output_hash"]),
        usage=Usage(
            input=row["input_tokens"],
            output=row["output_tokens"],
            total=row["total_tokens"],
            cached=row["cached_tokens"],
            reasoning=row["reasoning_tokens"],
            details=json.loads(row["usage_details"]) if row["usage_details"] else {},
        ),
        cost=cost,
        level=ObservationLevel(row["level"]),
        status_message=row["status_message"],
        version=row["version"],
        environment=row["environment"],
        metadata=metadata,
        prompt_name=row["prompt_name"],
        prompt_version=row["prompt_version"],
    )


def decode_trace(row: Mapping[Any, Any], reader: ContentReader) -> Trace:
    """A ``Trace`` from a ``traces`` row; ``reader`` holds the contents it references."""
    return Trace(
        id=row["id"],
        timestamp=_dt(row["timestamp_ns"]),
        end_time=_dt(row["end_ns"]),
        name=row["name"],
        root_observation_id=row["root_observation_id"],
        session_id=row["session_id"],
        user_id=row["user_id"],
        tags=tuple(json.loads(row["tags"])),
        release=row["release"],
        version=row["version"],
        environment=row["environment"],
        public=bool(row["public"]),
        input=reader.load(row["input_hash"]),
        output=reader.load(row["output_hash"]),
        metadata=json.loads(row["metadata"]),
    )


def decode_session(row: Mapping[Any, Any]) -> Session:
    """A ``Session`` from a ``sessions`` row."""
    return Session(
        id=row["id"],
        first_activity=_dt(row["first_activity_ns"]),
        last_activity=_dt(row["last_activity_ns"]),
        trace_count=row["trace_count"],
        observation_count=row["observation_count"],
        user_ids=tuple(json.loads(row["user_ids"])),
        tags=tuple(json.loads(row["tags"])),
        environments=tuple(json.loads(row["environments"])),
        input_tokens=row["input_tokens"],
        output_tokens=row["output_tokens"],
        total_tokens=row["total_tokens"],
        total_cost=row["total_cost_nanos"] / NANOS_PER_USD,
        error_count=row["error_count"],
    )
