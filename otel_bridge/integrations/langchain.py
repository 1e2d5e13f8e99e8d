"""``CallbackHandler``: LangChain runs as session-grouped observations, in the style of Langfuse's
handler::

    from otel_bridge import configure
    from otel_bridge.integrations.langchain import CallbackHandler

    configure()
    handler = CallbackHandler(session_id="chat-42", user_id="u1", sample_rate=0.5)
    chain.invoke({"question": "…"}, config={"callbacks": [handler]})

It is OpenInference's LangChain tracer (``openinference-instrumentation-langchain``), which turns
chains, chat-model and LLM calls (model, invocation parameters, messages, token counts), tools and
retrievers into OpenInference spans that the translator maps; this class adds only what Langfuse's
handler takes as arguments: the session, the user, trace tags and metadata on every span, and
whole-session sampling. Install with ``pip install './otel-bridge[langchain]'``.

One trace per top-level invocation, nested under the current span when there is one (an
``@observe``d function calling the chain). Spans go through the global tracer provider (the one
``configure()`` set up) unless ``tracer_provider`` is given.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from langchain_core.tracers.schemas import Run
from openinference.instrumentation import OITracer, TraceConfig
from openinference.instrumentation.langchain._tracer import OpenInferenceTracer
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY
from opentelemetry.util.types import AttributeValue

from otel_bridge import __version__
from otel_bridge.sdk import keys
from otel_bridge.sdk.sampling import session_kept
from otel_bridge.sdk.serialize import merged_metadata

__all__ = ["CallbackHandler"]

#: The instrumentation scope of the handler's spans.
TRACER_NAME = "otel_bridge.integrations.langchain"


class CallbackHandler(OpenInferenceTracer):
    """A LangChain callback handler whose runs become spans in session ``session_id``.

    ``sample_rate`` (0 to 1) keeps that fraction of sessions, decided by the session id
    (``sdk.sampling.session_kept``), so a kept session has every turn; without a session id, each
    top-level invocation is kept or dropped by a hash of its run id. ``tags`` and ``metadata`` become
    the trace's tags and metadata. A dropped invocation costs only LangChain's own bookkeeping.
    """

    def __init__(
        self,
        *,
        session_id: str | None = None,
        user_id: str | None = None,
        sample_rate: float = 1.0,
        tags: Iterable[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        tracer_provider: trace.TracerProvider | None = None,
        trace_config: TraceConfig | None = None,
    ) -> None:
        if not 0.0 <= sample_rate <= 1.0:
            raise ValueError(f"sample_rate must be between 0 and 1, got {sample_rate!r}")
        tracer = OITracer(
            trace.get_tracer(TRACER_NAME, __version__, tracer_provider), config=trace_config or TraceConfig()
        )
        super().__init__(tracer, False)  # type: ignore[arg-type]  # OITracer wraps a Tracer, as OpenInference passes it
        self.session_id = None if session_id is None else str(session_id)
        self.user_id = None if user_id is None else str(user_id)
        self.sample_rate = float(sample_rate)
        self.tags = tuple(str(tag) for tag in tags or ())
        self.metadata = dict(metadata or {})
        self._stamp = self._attributes()
        # Each run's decision, so that a child follows its top-level run (sampling without a session).
        self._kept_runs: dict[UUID, bool] = {}
        self._kept_lock = threading.Lock()

    def _attributes(self) -> dict[str, AttributeValue]:
        """What every span of this handler carries: the generic session and user keys (as
        ``session()`` stamps them) and the trace's tags and metadata."""
        attributes: dict[str, AttributeValue] = {}
        if self.session_id is not None:
            attributes[keys.SESSION_ID] = self.session_id
        if self.user_id is not None:
            attributes[keys.USER_ID] = self.user_id
        if self.tags:
            attributes[keys.TRACE_TAGS] = list(self.tags)
        if self.metadata:
            attributes[keys.TRACE_METADATA] = merged_metadata(None, self.metadata)
        return attributes

    def _kept(self, run: Run) -> bool:
        if self.sample_rate >= 1.0:
            return True
        if self.session_id is not None:
            return session_kept(self.session_id, self.sample_rate)
        with self._kept_lock:
            parent = run.parent_run_id
            if parent is not None and parent in self._kept_runs:
                kept = self._kept_runs[parent]
            else:
                kept = session_kept(str(run.id), self.sample_rate)
            self._kept_runs[run.id] = kept
            return kept

    def _start_trace(self, run: Run) -> None:  # type: ignore[override]  # the base's is wrapped by a timer
        if not self._kept(run):
            # OpenInference's tracer keeps its run bookkeeping but starts no span when
            # instrumentation is suppressed; only for this callback, not the model call itself.
            token = otel_context.attach(otel_context.set_value(_SUPPRESS_INSTRUMENTATION_KEY, True))
            try:
                super()._start_trace(run)
            finally:
                otel_context.detach(token)
            return
        super()._start_trace(run)
        span = self.get_span(run.id)
        if span is not None and self._stamp:
            span.set_attributes(self._stamp)

    def _end_trace(self, run: Run) -> None:  # type: ignore[override]  # the base's is wrapped by a timer
        with self._kept_lock:
            self._kept_runs.pop(run.id, None)
        super()._end_trace(run)  # a dropped run has no span: this only ends LangChain's bookkeeping
