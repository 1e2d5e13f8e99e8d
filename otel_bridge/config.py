"""Settings, resolved once: ``Settings`` (every knob of ``otel-bridge serve``) and ``ClientSettings``
(where the in-process library sends). Only this module reads the environment; components take typed
arguments. It imports nothing but ``errors`` and the standard library, so that the library can use it
without loading the server stack.

Each server setting comes from, in this order: a command-line flag (``--http-port``; or a keyword of
``Settings.load``), the environment variable ``OTEL_BRIDGE_<NAME>`` (``OTEL_BRIDGE_HTTP_PORT``), the
default. The fields of ``Settings`` carry each one's help and shown default: ``otel-bridge serve
--help`` is generated from them (``describe_settings``), so it lists every setting. Flag values and
variables are parsed by the same rules, and every refusal is one ``ConfigError`` line naming both the
flag and the variable (``label``).

Each name means one thing: ``OTEL_BRIDGE_LISTEN_HOST`` is the address ``serve`` listens on, and
``OTEL_BRIDGE_URL`` the server URL the library sends to. The old ``OTEL_BRIDGE_HOST``, which meant
both, is refused with a line saying which of the two to set.

The forwarding settings (``forward_*``, ``otel_bridge.forward``) take the target's keys from
``LANGFUSE_PUBLIC_KEY``/``LANGFUSE_SECRET_KEY`` when their own variables are not set, and ``relay``
its URL from ``LANGFUSE_HOST``, so that an application's Langfuse variables serve as they are.

``ui_cookie_secret`` (at least 32 characters) must be the same on every replica that serves the UI,
and set for sign-ins to outlive a restart; without it each process signs with a key of its own.

Rate limits allow a burst of two seconds' worth (``receivers/ratelimit.py``); the other limits are
explained in ``ingest/limits.py``.

Byte sizes accept a plain integer or a suffix: ``512KiB``, ``16MiB``, ``1GiB`` (also ``KB``/``MB``/``GB``
as powers of 1024, as most operators mean them).

``ClientSettings`` (``url``, ``public_key``, ``secret_key``): each from an argument of
``ClientSettings.load``, else the first variable of ``CLIENT_VARIABLES`` that is set (``OTEL_BRIDGE_*``,
then Langfuse's, so that an application already set up for Langfuse needs no new variables); a
missing one is a ``ConfigError`` naming the variables.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from otel_bridge.errors import ConfigError

ENV_PREFIX = "OTEL_BRIDGE_"
DEFAULT_DB = "sqlite:///otel-bridge.db"
MiB = 1024 * 1024

#: ``Settings.decoder``'s values (``otlp/decoders.py``).
DECODERS = ("auto", "compiled", "upb")
_SIZE = re.compile(r"^\s*(\d+)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": MiB, "g": 1024 * MiB}


#: The variable that meant two things; ``Settings.load`` and ``ClientSettings.load`` refuse it.
RETIRED_HOST_VARIABLE = ENV_PREFIX + "HOST"


#: ``_setting``'s default for ``flag``: the flag is named after the field (``flag_name``).
_NAMED_FLAG = ""


def _setting(
    default: Any = None,
    *,
    help: str,
    shown: str | None = None,
    factory: Any = None,
    flag: str | None = _NAMED_FLAG,
    secret: bool = False,
) -> Any:
    """A ``Settings`` field with its ``--help`` text, the default as ``--help`` shows it, and its flag
    when it is not named after the field (None: no flag; the command sets it); a ``secret`` is left out
    of the settings' repr, so that logs do not show it."""
    metadata = {"help": help, "shown": shown, "flag": flag}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata, repr=not secret)
    return dataclasses.field(default=default, metadata=metadata, repr=not secret)


