"""Settings: argument > environment > default, validated by variable name; the library's
``ClientSettings``: argument > ``OTEL_BRIDGE_*`` > ``LANGFUSE_*``; and the one environment reader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import otel_bridge
from otel_bridge.config import ClientSettings, Settings, database_url, env_name, hostport, parse_size
from otel_bridge.errors import ConfigError


class TestSettings:
    def test_defaults(self) -> None:
        """Without arguments or environment the docs/architecture.md defaults apply."""
        settings = Settings.load({})
        assert (settings.listen_host, settings.http_port, settings.grpc_port) == ("127.0.0.1", 4318, 4317)
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
        monkeypatch.setenv("OTEL_BRIDGE_LISTEN_HOST", "0.0.0.0")
        settings = Settings.load()
        monkeypatch.setenv("OTEL_BRIDGE_LISTEN_HOST", "10.0.0.1")
        assert settings.listen_host == "0.0.0.0"

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
            ({"OTEL_BRIDGE_UI_COOKIE_SECRET": "short"}, "OTEL_BRIDGE_UI_COOKIE_SECRET"),
            ({"OTEL_BRIDGE_UI_SESSION_HOURS": "0"}, "OTEL_BRIDGE_UI_SESSION_HOURS"),
            ({"OTEL_BRIDGE_UI_SESSION_HOURS": "soon"}, "OTEL_BRIDGE_UI_SESSION_HOURS"),
            ({"OTEL_BRIDGE_DECODER": "fast"}, "OTEL_BRIDGE_DECODER"),
        ],
    )
    def test_invalid_values_name_their_variable(self, env: dict[str, str], variable: str) -> None:
        """An impossible value raises ConfigError naming the variable."""
        with pytest.raises(ConfigError, match=variable):
            Settings.load(env)

    def test_ui_sign_in_settings(self) -> None:
        """The UI's cookie secret and sign-in lifetime come from the environment; the secret stays out
        of the settings' repr (logs)."""
        secret = "s" * 40
        settings = Settings.load(
            {"OTEL_BRIDGE_UI_COOKIE_SECRET": secret, "OTEL_BRIDGE_UI_SESSION_HOURS": "1.5"}
        )
        assert (settings.ui_cookie_secret, settings.ui_session_hours) == (secret, 1.5)
        assert secret not in repr(settings)
        assert (Settings.load({}).ui_cookie_secret, Settings.load({}).ui_session_hours) == (None, 12.0)

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


