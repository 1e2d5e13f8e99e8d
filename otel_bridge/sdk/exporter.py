"""``BridgeSpanExporter``: the OTel SDK exporter that translates spans in-process, with the server's
own translator, and hands the result to a sink (``CanSendTranslations``).

Errors are mapped here and only here to ``SpanExportResult`` (one place maps errors): a sink's
problems and any failure of conversion or translation become ``FAILURE`` and a log line, never an
exception in the application or the batch processor's worker.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from opentelemetry import context as otel_context
from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from otel_bridge.sdk.records import spans_to_records
from otel_bridge.sdk.sinks import CanSendTranslations
from otel_bridge.sdk.throttle import sdk_log
from otel_bridge.translate import translate_spans
from otel_bridge.translate.masking import Mask, mask_records, mask_secrets
from otel_bridge.translate.pricing import PriceTable

__all__ = ["BridgeSpanExporter"]

#: How many of a failed export's problems are logged (the rest are counted).
_LOGGED_PROBLEMS = 5


class BridgeSpanExporter(SpanExporter):
    """SDK spans → ``SpanRecord``s → ``mask`` (default ``mask_secrets``) → ``translate_spans`` →
    ``sink.send``.

    Use it under a ``BatchSpanProcessor`` (``configure()`` does): ``export`` blocks while the sink
    delivers, retries included.
    """

    def __init__(
        self,
        sink: CanSendTranslations,
        *,
        prices: PriceTable | None = None,
        mask: Mask | None = mask_secrets,
    ) -> None:
        self.sink = sink
        self._prices = prices
        #: Applied to every span's attributes before translation (None: nothing is masked).
        self.mask = mask
        self._shutdown = threading.Event()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Translate and send ``spans``; SUCCESS only when the sink delivered all of them."""
        if self._shutdown.is_set():
            sdk_log.report(
                "export-after-shutdown", "otel-bridge: export after shutdown; %d spans dropped", len(spans)
            )
            return SpanExportResult.FAILURE
        if not spans:
            return SpanExportResult.SUCCESS
        # The sink's own HTTP requests must not be traced by an instrumented HTTP client, which
        # would export spans about exporting spans, forever.
        token = otel_context.attach(otel_context.set_value(_SUPPRESS_INSTRUMENTATION_KEY, True))
        try:
            records = spans_to_records(spans)
            if self.mask is not None:
                records = mask_records(records, self.mask)
            translations = translate_spans(records, self._prices)
            result = self.sink.send(translations)
        except Exception:
            sdk_log.report(
                "export-error", "otel-bridge: could not export %d spans", len(spans), exc_info=True
            )
            return SpanExportResult.FAILURE
        finally:
            otel_context.detach(token)
        if result.ok:
            return SpanExportResult.SUCCESS
        shown = "; ".join(result.errors[:_LOGGED_PROBLEMS])
        more = len(result.errors) - _LOGGED_PROBLEMS
        sdk_log.report(
            "export-failed",
            "otel-bridge: export of %d spans failed: %s%s",
            len(spans),
            shown,
            f" (and {more} more)" if more > 0 else "",
        )
        return SpanExportResult.FAILURE

    def shutdown(self) -> None:
        """Refuse further exports and stop the sink (interrupting a retry wait)."""
        self._shutdown.set()
        self.sink.close()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Nothing is buffered here: every ``export`` has finished when it returns."""
        return True