@dataclass(frozen=True)
class Settings:
    """The server's settings; build it with ``Settings.load`` to honour the environment."""

    listen_host: str = _setting(
        "127.0.0.1", help="address to listen on (0.0.0.0: every interface; an address, not a URL)"
    )
    http_port: int = _setting(4318, help="OTLP/HTTP, API and UI port (0: any free port)")
    grpc_port: int = _setting(4317, help="OTLP/gRPC port (0: any free port)")
    db: str = _setting(
        DEFAULT_DB,
        help="SQLAlchemy URL of the database: sqlite:///path.db or postgresql+psycopg://user:pass@host/db",
    )
    public_key: str | None = _setting(
        help="the default project's public key (pk-…); with --secret-key, replaces a generated pair",
        shown="generated on first start",
    )
    secret_key: str | None = _setting(
        help="the default project's secret key (sk-…)", shown="generated on first start", secret=True
    )
    max_request_bytes: int = _setting(8 * MiB, help="largest HTTP body as sent", shown="8MiB")
    max_decompressed_bytes: int = _setting(
        16 * MiB, help="largest body after gzip, and largest gRPC message", shown="16MiB"
    )
    queue_bytes: int = _setting(
        32 * MiB, help="decompressed bodies admitted but not yet committed (then 503)", shown="32MiB"
    )
    max_batch_spans: int = _setting(4096, help="spans per group commit")
    shutdown_seconds: float = _setting(10.0, help="on SIGTERM, how long to drain the queue")
    auth_cache_seconds: float = _setting(60.0, help="how long a successful authentication is remembered")
    #: Worker processes that decode, translate and prepare requests beside the writer (see
    #: ``ingest/workers.py``): one core is left to the writer and the event loop.
    decode_processes: int = _setting(
        help="worker processes decoding requests (0: a thread)",
        shown="cores - 1, at least 1",
        factory=lambda: max(1, (os.cpu_count() or 1) - 1),
    )
    commit_delay_seconds: float = _setting(0.0, help="testing only: slows every commit by this much")
    #: Forwarding to a Langfuse server (``otel_bridge.forward``); off without a URL.
    forward_url: str | None = _setting(
        help="the Langfuse server to forward traces to, e.g. https://cloud.langfuse.com (relay: also "
        "$LANGFUSE_HOST)",
        shown="none: no forwarding",
        flag="--forward",
    )
    forward_public_key: str | None = _setting(
        help="the target project's public key (else $LANGFUSE_PUBLIC_KEY)", shown="$LANGFUSE_PUBLIC_KEY"
    )
    forward_secret_key: str | None = _setting(
        help="the target project's secret key (else $LANGFUSE_SECRET_KEY)",
        shown="$LANGFUSE_SECRET_KEY",
        secret=True,
    )
    forward_protocol: str = _setting(
        "auto",
        help="the target's OTel endpoint (otel), batch ingestion (ingestion), or auto: detected at start",
    )
    forward_quiet_seconds: float = _setting(3.0, help="forward a trace once no span came for this long")
    forward_timeout_seconds: float = _setting(180.0, help="forward a trace whose root never came after this")
    forward_max_backlog: int = _setting(
        100_000, help="traces not yet delivered before ingestion answers 503 / UNAVAILABLE"
    )
    forward_batch_bytes: int = _setting(3_500_000, help="largest request to the target", shown="3.5MB")
    forward_retention_seconds: float = _setting(
        3600.0, help="relay: delivered traces are deleted after this long"
    )
    #: ``otel-bridge relay``: the store is only the forwarder's spool (no UI, no API); set by the
    #: command, not a flag of its own.
    relay: bool = _setting(False, help="the relay command: the store is only a spool", flag=None)
    #: Mask credential-shaped values in arriving OTLP spans (``translate.masking.mask_secrets``).
    mask_secrets: bool = _setting(
        True, help="mask API keys, bearer tokens and credential-named values in arriving spans (true/false)"
    )
    #: Signs the UI's sign-in cookies; without it each process signs with its own random key, so set
    #: the same secret on every replica behind one address.
    ui_cookie_secret: str | None = _setting(
        help="secret (32+ characters) signing the UI's sign-in cookies",
        shown="random at each start",
        secret=True,
    )
    ui_session_hours: float = _setting(12.0, help="how long a UI sign-in lasts")
    # Abuse limits (``ingest/limits.py``, ``receivers/ratelimit.py``), each counted in ``/metrics``.
    max_attribute_value_length: int = _setting(
        256 * 1024, help="longest attribute value kept, in characters (longer: truncated, marked)"
    )
    max_attributes_per_span: int = _setting(1024, help="most attributes a span may carry (more: rejected)")
    max_spans_per_request: int = _setting(
        50_000, help="most spans (or Langfuse events) a request may carry (413)"
    )
    max_id_length: int = _setting(800, help="longest session id, user id or trace name kept")
    ingest_rate_limit: float = _setting(
        1000.0, help="ingest requests per second per project (0: off; then 429)"
    )
    read_rate_limit: float = _setting(
        100.0, help="API and UI requests per second per project (0: off; then 429)"
    )
    tls_cert: str | None = _setting(
        help="PEM certificate file: serve HTTPS and gRPC over TLS (with --tls-key)", shown="none"
    )
    tls_key: str | None = _setting(help="PEM private key file of --tls-cert", shown="none")
    #: The OTLP protobuf decoder (``otlp/decoders.py``): ``auto``, ``compiled`` or ``upb``.
    decoder: str = _setting(
        "auto", help="OTLP protobuf decoder: auto (the compiled one when built), compiled or upb"
    )

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **arguments: Any) -> Settings:
        """Settings from ``arguments`` (None means "not given"), then ``environ`` (default: the
        process environment), then the defaults; validated."""
        env = _environment(environ)
        _refuse_retired_host(env)
        names = [field.name for field in dataclasses.fields(cls)]
        unknown = arguments.keys() - set(names)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for name in names:
            value = _resolve(name, arguments.get(name), env)
            if value is not None:
                values[name] = value
        _langfuse_target(values, env)
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise ``ConfigError`` naming the flag and variable of the first impossible value."""
        for name in ("http_port", "grpc_port"):
            port = getattr(self, name)
            if not 0 <= port <= 65535:
                raise ConfigError(f"{label(name)}={port}: a port is 0-65535 (0 picks a free port)")
        if self.http_port == self.grpc_port != 0:
            raise ConfigError(
                f"{label('http_port')} and {label('grpc_port')} are both {self.http_port}: "
                "HTTP and gRPC need their own ports"
            )
        _check_listen_host(self.listen_host)
        _check_database_url(self.db)
        if (self.public_key is None) != (self.secret_key is None):
            given, missing = (
                ("public_key", "secret_key") if self.secret_key is None else ("secret_key", "public_key")
            )
            raise ConfigError(f"{label(given)} is set but {label(missing)} is not: give both keys or neither")
        if self.public_key is not None and not self.public_key.startswith("pk-"):
            raise ConfigError(f"{label('public_key')} must start with 'pk-' (e.g. pk-lf-…)")
        if self.secret_key is not None and not self.secret_key.startswith("sk-"):
            raise ConfigError(f"{label('secret_key')} must start with 'sk-' (e.g. sk-lf-…)")
        for name in ("max_request_bytes", "max_decompressed_bytes", "queue_bytes", "max_batch_spans"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{label(name)}={getattr(self, name)} must be positive")
        if self.max_decompressed_bytes < self.max_request_bytes:
            raise ConfigError(
                f"{label('max_decompressed_bytes')} ({self.max_decompressed_bytes}) is below "
                f"{label('max_request_bytes')} ({self.max_request_bytes}): an uncompressed body at the "
                "request limit would be refused"
            )
        if self.queue_bytes < self.max_decompressed_bytes:
            # A request is admitted only when its decompressed size fits in the queue; a smaller queue
            # would answer 503 to a valid request forever, and clients would retry it forever.
            raise ConfigError(
                f"{label('queue_bytes')} ({self.queue_bytes}) is below "
                f"{label('max_decompressed_bytes')} ({self.max_decompressed_bytes}): "
                "the largest accepted request must fit in the queue"
            )
        for name in (
            "max_attribute_value_length",
            "max_attributes_per_span",
            "max_spans_per_request",
            "max_id_length",
        ):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{env_name(name)}={getattr(self, name)} must be positive")
        for name in ("ingest_rate_limit", "read_rate_limit"):
            if getattr(self, name) < 0:
                raise ConfigError(
                    f"{env_name(name)}={getattr(self, name)} must not be negative (0: no limit)"
                )
        if (self.tls_cert is None) != (self.tls_key is None):
            given, missing = ("tls_cert", "tls_key") if self.tls_key is None else ("tls_key", "tls_cert")
            raise ConfigError(
                f"{env_name(given)} is set but {env_name(missing)} is not: "
                "TLS needs the certificate and its key"
            )
        if self.decode_processes < 0:
            raise ConfigError(f"{label('decode_processes')}={self.decode_processes} must not be negative")
        if self.ui_cookie_secret is not None and len(self.ui_cookie_secret) < 32:
            raise ConfigError(f"{label('ui_cookie_secret')} must be at least 32 characters")
        if self.ui_session_hours <= 0:
            raise ConfigError(f"{label('ui_session_hours')}={self.ui_session_hours} must be positive")
        if self.decoder not in DECODERS:
            raise ConfigError(f"{label('decoder')}={self.decoder!r}: one of {', '.join(DECODERS)}")
        for name in ("shutdown_seconds", "auth_cache_seconds", "commit_delay_seconds"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{label(name)}={getattr(self, name)} must not be negative")
        self._validate_forwarding()

    def _validate_forwarding(self) -> None:
        if self.forward_url is None:
            if self.relay:
                raise ConfigError(
                    f"otel-bridge relay needs a target: {label('forward_url')} or LANGFUSE_HOST"
                )
            return
        if not self.forward_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"{label('forward_url')}={self.forward_url!r} must be an http:// or https:// URL "
                "(the Langfuse server's base, e.g. https://cloud.langfuse.com)"
            )
        for name, variable in (
            ("forward_public_key", "LANGFUSE_PUBLIC_KEY"),
            ("forward_secret_key", "LANGFUSE_SECRET_KEY"),
        ):
            if not getattr(self, name):
                raise ConfigError(
                    f"forwarding to {self.forward_url} needs {label(name)} (or {variable}): "
                    "the target project's keys"
                )
        if self.forward_protocol not in FORWARD_PROTOCOLS:
            raise ConfigError(
                f"{label('forward_protocol')}={self.forward_protocol!r}: "
                f"one of {', '.join(FORWARD_PROTOCOLS)}"
            )
        for name in ("forward_quiet_seconds", "forward_timeout_seconds", "forward_retention_seconds"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{label(name)}={getattr(self, name)} must not be negative")
        for name in ("forward_max_backlog", "forward_batch_bytes"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{label(name)}={getattr(self, name)} must be positive")


#: The target protocols of ``--forward-protocol``.
FORWARD_PROTOCOLS = ("auto", "otel", "ingestion")


def _langfuse_target(values: dict[str, Any], env: Mapping[str, str]) -> None:
    """The ``LANGFUSE_*`` variables an application set up for Langfuse already has: the target's keys
    when forwarding, and (for ``relay``, which always forwards) its URL."""
    if values.get("relay") and not values.get("forward_url"):
        host = env.get("LANGFUSE_HOST", "").strip()
        if host:
            values["forward_url"] = host
    if values.get("forward_url"):
        for name, variable in (
            ("forward_public_key", "LANGFUSE_PUBLIC_KEY"),
            ("forward_secret_key", "LANGFUSE_SECRET_KEY"),
        ):
            if not values.get(name) and env.get(variable, "").strip():
                values[name] = env[variable].strip()


#: The flags not named after their field.
_FLAGS: dict[str, str] = {
    field.name: field.metadata["flag"] for field in dataclasses.fields(Settings) if field.metadata["flag"]
}


@dataclass(frozen=True, slots=True)
class SettingHelp:
    """One setting as ``otel-bridge serve --help`` lists it."""

    name: str
    flag: str
    variable: str
    default: str
    help: str


def describe_settings() -> list[SettingHelp]:
    """Every ``Settings`` field with its flag, variable, shown default and help, in field order."""
    described = []
    defaults = Settings()
    for field in dataclasses.fields(Settings):
        if field.metadata["flag"] is None:
            continue
        default = getattr(defaults, field.name)
        shown = field.metadata.get("shown")
        if shown is None:
            shown = f"{default:g}" if isinstance(default, float) else str(default)
        described.append(
            SettingHelp(
                field.name, flag_name(field.name), env_name(field.name), shown, field.metadata["help"]
            )
        )
    return described


def database_url(argument: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The database as ``Settings.load`` resolves it (``argument``, else ``OTEL_BRIDGE_DB``, else
    ``DEFAULT_DB``), for commands that need nothing else: the other settings are not checked."""
    env = _environment(environ)
    url = str(_resolve("db", argument, env) or DEFAULT_DB)
    _check_database_url(url)
    return url


