"""Settings: argument > environment > default, validated by variable name."""

from __future__ import annotations

import pytest

from otel_bridge.config import Settings, parse_size
from otel_bridge.errors import ConfigError


class TestSettings:
    def test_defaults(self) -> None:
        """Without arguments or environment the DESIGN.md defaults apply."""
        settings = Settings.load({})
        assert (settings.host, settings.http_port, settings.grpc_port) == ("127.0.0.1", 4318, 4317)
        assert settings.db == "sqlite:///otel-bridge.db"
        assert settings.public_key is None and settings.secret_key is None

    def test_environment_beats_default_and_argument_beats_environment(self) -> None:
        """``OTEL_BRIDGE_*`` overrides defaults; arguments override the environment; None is "not given"."""
        env = {
            "OTEL_BRIDGE_HTTP_PORT": "5000",
            "OTEL_BRIDGE_GRPC_PORT": "5001",
            "OTEL_BRIDGE_QUEUE_BYTES": "64MiB",
        }
        settings = Settings.load(env, http_port=6000, grpc_port=None)
        assert (settings.http_port, settings.grpc_port) == (6000, 5001)
        assert settings.queue_bytes == 64 * 1024 * 1024

    def test_environment_is_read_only_when_loading(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``load()`` reads the process environment once; the instance does not change afterwards."""
        monkeypatch.setenv("OTEL_BRIDGE_HOST", "0.0.0.0")
        settings = Settings.load()
        monkeypatch.setenv("OTEL_BRIDGE_HOST", "10.0.0.1")
        assert settings.host == "0.0.0.0"

    @pytest.mark.parametrize(
        ("env", "variable"),
        [
            ({"OTEL_BRIDGE_HTTP_PORT": "http"}, "OTEL_BRIDGE_HTTP_PORT"),
            ({"OTEL_BRIDGE_GRPC_PORT": "70000"}, "OTEL_BRIDGE_GRPC_PORT"),
            ({"OTEL_BRIDGE_HTTP_PORT": "4317"}, "OTEL_BRIDGE_HTTP_PORT"),
            ({"OTEL_BRIDGE_DB": "otel.db"}, "OTEL_BRIDGE_DB"),
            ({"OTEL_BRIDGE_PUBLIC_KEY": "pk-lf-1"}, "OTEL_BRIDGE_SECRET_KEY"),
            ({"OTEL_BRIDGE_PUBLIC_KEY": "x", "OTEL_BRIDGE_SECRET_KEY": "sk-1"}, "OTEL_BRIDGE_PUBLIC_KEY"),
            ({"OTEL_BRIDGE_QUEUE_BYTES": "1MiB"}, "OTEL_BRIDGE_QUEUE_BYTES"),
            ({"OTEL_BRIDGE_MAX_REQUEST_BYTES": "12 parsecs"}, "OTEL_BRIDGE_MAX_REQUEST_BYTES"),
            ({"OTEL_BRIDGE_MAX_DECOMPRESSED_BYTES": "1KiB"}, "OTEL_BRIDGE_MAX_DECOMPRESSED_BYTES"),
            ({"OTEL_BRIDGE_SHUTDOWN_SECONDS": "-1"}, "OTEL_BRIDGE_SHUTDOWN_SECONDS"),
        ],
    )
    def test_invalid_values_name_their_variable(self, env: dict[str, str], variable: str) -> None:
        """An impossible value raises ConfigError naming the variable."""
        with pytest.raises(ConfigError, match=variable):
            Settings.load(env)

    def test_unknown_argument(self) -> None:
        """A misspelt setting is an error, not silently ignored."""
        with pytest.raises(ConfigError, match="http_prot"):
            Settings.load({}, http_prot=1)

    def test_sizes(self) -> None:
        """Sizes accept plain bytes and binary suffixes."""
        assert parse_size("1024") == 1024
        assert parse_size("512KiB") == 512 * 1024
        assert parse_size("2 mb") == 2 * 1024 * 1024
        assert parse_size("1G") == 1024**3
        with pytest.raises(ValueError, match="not a size"):
            parse_size("-5")
