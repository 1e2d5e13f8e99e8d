"""The server's forwarder from its settings (``serve --forward``, ``relay``)."""

from __future__ import annotations

from otel_bridge.config import Settings
from otel_bridge.forward.target import Protocol, Target
from otel_bridge.forward.worker import Forwarder, ForwardOptions, describe_protocol
from otel_bridge.store.sql import SqlStore

__all__ = ["banner_line", "forwarder_for"]


def forwarder_for(settings: Settings, store: SqlStore) -> Forwarder | None:
    """The forwarder of ``settings`` over ``store`` (opened with ``forwarding=True``); None when
    forwarding is off."""
    if settings.forward_url is None:
        return None
    assert settings.forward_public_key is not None and settings.forward_secret_key is not None  # validated
    target = Target(settings.forward_url, settings.forward_public_key, settings.forward_secret_key)
    options = ForwardOptions(
        quiet_seconds=settings.forward_quiet_seconds,
        timeout_seconds=settings.forward_timeout_seconds,
        batch_bytes=settings.forward_batch_bytes,
        max_backlog_traces=settings.forward_max_backlog,
        retention_seconds=settings.forward_retention_seconds if settings.relay else None,
    )
    return Forwarder(store, store.forwarding, target, Protocol(settings.forward_protocol), options)


def banner_line(forwarder: Forwarder) -> str:
    """``Forwarding: <url> over <protocol> …`` for the start banner."""
    options = forwarder.options
    return (
        f"Forwarding: {forwarder.target.base} over {describe_protocol(forwarder.protocol)}; "
        f"a trace goes {options.quiet_seconds:g} s after its root's last span (or after "
        f"{options.timeout_seconds:g} s without a root); backlog ≤ {options.max_backlog_traces} traces"
    )