def _check_database_url(url: str) -> None:
    if "://" not in url:
        raise ConfigError(
            f"{label('db')}={url!r} is not a SQLAlchemy URL "
            "(sqlite:///path.db or postgresql+psycopg://user:pass@host/db)"
        )


def _check_listen_host(host: str) -> None:
    """An address to bind, not a URL and without a port (a host name is resolved when binding)."""
    where = f"{label('listen_host')}={host!r}"
    if not host:
        raise ConfigError(f"{label('listen_host')} is empty: give an address to listen on, e.g. 127.0.0.1")
    if "/" in host:
        raise ConfigError(
            f"{where} is a URL: give the address to listen on, e.g. 127.0.0.1 or 0.0.0.0, and the "
            "ports with --http-port/--grpc-port (a client's server URL is OTEL_BRIDGE_URL)"
        )
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ConfigError(
                f"{where} is not an address: give the address only (an IPv6 one without brackets), "
                "and the ports with --http-port/--grpc-port"
            ) from None


def _refuse_retired_host(env: Mapping[str, str]) -> None:
    value = env.get(RETIRED_HOST_VARIABLE, "").strip()
    if value:
        raise ConfigError(
            f"{RETIRED_HOST_VARIABLE}={value!r} is no longer read: set {env_name('listen_host')} for the "
            f"address serve listens on, or {CLIENT_VARIABLES['url'][0]} for the server URL the library "
            "sends to"
        )


