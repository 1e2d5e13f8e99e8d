"""The in-process library: an application's spans, grouped into sessions and translated by the same
translator the server uses, then sent to an otel-bridge or Langfuse server (or any sink)::

    from otel_bridge import configure, observe, session

    configure()  # OTEL_BRIDGE_URL / _PUBLIC_KEY / _SECRET_KEY, or the LANGFUSE_* ones

    @observe(as_type="generation")
    def call_llm(prompt: str) -> str: ...

    with session("chat-42", user_id="u1"):
        call_llm("Hello")

Modules, each with one job: ``context`` (``session()``), ``processor`` (stamps the session onto
every span), ``observe`` and ``update`` (the decorator and the ``update_current_*`` calls),
``records`` (SDK span → ``SpanRecord``), ``exporter`` (→ translations → a sink), ``sinks`` (the sink
seam, the in-memory sink), ``langfuse_events`` and ``ingestion`` (the Langfuse ingestion sink),
``sampling`` (whole-session sampling), ``throttle`` (rate-limited warnings), ``configure`` (wiring
from the environment); masking is ``translate.masking``, shared with the server. None of them
imports the server stack.
"""

from otel_bridge.sdk.configure import configure, flush, shutdown
from otel_bridge.sdk.context import SessionContext, SessionScope, current_session, session
from otel_bridge.sdk.exporter import BridgeSpanExporter
from otel_bridge.sdk.ingestion import IngestionSink, RetryPolicy
from otel_bridge.sdk.observe import ObservationKind, observe
from otel_bridge.sdk.processor import SessionSpanProcessor
from otel_bridge.sdk.records import span_to_record, spans_to_records
from otel_bridge.sdk.sampling import SessionSampler, SessionSamplingProcessor, session_kept
from otel_bridge.sdk.sinks import CanSendTranslations, InMemorySink, SendResult
from otel_bridge.sdk.update import update_current_observation, update_current_trace
from otel_bridge.translate.masking import mask_secrets

__all__ = [
    "BridgeSpanExporter",
    "CanSendTranslations",
    "InMemorySink",
    "IngestionSink",
    "ObservationKind",
    "RetryPolicy",
    "SendResult",
    "SessionContext",
    "SessionSampler",
    "SessionSamplingProcessor",
    "SessionScope",
    "SessionSpanProcessor",
    "configure",
    "current_session",
    "flush",
    "mask_secrets",
    "observe",
    "session",
    "session_kept",
    "shutdown",
    "span_to_record",
    "spans_to_records",
    "update_current_observation",
    "update_current_trace",
]
