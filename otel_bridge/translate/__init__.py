"""Pure translation: ``SpanRecord`` → ``Observation`` + trace claims → ``Trace``. No I/O."""

from otel_bridge.translate.resolve import resolve_trace
from otel_bridge.translate.translator import Translation, translate_span, translate_spans

__all__ = ["Translation", "resolve_trace", "translate_span", "translate_spans"]