#: The variables of each ``ClientSettings`` setting, the first one set wins (Langfuse's SDK reads
#: LANGFUSE_BASE_URL before its older LANGFUSE_HOST; so does this).
CLIENT_VARIABLES: dict[str, tuple[str, ...]] = {
    "url": ("OTEL_BRIDGE_URL", "LANGFUSE_BASE_URL", "LANGFUSE_HOST"),
    "public_key": ("OTEL_BRIDGE_PUBLIC_KEY", "LANGFUSE_PUBLIC_KEY"),
    "secret_key": ("OTEL_BRIDGE_SECRET_KEY", "LANGFUSE_SECRET_KEY"),
}


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """Where the in-process library (``otel_bridge.sdk.configure``) sends spans: the server's URL and
    a project's keys. Build it with ``ClientSettings.load`` to honour the environment."""

    url: str
    public_key: str
    secret_key: str

    @classmethod
    def load(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        url: str | None = None,
        public_key: str | None = None,
        secret_key: str | None = None,
    ) -> ClientSettings:
        """Each setting from its argument, else the first of ``CLIENT_VARIABLES`` set in ``environ``
        (default: the process environment); ``ConfigError`` naming the variables when none is, and
        naming where the URL came from when it is not an http(s) URL."""
        env = _environment(environ)
        _refuse_retired_host(env)
        given = {"url": url, "public_key": public_key, "secret_key": secret_key}
        values = {name: _client_setting(name, argument, env) for name, argument in given.items()}
        (server, source) = values["url"]
        parts = urllib.parse.urlsplit(server)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"{source}={server!r} is not an http(s) URL: give the server's URL, e.g. http://127.0.0.1:4318"
            )
        return cls(**{name: value for name, (value, _) in values.items()})


