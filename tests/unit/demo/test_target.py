"""``otel_bridge.demo.target``: where the demo sends — flags, then ``OTEL_EXPORTER_OTLP_*``, then
``LANGFUSE_*``, then the defaults — from an environment given as an argument."""

from __future__ import annotations

import base64

import pytest

from otel_bridge.demo.target import resolve_target
from otel_bridge.errors import CommandError

KEYS = {"LANGFUSE_PUBLIC_KEY": "pk-lf-1", "LANGFUSE_SECRET_KEY": "sk-lf-1"}
BASIC = "Basic " + base64.b64encode(b"pk-lf-1:sk-lf-1").decode()


class TestResolveTarget:
    """Endpoint and credentials: flags, then OTEL_EXPORTER_OTLP_*, then LANGFUSE_*, then defaults."""

    def test_defaults_to_local_server_over_http(self) -> None:
        """Only keys set: http://127.0.0.1:4318/v1/traces, Basic auth from the LANGFUSE_* pair."""
        target = resolve_target(environ=KEYS)
        assert target.export_endpoint == "http://127.0.0.1:4318/v1/traces"
        assert target.authorization == BASIC
        assert (target.ui_url, target.api_url) == (
            "http://127.0.0.1:4318/",
            "http://127.0.0.1:4318/api/public/sessions",
        )

    def test_otel_variables_beat_langfuse_ones(self) -> None:
        """OTEL_EXPORTER_OTLP_ENDPOINT/HEADERS (URL-encoded) win over LANGFUSE_HOST and the key pair."""
        env = {
            **KEYS,
            "LANGFUSE_HOST": "http://langfuse:3000",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://bridge:4318/",
            "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Basic%20abc,x-tenant=t1",
        }
        target = resolve_target(environ=env)
        assert target.export_endpoint == "http://bridge:4318/v1/traces"
        assert target.headers == {"x-tenant": "t1", "Authorization": "Basic abc"}

    def test_flags_beat_the_environment(self) -> None:
        """--endpoint and --public-key/--secret-key override every variable."""
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://bridge:4318", "OTEL_EXPORTER_OTLP_HEADERS": "a=b"}
        target = resolve_target("http", "http://other:9000/v1/traces", "pk-lf-1", "sk-lf-1", environ=env)
        assert target.export_endpoint == "http://other:9000/v1/traces"
        assert target.authorization == BASIC

    def test_langfuse_host_with_otel_path(self) -> None:
        """A LANGFUSE_HOST given with Langfuse's OTel path still yields the server's base URL."""
        target = resolve_target(environ={**KEYS, "LANGFUSE_HOST": "https://lf.example/api/public/otel"})
        assert target.web_base == "https://lf.example"

    def test_grpc_uses_port_4317_of_the_http_host(self) -> None:
        """--protocol grpc without --endpoint: the HTTP endpoint's host on port 4317; the UI stays HTTP."""
        env = {**KEYS, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://bridge:4318"}
        target = resolve_target("grpc", environ=env)
        assert (target.export_endpoint, target.secure) == ("bridge:4317", False)
        assert target.ui_url == "http://bridge:4318/"

    def test_grpc_uses_the_address_serve_printed(self) -> None:
        """Issue 15: serve on other ports prints OTEL_BRIDGE_GRPC_ENDPOINT; --protocol grpc sends there."""
        env = {
            **KEYS,
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:14318",
            "OTEL_BRIDGE_GRPC_ENDPOINT": "127.0.0.1:14317",
        }
        target = resolve_target("grpc", environ=env)
        assert (target.export_endpoint, target.ui_url) == ("127.0.0.1:14317", "http://127.0.0.1:14318/")
        assert resolve_target("grpc", "127.0.0.1:24317", environ=env).export_endpoint == "127.0.0.1:24317"

    def test_the_otel_protocol_variable_chooses_grpc_and_its_endpoint(self) -> None:
        """``OTEL_EXPORTER_OTLP_PROTOCOL=grpc`` (the README's gRPC variant): the transport is gRPC, the
        OTLP endpoint is the gRPC address, and the UI is at LANGFUSE_HOST."""
        env = {
            **KEYS,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:14317",
            "LANGFUSE_HOST": "http://127.0.0.1:14318",
        }
        target = resolve_target(environ=env)
        assert (target.protocol, target.export_endpoint) == ("grpc", "127.0.0.1:14317")
        assert target.ui_url == "http://127.0.0.1:14318/"
        assert resolve_target("http", environ=env).export_endpoint == "http://127.0.0.1:14318/v1/traces"

    def test_grpc_endpoint_flag_and_tls(self) -> None:
        """--endpoint is the gRPC address; https:// means TLS."""
        target = resolve_target("grpc", "https://bridge.example:443", environ=KEYS)
        assert (target.export_endpoint, target.secure) == ("bridge.example:443", True)

    def test_missing_keys_name_the_variables(self) -> None:
        """No credentials: status 2, naming OTEL_EXPORTER_OTLP_HEADERS and the unset LANGFUSE_* one."""
        with pytest.raises(CommandError) as caught:
            resolve_target(environ={"LANGFUSE_PUBLIC_KEY": "pk-lf-1"})
        assert caught.value.exit_status == 2
        assert "OTEL_EXPORTER_OTLP_HEADERS" in caught.value.message
        assert "set LANGFUSE_SECRET_KEY (" in caught.value.message

    def test_half_a_key_pair_of_flags_is_refused(self) -> None:
        """--secret-key without --public-key is a usage error naming the missing flag."""
        with pytest.raises(CommandError, match="--secret-key was given without --public-key"):
            resolve_target(secret_key="sk-lf-1", environ=KEYS)

    def test_unencoded_header_values_are_read_as_the_sdk_reads_them(self) -> None:
        """``OTEL_EXPORTER_OTLP_HEADERS`` is parsed as the SDK's exporters parse it: a value that is not
        URL-encoded (``Basic abc``) is taken as written, and header names come out lower-cased."""
        env = {"OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Basic abc , X-Tenant=t%201"}
        target = resolve_target(environ=env)
        assert target.headers == {"x-tenant": "t 1", "Authorization": "Basic abc"}
