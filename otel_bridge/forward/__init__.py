"""Forwarding to a Langfuse server (Langfuse Cloud, a self-hosted Langfuse, a hosted one such as
LangShark, or another ``otel-bridge serve``): what otel-bridge resolved, delivered where its users
read it.

- ``spans.py``: a resolved trace → OTLP spans with the ``langfuse.*`` keys Langfuse's OTel endpoint
  reads; ``events.py``: the same trace → batch-ingestion events, in size-limited batches;
- ``target.py``: one target (URL, keys) and what its answers mean (accepted, retry after, refused
  for good), and which protocol it speaks; ``backoff.py``: when to try again;
- ``delivery.py``: traces → requests in one protocol → a result per trace;
- ``worker.py``: the server's forwarder over the store's spool (``otel_bridge.store.sql.forwarding``),
  ``stats.py`` its ``/metrics``, ``setup.py`` its construction from the settings;
- ``exporter.py``: the in-process ``SpanExporter`` of the library, no server extra needed.

Only ``worker.py`` and ``setup.py`` need the server extra (the SQL store); the rest imports the
standard library, the OTel SDK and protobuf.
"""
