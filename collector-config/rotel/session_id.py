"""A rotel trace processor: copies a session id carried elsewhere onto ``session.id``, which
otel-bridge (and Langfuse) group sessions by; the same rules as ``collector-config/session-id.yaml``.

rotel (0.0.1a15) loads this file with ``--otlp-with-trace-processor`` / ``ROTEL_OTLP_WITH_TRACE_PROCESSOR``
and calls ``process_spans`` on each ``ResourceSpans`` it receives; ``rotel_sdk`` is built into the
binary. A span that has ``session.id`` keeps it. Otherwise the first of these found wins: the span
attribute ``conversation_id`` (an application's own key), the span attribute ``session_id`` (a
baggage entry copied onto spans by the OpenTelemetry SDK's baggage span processor), the resource
attribute ``app.session_id``. Rename the keys to the ones your applications use.
"""

from rotel_sdk.open_telemetry.common.v1 import KeyValue

TARGET = "session.id"
SPAN_SOURCES = ("conversation_id", "session_id")
RESOURCE_SOURCE = "app.session_id"


def _string_values(attributes):
    return {kv.key: kv.value.value for kv in attributes if isinstance(kv.value.value, str)}


def process_spans(resource_spans):
    """Set ``session.id`` on each span that lacks it, from the first source that has a value."""
    resource = resource_spans.resource
    from_resource = None if resource is None else _string_values(resource.attributes).get(RESOURCE_SOURCE)
    for scope_spans in resource_spans.scope_spans:
        for span in scope_spans.spans:
            if any(kv.key == TARGET for kv in span.attributes):
                continue
            values = _string_values(span.attributes)
            found = next((values[key] for key in SPAN_SOURCES if values.get(key)), from_resource)
            if found:
                span.attributes.append(KeyValue.new_string_value(TARGET, found))
