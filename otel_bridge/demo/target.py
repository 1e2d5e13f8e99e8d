"""Where ``otel-bridge demo`` sends, and with which credentials.

In this order: the flags; ``OTEL_EXPORTER_OTLP_ENDPOINT`` and ``OTEL_EXPORTER_OTLP_HEADERS``
(``Authorization=Basic%20…``); ``LANGFUSE_HOST``, ``LANGFUSE_PUBLIC_KEY`` and ``LANGFUSE_SECRET_KEY``
— the lines ``otel-bridge serve`` prints — then ``http://127.0.0.1:4318``. The environment is an
argument: ``otel_bridge.config`` reads the process's.

The transport is ``--protocol``, else ``OTEL_EXPORTER_OTLP_PROTOCOL`` (``grpc``; anything else is
HTTP), as the OTel SDKs read it. Over gRPC, the address is ``--endpoint``, else
``OTEL_BRIDGE_GRPC_ENDPOINT`` (the gRPC address ``serve`` prints, with its actual port; the collector
configurations read it too), else ``OTEL_EXPORTER_OTLP_ENDPOINT`` when the protocol variable says
``grpc``, else the HTTP endpoint's host on port 4317.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from opentelemetry.util.re import parse_env_headers

from otel_bridge.config import hostport
from otel_bridge.errors import CommandError
from otel_bridge.model.langfuse_wire import basic_authorization

#: The OTLP transport of an export.
Transport = Literal["http", "grpc"]

#: Where ``otel-bridge serve`` listens by default (docs/architecture.md, "Ports, endpoints, command line").
DEFAULT_ENDPOINT = "http://127.0.0.1:4318"
DEFAULT_GRPC_PORT = 4317
DEFAULT_HTTP_PORT = 4318


@dataclass(frozen=True)
class Target:
    """A resolved destination: the exporter's endpoint, its headers and the server's web address."""

    protocol: Transport
    #: The full OTLP/HTTP traces URL, or the gRPC ``host:port``.
    export_endpoint: str
    #: The HTTP base URL of the server (UI at ``/``, API at ``/api/public/...``).
    web_base: str
    authorization: str
    #: Other headers from ``OTEL_EXPORTER_OTLP_HEADERS``, sent as they are.
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    #: gRPC only: TLS (an ``https://`` endpoint).
    secure: bool = False

    @property
    def headers(self) -> dict[str, str]:
        """Every header of an export, ``Authorization`` included."""
        return {**self.extra_headers, "Authorization": self.authorization}

    @property
    def grpc_metadata(self) -> tuple[tuple[str, str], ...]:
        """The headers as gRPC metadata, whose keys must be lower case."""
        return tuple((key.lower(), value) for key, value in self.headers.items())

    @property
    def ui_url(self) -> str:
        """The Sessions view."""
        return f"{self.web_base}/"

    @property
    def api_url(self) -> str:
        """The sessions of the public API."""
        return f"{self.web_base}/api/public/sessions"


def resolve_target(
    protocol: Transport | None = None,
    endpoint: str | None = None,
    public_key: str | None = None,
    secret_key: str | None = None,
    *,
    environ: Mapping[str, str],
) -> Target:
    """The destination from the arguments, then ``environ`` (see the module docstring).

    With gRPC, ``endpoint`` is the gRPC address (``host:port``, ``http://host:port`` or ``https://…``
    for TLS). Raises ``CommandError`` (exit status 2) naming the variables to set when no credentials
    are found."""
    # Liberal, as the SDK's OTLP exporters parse the same variable: a value may also be written
    # unencoded (``Authorization=Basic abc``). Header names come back lower-cased.
    otel_headers = parse_env_headers(environ.get("OTEL_EXPORTER_OTLP_HEADERS", ""), liberal=True)
    authorization = _authorization(public_key, secret_key, otel_headers, environ)
    extra = {key: value for key, value in otel_headers.items() if key != "authorization"}
    otlp_is_grpc = (_variable(environ, "OTEL_EXPORTER_OTLP_PROTOCOL") or "").lower() == "grpc"
    protocol = protocol or ("grpc" if otlp_is_grpc else "http")
    otlp_endpoint = _variable(environ, "OTEL_EXPORTER_OTLP_ENDPOINT")
    langfuse_host = _variable(environ, "LANGFUSE_HOST")
    # When the protocol variable says grpc, the OTLP endpoint is a gRPC address: not the web base.
    env_base = langfuse_host if otlp_is_grpc else (otlp_endpoint or langfuse_host)
    if protocol == "http":
        base = _web_base(endpoint or env_base or DEFAULT_ENDPOINT)
        return Target("http", f"{base}/v1/traces", base, authorization, extra)
    web_base = _web_base(env_base or DEFAULT_ENDPOINT)
    address = (
        endpoint
        or _variable(environ, "OTEL_BRIDGE_GRPC_ENDPOINT")
        or (otlp_endpoint if otlp_is_grpc else None)
    )
    if address:
        parsed = urllib.parse.urlsplit(address if "://" in address else f"http://{address}")
        secure = parsed.scheme == "https"
        host, port = parsed.hostname or "127.0.0.1", parsed.port or DEFAULT_GRPC_PORT
        if not env_base:
            web_base = f"{'https' if secure else 'http'}://{hostport(host, DEFAULT_HTTP_PORT)}"
    else:
        parsed = urllib.parse.urlsplit(web_base)
        secure = parsed.scheme == "https"
        host, port = parsed.hostname or "127.0.0.1", DEFAULT_GRPC_PORT
    return Target("grpc", hostport(host, port), web_base, authorization, extra, secure)


def _variable(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _web_base(url: str) -> str:
    """``http://host:port`` from a base URL or a traces URL (``…/v1/traces``, ``…/api/public/otel``)."""
    base = url.strip().rstrip("/")
    if "://" not in base:
        base = f"http://{base}"
    for suffix in ("/v1/traces", "/api/public/otel"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base.rstrip("/")


def _authorization(
    public_key: str | None,
    secret_key: str | None,
    otel_headers: Mapping[str, str],
    environ: Mapping[str, str],
) -> str:
    if public_key or secret_key:
        if not (public_key and secret_key):
            given, missing = ("--public-key", "--secret-key")
            if secret_key:
                given, missing = missing, given
            raise CommandError(f"{given} was given without {missing}: pass both", exit_status=2)
        return basic_authorization(public_key, secret_key)
    from_headers = otel_headers.get("authorization", "").strip()
    if from_headers:
        return from_headers
    langfuse_public = _variable(environ, "LANGFUSE_PUBLIC_KEY")
    langfuse_secret = _variable(environ, "LANGFUSE_SECRET_KEY")
    if langfuse_public and langfuse_secret:
        return basic_authorization(langfuse_public, langfuse_secret)
    unset = [
        name
        for name, value in (
            ("LANGFUSE_PUBLIC_KEY", langfuse_public),
            ("LANGFUSE_SECRET_KEY", langfuse_secret),
        )
        if not value
    ]
    raise CommandError(
        "no credentials for otel-bridge: set OTEL_EXPORTER_OTLP_HEADERS="
        '"Authorization=Basic%20<base64 of pk-…:sk-…>", or set '
        f"{' and '.join(unset)} (LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY are read together), "
        "or pass --public-key and --secret-key. `otel-bridge serve` prints the export lines at start; "
        "`otel-bridge keys create --project NAME` makes a new pair.",
        exit_status=2,
    )


__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_GRPC_PORT",
    "DEFAULT_HTTP_PORT",
    "Target",
    "Transport",
    "resolve_target",
]
