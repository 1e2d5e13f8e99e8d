"""The outcome of decoding one OTLP export request."""

from __future__ import annotations

from dataclasses import dataclass

from otel_bridge.model import Rejected, SpanRecord

__all__ = ["DecodeResult"]


@dataclass(frozen=True, slots=True)
class DecodeResult:
    """The spans of one export request that were accepted, in request order, and the ones that were
    not, each with the rule it broke (reported to the client through OTLP ``partial_success``)."""

    records: tuple[SpanRecord, ...]
    rejected: tuple[Rejected, ...]
