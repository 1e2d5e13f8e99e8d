"""The neutral decoded span: what every producer (gRPC, HTTP protobuf, HTTP JSON, the in-process
exporter) is turned into within a few lines of entry. OTel vocabulary lives here and in ``otlp/``."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar, Union

#: An attribute value as plain Python: OTLP ``AnyValue`` with arrays as lists and key-value lists as dicts.
AttributeValue = Union[  # noqa: UP007 -- a recursive alias must stay a runtime expression on Python 3.10
    str, bool, int, float, bytes, None, list["AttributeValue"], dict[str, "AttributeValue"]
]
Attributes = Mapping[str, AttributeValue]

_EMPTY: Mapping[str, AttributeValue] = {}


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_T = TypeVar("_T")


def nanos_to_datetime(unix_nano: int) -> datetime:
    """An aware UTC datetime from nanoseconds since the epoch (microsecond precision, as datetime allows)."""
    # Positional (days, seconds, microseconds): the keyword form parses slower, twice per span.
    return _EPOCH + timedelta(0, 0, unix_nano // 1000)


def datetime_to_nanos(moment: datetime) -> int:
    """Nanoseconds since the epoch of a datetime; a naive one is taken as UTC (what every producer
    means by one: OTLP times are UTC, and so are Langfuse's timestamps without an offset)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def build(cls: type[_T], values: dict[str, Any]) -> _T:
    """Construct a frozen dataclass from a dict holding *every* field, without running ``__init__``.

    The generated ``__init__`` of a frozen dataclass sets each field through ``object.__setattr__``
    and costs about 0.5 µs a field here; decoding and translating make two such objects per span,
    which alone would halve throughput. The result is the same frozen, comparable, hashable object
    (tests compare it with one made by ``__init__``). Only for classes without ``__slots__``.
    """
    instance = object.__new__(cls)
    instance.__dict__.update(values)
    return instance


class SpanKind(str, enum.Enum):
    """OTLP ``Span.SpanKind``, by name."""

    UNSPECIFIED = "UNSPECIFIED"
    INTERNAL = "INTERNAL"
    SERVER = "SERVER"
    CLIENT = "CLIENT"
    PRODUCER = "PRODUCER"
    CONSUMER = "CONSUMER"


class StatusCode(str, enum.Enum):
    """OTLP ``Status.StatusCode``, by name."""

    UNSET = "UNSET"
    OK = "OK"
    ERROR = "ERROR"


@dataclass(frozen=True, slots=True)
class SpanStatus:
    """A span's status: code and the message that goes with an error."""

    code: StatusCode = StatusCode.UNSET
    message: str = ""


@dataclass(frozen=True, slots=True)
class InstrumentationScope:
    """The library that produced a span."""

    name: str = ""
    version: str = ""
    attributes: Attributes = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SpanEvent:
    """A timed event on a span (``exception``, GenAI message events, ...)."""

    name: str
    time_unix_nano: int
    attributes: Attributes = field(default_factory=dict)

    @property
    def time(self) -> datetime:
        """The event time as an aware UTC datetime."""
        return nanos_to_datetime(self.time_unix_nano)


@dataclass(frozen=True, slots=True)
class SpanLink:
    """A link from a span to another span, possibly in another trace."""

    trace_id: str
    span_id: str
    attributes: Attributes = field(default_factory=dict)


@dataclass(frozen=True)
class SpanRecord:
    """One decoded, validated span. Ids are lowercase hex; times are nanoseconds since the epoch, UTC,
    with ``start_time``/``end_time`` as aware datetimes; attributes are plain Python values."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    start_time_unix_nano: int
    end_time_unix_nano: int
    attributes: Attributes = field(default_factory=dict)
    resource_attributes: Attributes = field(default_factory=dict)
    scope: InstrumentationScope = field(default_factory=InstrumentationScope)
    kind: SpanKind = SpanKind.INTERNAL
    status: SpanStatus = field(default_factory=SpanStatus)
    events: tuple[SpanEvent, ...] = ()
    links: tuple[SpanLink, ...] = ()
    trace_state: str = ""

    @property
    def start_time(self) -> datetime:
        """The start as an aware UTC datetime."""
        return nanos_to_datetime(self.start_time_unix_nano)

    @property
    def end_time(self) -> datetime:
        """The end as an aware UTC datetime."""
        return nanos_to_datetime(self.end_time_unix_nano)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A span that could not be accepted, and the rule it broke. Reported through OTLP ``partial_success``."""

    trace_id: str
    span_id: str
    reason: str
