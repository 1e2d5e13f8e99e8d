"""Forwarding to a Langfuse server (Langfuse Cloud, a self-hosted Langfuse, a hosted one such as
LangShark, or another ``otel-bridge serve``): what otel-bridge resolved, delivered where its users
read it.

- ``spans.py``: a resolved trace → OTLP spans with the ``langfuse.*`` keys Langfuse's OTel endpoint
  reads; ``events.py``: the same trace → batch-ingestion events, in size-limited batches;
- ``target.py``: one target (URL, keys, protocol) and what its answers mean (accepted, retry after,
  refused for good); ``backoff.py``: when to try again;
- ``worker.py``: the server's forwarder over the store's spool (``otel_bridge.store.sql.forwarding``);
- ``exporter.py``: the in-process ``SpanExporter`` of the library, no server extra needed.

This package imports only the standard library, the OTel SDK and protobuf; the worker takes its store
as an argument.
"""