def _client_setting(name: str, argument: str | None, env: Mapping[str, str]) -> tuple[str, str]:
    """The value and where it came from (the argument's name or a variable)."""
    if argument:
        return argument, name
    variables = CLIENT_VARIABLES[name]
    for variable in variables:
        value = env.get(variable, "").strip()
        if value:
            return value, variable
    raise ConfigError(f"otel-bridge {name} is not set: pass {name}= or set {' or '.join(variables)}")


#: The variables a client command (``otel-bridge demo``, the in-process library) may read: where to
#: send, and with which keys.
CLIENT_PREFIXES = ("OTEL_EXPORTER_OTLP_", "LANGFUSE_", ENV_PREFIX)


def client_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The client variables of ``environ`` (default: the process environment), for commands that
    resolve their target from them."""
    env = _environment(environ)
    return {name: value for name, value in env.items() if name.startswith(CLIENT_PREFIXES)}


def hostport(host: str, port: int) -> str:
    """``host:port`` as URLs and gRPC spell an address: an IPv6 literal in brackets (``[::1]:4317``)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def env_name(setting: str) -> str:
    """The environment variable of a setting: ``http_port`` → ``OTEL_BRIDGE_HTTP_PORT``."""
    return ENV_PREFIX + setting.upper()


def flag_name(setting: str) -> str:
    """The ``serve`` flag of a setting: ``http_port`` → ``--http-port`` (``forward_url`` → ``--forward``)."""
    return _FLAGS.get(setting) or "--" + setting.replace("_", "-")


