"""The listen address: loopback by default; beyond loopback without TLS, ``serve`` warns."""

from __future__ import annotations

import pytest

from otel_bridge.config import Settings
from otel_bridge.server import bind_warning


def test_default_bind_is_loopback() -> None:
    """Without a flag or variable the server listens on 127.0.0.1 only."""
    assert Settings().listen_host == "127.0.0.1"
    assert Settings.load({}).listen_host == "127.0.0.1"
    assert bind_warning(Settings.load({})) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "bridge.example.com"])
def test_binding_elsewhere_without_tls_warns(host: str) -> None:
    """A non-loopback address without a certificate gets a warning naming the fix."""
    warning = bind_warning(Settings.load({}, listen_host=host))
    assert warning is not None
    assert host in warning and "--tls-cert" in warning


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_does_not_warn(host: str) -> None:
    assert bind_warning(Settings.load({}, listen_host=host)) is None


def test_tls_silences_the_warning() -> None:
    settings = Settings.load({}, listen_host="0.0.0.0", tls_cert="cert.pem", tls_key="key.pem")
    assert bind_warning(settings) is None


@pytest.mark.parametrize(("given", "missing"), [("tls_cert", "TLS_KEY"), ("tls_key", "TLS_CERT")])
def test_tls_needs_both_files(given: str, missing: str) -> None:
    from otel_bridge.errors import ConfigError

    with pytest.raises(ConfigError, match=missing):
        Settings.load({}, **{given: "x.pem"})
