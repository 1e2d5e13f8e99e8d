"""otel-bridge: OpenTelemetry spans of LLM applications as session-grouped traces."""

__version__ = "0.1.0"
