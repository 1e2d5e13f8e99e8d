"""OTLP trace export requests → ``SpanRecord``s: protobuf (OTLP/HTTP and OTLP/gRPC) and OTLP/JSON.

Every transport calls one of three functions and gets a ``DecodeResult``: the accepted spans as
``SpanRecord``s, and the rejected ones as ``Rejected`` values naming the broken rule (for OTLP
``partial_success``). A body that cannot be decoded at all raises ``otel_bridge.errors.DecodeError``.

- ``decode_protobuf(body)``: an OTLP/HTTP ``application/x-protobuf`` body;
- ``decode_json(body)``: an OTLP/HTTP ``application/json`` body (the OTLP/JSON encoding);
- ``decode_request(request)``: an ``ExportTraceServiceRequest`` the gRPC server already parsed.

The rules a span must follow are in ``validate.py``. ``decode_protobuf`` runs the compiled wire decoder
when it was built, else the upb one: ``decoders.py``.
"""

from otel_bridge.otlp.decoders import decode_protobuf
from otel_bridge.otlp.json import decode_json
from otel_bridge.otlp.protobuf import decode_request
from otel_bridge.otlp.result import DecodeResult

__all__ = ["DecodeResult", "decode_json", "decode_protobuf", "decode_request"]
