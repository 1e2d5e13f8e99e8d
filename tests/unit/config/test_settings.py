"""Settings: argument > environment > default, validated by variable name; the library's
``ClientSettings``: argument > ``OTEL_BRIDGE_*`` > ``LANGFUSE_*``; and the one environment reader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import otel_bridge
from otel_bridge.config import ClientSettings, Settings, database_url, hostport, parse_size
from otel_bridge.errors import ConfigError


class TestSettings:
    def test_defaults(self) -> None:
        """Without arguments or environment the docs/architecture.md defaults apply."""
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
            ({"OTEL_BRIDGE_DECODER": "fast"}, "OTEL_BRIDGE_DECODER"),
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


class TestDatabaseUrl:
    def test_argument_then_environment_then_default(self) -> None:
        """The ``db`` commands' database resolves as ``Settings.db`` does."""
        env = {"OTEL_BRIDGE_DB": "sqlite:///env.db"}
        assert database_url("sqlite:///arg.db", env) == "sqlite:///arg.db"
        assert database_url(None, env) == "sqlite:///env.db"
        assert database_url(None, {"OTEL_BRIDGE_DB": "  "}) == Settings().db

    def test_other_settings_are_not_checked(self) -> None:
        """Only the database matters to the ``db`` commands; a bad URL names its variable."""
        assert database_url(None, {"OTEL_BRIDGE_HTTP_PORT": "http"}) == Settings().db
        with pytest.raises(ConfigError, match="OTEL_BRIDGE_DB"):
            database_url(None, {"OTEL_BRIDGE_DB": "otel.db"})


class TestClientSettings:
    def test_argument_beats_bridge_variable_beats_langfuse_variable(self) -> None:
        """Each setting on its own: the argument, else ``OTEL_BRIDGE_*``, else ``LANGFUSE_*``."""
        env = {
            "OTEL_BRIDGE_HOST": "http://bridge",
            "LANGFUSE_HOST": "http://langfuse",
            "OTEL_BRIDGE_PUBLIC_KEY": " ",
            "LANGFUSE_PUBLIC_KEY": "pk-langfuse",
            "OTEL_BRIDGE_SECRET_KEY": "sk-bridge",
        }
        settings = ClientSettings.load(env, secret_key="sk-argument")
        assert settings == ClientSettings("http://bridge", "pk-langfuse", "sk-argument")

    @pytest.mark.parametrize(
        ("given", "named"),
        [
            ({}, "pass host= or set OTEL_BRIDGE_HOST or LANGFUSE_HOST"),
            ({"host": "http://h"}, "pass public_key= or set OTEL_BRIDGE_PUBLIC_KEY or LANGFUSE_PUBLIC_KEY"),
            (
                {"host": "http://h", "public_key": "pk"},
                "pass secret_key= or set OTEL_BRIDGE_SECRET_KEY or LANGFUSE_SECRET_KEY",
            ),
        ],
    )
    def test_missing_setting_names_its_variables(self, given: dict[str, str], named: str) -> None:
        """A setting given nowhere is a ``ConfigError`` saying how to give it."""
        with pytest.raises(ConfigError, match=re.escape(named)):
            ClientSettings.load({}, **given)

    def test_reads_the_process_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without ``environ``, the process environment is read."""
        for name, value in (
            ("LANGFUSE_HOST", "http://h"),
            ("LANGFUSE_PUBLIC_KEY", "pk"),
            ("LANGFUSE_SECRET_KEY", "sk"),
        ):
            monkeypatch.delenv(name.replace("LANGFUSE_", "OTEL_BRIDGE_"), raising=False)
            monkeypatch.setenv(name, value)
        assert ClientSettings.load() == ClientSettings("http://h", "pk", "sk")


class TestHostport:
    def test_ipv6_literals_are_bracketed(self) -> None:
        """An address for URLs and gRPC: ``host:port``, an IPv6 literal in brackets."""
        assert hostport("127.0.0.1", 4317) == "127.0.0.1:4317"
        assert hostport("::1", 4318) == "[::1]:4318"


class TestOnlyConfigReadsTheEnvironment:
    def test_no_other_module_reads_it(self) -> None:
        """``os.environ`` and ``getenv`` appear in ``config.py`` only."""
        package = Path(otel_bridge.__file__).parent
        readers = {
            str(path.relative_to(package))
            for path in package.rglob("*.py")
            if re.search(r"os\.environ|getenv", path.read_text(encoding="utf-8"))
        }
        assert readers == {"config.py"}
