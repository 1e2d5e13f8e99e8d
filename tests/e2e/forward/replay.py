"""An application process exporting spans through the OpenTelemetry SDK's own OTLP/HTTP exporter, as
users' applications do: the spans are those the golden corpus captured from real instrumentation
libraries (``tests/golden/cases``, each convention), replayed with their ids, times, attributes,
events, resources and scopes.

    python tests/e2e/forward/replay.py ENDPOINT AUTHORIZATION CASE.otlp.json [...]

``ENDPOINT`` is the server's base URL (``/v1/traces`` is appended); ``AUTHORIZATION`` the header's
value. Exits 0 once every span was exported, 1 otherwise.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags

from otel_bridge.model import SpanRecord
from otel_bridge.model import StatusCode as RecordStatus
from otel_bridge.otlp import decode_json

_KINDS = {
    "INTERNAL": SpanKind.INTERNAL,
    "SERVER": SpanKind.SERVER,
    "CLIENT": SpanKind.CLIENT,
    "PRODUCER": SpanKind.PRODUCER,
    "CONSUMER": SpanKind.CONSUMER,
}


def _context(trace_id: str, span_id: str) -> SpanContext:
    return SpanContext(int(trace_id, 16), int(span_id, 16), is_remote=False, trace_flags=TraceFlags(1))


def readable_span(record: SpanRecord) -> ReadableSpan:
    """The SDK's finished span for one decoded span."""
    status = {
        RecordStatus.ERROR: Status(StatusCode.ERROR, record.status.message or None),
        RecordStatus.OK: Status(StatusCode.OK),
    }.get(record.status.code, Status(StatusCode.UNSET))
    parent = _context(record.trace_id, record.parent_span_id) if record.parent_span_id else None
    return ReadableSpan(
        name=record.name,
        context=_context(record.trace_id, record.span_id),
        parent=parent,
        resource=Resource(dict(record.resource_attributes)),
        attributes=dict(record.attributes),
        events=[Event(e.name, dict(e.attributes), e.time_unix_nano) for e in record.events],
        links=[Link(_context(link.trace_id, link.span_id), dict(link.attributes)) for link in record.links],
        kind=_KINDS.get(record.kind.value, SpanKind.INTERNAL),
        status=status,
        start_time=record.start_time_unix_nano,
        end_time=record.end_time_unix_nano,
        instrumentation_scope=InstrumentationScope(
            record.scope.name,
            record.scope.version or None,
            attributes=dict(record.scope.attributes),
        ),
    )


def main(argv: Sequence[str]) -> int:
    endpoint, authorization, *cases = argv
    exporter = OTLPSpanExporter(
        endpoint=endpoint.rstrip("/") + "/v1/traces", headers={"Authorization": authorization}
    )
    for case in cases:
        records = decode_json(Path(case).read_bytes()).records
        if exporter.export([readable_span(r) for r in records]) is not SpanExportResult.SUCCESS:
            print(f"export of {case} failed", file=sys.stderr)
            return 1
    exporter.shutdown()  # type: ignore[no-untyped-call]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