def label(setting: str) -> str:
    """How errors name a setting: its flag and its variable (``--http-port/OTEL_BRIDGE_HTTP_PORT``)."""
    return f"{flag_name(setting)}/{env_name(setting)}"


def parse_size(text: str) -> int:
    """Bytes from ``"1048576"``, ``"512KiB"``, ``"16MiB"``, ``"1GB"``; ``ValueError`` otherwise."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size (e.g. 1048576, 512KiB, 16MiB)")
    number, unit = match.groups()
    return int(number) * _UNITS[unit[:1].lower()]


def _environment(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    """``environ``, or the process environment when it is None: the one read of ``os.environ``."""
    return os.environ if environ is None else environ


def _resolve(name: str, argument: Any, env: Mapping[str, str]) -> Any:
    """One server setting: ``argument`` unless None (parsed when it is text, as a flag's value is),
    else its variable parsed, else None (the default)."""
    if isinstance(argument, str):
        return _parse(name, argument.strip())
    if argument is not None:
        return argument
    raw = env.get(env_name(name), "").strip()
    return _parse(name, raw) if raw else None


def _parse(name: str, raw: str) -> Any:
    parser = _PARSERS.get(name, str)
    try:
        return parser(raw)
    except ValueError as error:
        raise ConfigError(f"{label(name)}={raw!r}: {error}") from None


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError("not an integer") from None


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError("not a number") from None


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("not a boolean (true/false, 1/0, yes/no, on/off)")


_PARSERS: dict[str, Callable[[str], Any]] = {
    "http_port": _int,
    "grpc_port": _int,
    "max_request_bytes": parse_size,
    "max_decompressed_bytes": parse_size,
    "queue_bytes": parse_size,
    "max_batch_spans": _int,
    "decode_processes": _int,
    "shutdown_seconds": _float,
    "auth_cache_seconds": _float,
    "commit_delay_seconds": _float,
    "forward_quiet_seconds": _float,
    "forward_timeout_seconds": _float,
    "forward_retention_seconds": _float,
    "forward_max_backlog": _int,
    "forward_batch_bytes": parse_size,
    "relay": lambda text: text.strip().lower() in ("1", "true", "yes"),
    "mask_secrets": _bool,
    "ui_session_hours": _float,
    "max_attribute_value_length": _int,
    "max_attributes_per_span": _int,
    "max_spans_per_request": _int,
    "max_id_length": _int,
    "ingest_rate_limit": _float,
    "read_rate_limit": _float,
}

__all__ = [
    "CLIENT_PREFIXES",
    "CLIENT_VARIABLES",
    "DEFAULT_DB",
    "ENV_PREFIX",
    "FORWARD_PROTOCOLS",
    "RETIRED_HOST_VARIABLE",
    "ClientSettings",
    "SettingHelp",
    "Settings",
    "client_environment",
    "database_url",
    "describe_settings",
    "env_name",
    "flag_name",
    "hostport",
    "label",
    "parse_size",
]