class TestOneMeaningPerSetting:
    """Issue 15: OTEL_BRIDGE_HOST meant serve's listen address and the library's server URL."""

    def test_the_retired_variable_is_refused_by_both_naming_the_two_that_replace_it(self) -> None:
        env = {"OTEL_BRIDGE_HOST": "http://127.0.0.1:14318"}
        for load in (
            lambda: Settings.load(env),
            lambda: ClientSettings.load(env, public_key="pk", secret_key="sk"),
        ):
            with pytest.raises(ConfigError) as raised:
                load()
            message = str(raised.value)
            assert "OTEL_BRIDGE_HOST='http://127.0.0.1:14318' is no longer read" in message
            assert "OTEL_BRIDGE_LISTEN_HOST" in message and "OTEL_BRIDGE_URL" in message

    def test_listen_host_and_url_are_separate_settings(self) -> None:
        env = {"OTEL_BRIDGE_LISTEN_HOST": "0.0.0.0", "OTEL_BRIDGE_URL": "http://bridge.internal:4318"}
        assert Settings.load(env).listen_host == "0.0.0.0"
        assert ClientSettings.load(env, public_key="pk", secret_key="sk").url == "http://bridge.internal:4318"

    @pytest.mark.parametrize(
        ("value", "rule"),
        [
            ("http://127.0.0.1:14318", "is a URL"),
            ("127.0.0.1:14318", "is not an address"),
            ("[::1]", "is not an address"),
        ],
    )
    def test_a_url_or_a_port_as_the_listen_host_names_flag_and_variable(self, value: str, rule: str) -> None:
        for given in ({"environ": {"OTEL_BRIDGE_LISTEN_HOST": value}}, {"environ": {}, "listen_host": value}):
            with pytest.raises(ConfigError) as raised:
                Settings.load(**given)
            assert "--listen-host/OTEL_BRIDGE_LISTEN_HOST" in str(raised.value)
            assert rule in str(raised.value)

    def test_an_empty_listen_host_flag(self) -> None:
        """(An empty variable is "not set", as for every setting.)"""
        with pytest.raises(ConfigError, match="--listen-host/OTEL_BRIDGE_LISTEN_HOST is empty"):
            Settings.load({}, listen_host="")
        assert Settings.load({"OTEL_BRIDGE_LISTEN_HOST": " "}).listen_host == "127.0.0.1"

    def test_addresses_and_names_are_accepted(self) -> None:
        for host in ("127.0.0.1", "0.0.0.0", "::1", "::", "localhost", "bridge.internal"):
            assert Settings.load({}, listen_host=host).listen_host == host

    @pytest.mark.parametrize(
        ("name", "value", "named"),
        [
            ("http_port", "abc", "--http-port/OTEL_BRIDGE_HTTP_PORT='abc': not an integer"),
            ("queue_bytes", "lots", "--queue-bytes/OTEL_BRIDGE_QUEUE_BYTES='lots': 'lots' is not a size"),
            (
                "shutdown_seconds",
                "soon",
                "--shutdown-seconds/OTEL_BRIDGE_SHUTDOWN_SECONDS='soon': not a number",
            ),
            ("db", "otel.db", "--db/OTEL_BRIDGE_DB='otel.db' is not a SQLAlchemy URL"),
        ],
    )
    def test_a_value_of_the_wrong_kind_names_flag_and_variable(
        self, name: str, value: str, named: str
    ) -> None:
        """The same line whether the value came from the flag (as text) or the variable."""
        for given in ({"environ": {env_name(name): value}}, {"environ": {}, name: value}):
            with pytest.raises(ConfigError) as raised:
                Settings.load(**given)
            assert str(raised.value).startswith(named)
            assert "\n" not in str(raised.value)

    @pytest.mark.parametrize(
        ("env", "argument", "named"),
        [
            (
                {"OTEL_BRIDGE_URL": "127.0.0.1:4318"},
                None,
                "OTEL_BRIDGE_URL='127.0.0.1:4318' is not an http(s) URL",
            ),
            ({"LANGFUSE_HOST": "bridge:4318"}, None, "LANGFUSE_HOST='bridge:4318' is not an http(s) URL"),
            ({}, "grpc://h:4317", "url='grpc://h:4317' is not an http(s) URL"),
        ],
    )
    def test_a_client_url_of_the_wrong_kind_names_where_it_came_from(
        self, env: dict[str, str], argument: str | None, named: str
    ) -> None:
        with pytest.raises(ConfigError) as raised:
            ClientSettings.load(env, url=argument, public_key="pk", secret_key="sk")
        assert str(raised.value).startswith(named)


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
            "OTEL_BRIDGE_URL": "http://bridge",
            "LANGFUSE_BASE_URL": "http://langfuse",
            "LANGFUSE_HOST": "http://langfuse-old",
            "OTEL_BRIDGE_PUBLIC_KEY": " ",
            "LANGFUSE_PUBLIC_KEY": "pk-langfuse",
            "OTEL_BRIDGE_SECRET_KEY": "sk-bridge",
        }
        settings = ClientSettings.load(env, secret_key="sk-argument")
        assert settings == ClientSettings("http://bridge", "pk-langfuse", "sk-argument")

    @pytest.mark.parametrize(
        ("given", "named"),
        [
            ({}, "pass url= or set OTEL_BRIDGE_URL or LANGFUSE_BASE_URL or LANGFUSE_HOST"),
            ({"url": "http://h"}, "pass public_key= or set OTEL_BRIDGE_PUBLIC_KEY or LANGFUSE_PUBLIC_KEY"),
            (
                {"url": "http://h", "public_key": "pk"},
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
            monkeypatch.delenv("OTEL_BRIDGE_URL", raising=False)
            monkeypatch.delenv("LANGFUSE_BASE_URL", raising=False)
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
