"""Settings, resolved once: ``Settings`` (every knob of ``otel-bridge serve``) and ``ClientSettings``
(where the in-process library sends). Only this module reads the environment; components take typed
arguments. It imports nothing but ``errors`` and the standard library, so that the library can use it
without loading the server stack.

Each server setting comes from, in this order: an argument (a command-line flag, or a keyword of
``Settings.load``), the environment variable ``OTEL_BRIDGE_<NAME>``, the default below.
``validate()`` rejects impossible combinations at startup, naming the variable.

=============================  ================================  =========================================
setting (flag)                 environment variable              default
=============================  ================================  =========================================
host (--host)                  OTEL_BRIDGE_HOST                  127.0.0.1
http_port (--http-port)        OTEL_BRIDGE_HTTP_PORT             4318 (0: any free port)
grpc_port (--grpc-port)        OTEL_BRIDGE_GRPC_PORT             4317 (0: any free port)
db (--db)                      OTEL_BRIDGE_DB                    sqlite:///otel-bridge.db
public_key (--public-key)      OTEL_BRIDGE_PUBLIC_KEY            generated once
secret_key (--secret-key)      OTEL_BRIDGE_SECRET_KEY            generated once
max_request_bytes              OTEL_BRIDGE_MAX_REQUEST_BYTES     8 MiB (HTTP body as sent)
max_decompressed_bytes         OTEL_BRIDGE_MAX_DECOMPRESSED...   16 MiB (body after gzip; gRPC message)
queue_bytes                    OTEL_BRIDGE_QUEUE_BYTES           32 MiB (decompressed bodies not committed)
max_batch_spans                OTEL_BRIDGE_MAX_BATCH_SPANS       4096 (spans per group commit)
shutdown_seconds               OTEL_BRIDGE_SHUTDOWN_SECONDS      10 (drain deadline on SIGTERM)
auth_cache_seconds             OTEL_BRIDGE_AUTH_CACHE_SECONDS    60 (successful authentications)
decode_processes               OTEL_BRIDGE_DECODE_PROCESSES      cores - 1, at least 1 (0: a thread)
decoder                        OTEL_BRIDGE_DECODER               auto (compiled when built, else upb)
commit_delay_seconds           OTEL_BRIDGE_COMMIT_DELAY_SECONDS  0 (testing only: slows every commit)
=============================  ================================  =========================================

Byte sizes accept a plain integer or a suffix: ``512KiB``, ``16MiB``, ``1GiB`` (also ``KB``/``MB``/``GB``
as powers of 1024, as most operators mean them).

``ClientSettings`` (``host``, ``public_key``, ``secret_key``): each from an argument of
``ClientSettings.load``, else ``OTEL_BRIDGE_<NAME>``, else ``LANGFUSE_<NAME>`` (an application already
set up for Langfuse needs no new variables); a missing one is a ``ConfigError`` naming both variables.
"""

from __future__ import annotations

import dataclasses
import os
import re
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


@dataclass(frozen=True)
class Settings:
    """The server's settings; build it with ``Settings.load`` to honour the environment."""

    #: The listen address, from OTEL_BRIDGE_HOST, which ``ClientSettings`` reads as the server's URL.
    host: str = "127.0.0.1"
    http_port: int = 4318
    grpc_port: int = 4317
    db: str = DEFAULT_DB
    public_key: str | None = None
    secret_key: str | None = None
    max_request_bytes: int = 8 * MiB
    max_decompressed_bytes: int = 16 * MiB
    queue_bytes: int = 32 * MiB
    max_batch_spans: int = 4096
    shutdown_seconds: float = 10.0
    auth_cache_seconds: float = 60.0
    #: Worker processes that decode, translate and prepare requests beside the writer (see
    #: ``ingest/workers.py``): one core is left to the writer and the event loop.
    decode_processes: int = dataclasses.field(default_factory=lambda: max(1, (os.cpu_count() or 1) - 1))
    #: The OTLP protobuf decoder (``otlp/decoders.py``): ``auto``, ``compiled`` or ``upb``.
    decoder: str = "auto"
    commit_delay_seconds: float = 0.0

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **arguments: Any) -> Settings:
        """Settings from ``arguments`` (None means "not given"), then ``environ`` (default: the
        process environment), then the defaults; validated."""
        env = _environment(environ)
        names = [field.name for field in dataclasses.fields(cls)]
        unknown = arguments.keys() - set(names)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for name in names:
            value = _resolve(name, arguments.get(name), env)
            if value is not None:
                values[name] = value
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise ``ConfigError`` naming the variable of the first impossible value."""
        for name in ("http_port", "grpc_port"):
            port = getattr(self, name)
            if not 0 <= port <= 65535:
                raise ConfigError(f"{env_name(name)}={port}: a port is 0-65535 (0 picks a free port)")
        if self.http_port == self.grpc_port != 0:
            raise ConfigError(
                f"{env_name('http_port')} and {env_name('grpc_port')} are both {self.http_port}: "
                "HTTP and gRPC need their own ports"
            )
        if not self.host:
            raise ConfigError(f"{env_name('host')} is empty: give an address to listen on, e.g. 127.0.0.1")
        _check_database_url(self.db)
        if (self.public_key is None) != (self.secret_key is None):
            given, missing = (
                ("public_key", "secret_key") if self.secret_key is None else ("secret_key", "public_key")
            )
            raise ConfigError(
                f"{env_name(given)} is set but {env_name(missing)} is not: give both keys or neither"
            )
        if self.public_key is not None and not self.public_key.startswith("pk-"):
            raise ConfigError(f"{env_name('public_key')} must start with 'pk-' (e.g. pk-lf-…)")
        if self.secret_key is not None and not self.secret_key.startswith("sk-"):
            raise ConfigError(f"{env_name('secret_key')} must start with 'sk-' (e.g. sk-lf-…)")
        for name in ("max_request_bytes", "max_decompressed_bytes", "queue_bytes", "max_batch_spans"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{env_name(name)}={getattr(self, name)} must be positive")
        if self.max_decompressed_bytes < self.max_request_bytes:
            raise ConfigError(
                f"{env_name('max_decompressed_bytes')} ({self.max_decompressed_bytes}) is below "
                f"{env_name('max_request_bytes')} ({self.max_request_bytes}): an uncompressed body at the "
                "request limit would be refused"
            )
        if self.queue_bytes < self.max_decompressed_bytes:
            # A request is admitted only when its decompressed size fits in the queue; a smaller queue
            # would answer 503 to a valid request forever, and clients would retry it forever.
            raise ConfigError(
                f"{env_name('queue_bytes')} ({self.queue_bytes}) is below "
                f"{env_name('max_decompressed_bytes')} ({self.max_decompressed_bytes}): "
                "the largest accepted request must fit in the queue"
            )
        if self.decode_processes < 0:
            raise ConfigError(f"{env_name('decode_processes')}={self.decode_processes} must not be negative")
        if self.decoder not in DECODERS:
            raise ConfigError(f"{env_name('decoder')}={self.decoder!r}: one of {', '.join(DECODERS)}")
        for name in ("shutdown_seconds", "auth_cache_seconds", "commit_delay_seconds"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{env_name(name)}={getattr(self, name)} must not be negative")


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
            f"{env_name('db')}={url!r} is not a SQLAlchemy URL "
            "(sqlite:///path.db or postgresql+psycopg://user:pass@host/db)"
        )


#: The variables of each ``ClientSettings`` setting, the first one set wins.
CLIENT_VARIABLES: dict[str, tuple[str, ...]] = {
    # OTEL_BRIDGE_HOST means the server's URL here and serve's listen address in ``Settings.host``.
    "host": ("OTEL_BRIDGE_HOST", "LANGFUSE_HOST"),
    "public_key": ("OTEL_BRIDGE_PUBLIC_KEY", "LANGFUSE_PUBLIC_KEY"),
    "secret_key": ("OTEL_BRIDGE_SECRET_KEY", "LANGFUSE_SECRET_KEY"),
}


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """Where the in-process library (``otel_bridge.sdk.configure``) sends spans: the server's URL and
    a project's keys. Build it with ``ClientSettings.load`` to honour the environment."""

    host: str
    public_key: str
    secret_key: str

    @classmethod
    def load(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        host: str | None = None,
        public_key: str | None = None,
        secret_key: str | None = None,
    ) -> ClientSettings:
        """Each setting from its argument, else the first of ``CLIENT_VARIABLES`` set in ``environ``
        (default: the process environment); ``ConfigError`` naming the variables when none is."""
        env = _environment(environ)
        given = {"host": host, "public_key": public_key, "secret_key": secret_key}
        return cls(**{name: _client_setting(name, argument, env) for name, argument in given.items()})


def _client_setting(name: str, argument: str | None, env: Mapping[str, str]) -> str:
    if argument:
        return argument
    variables = CLIENT_VARIABLES[name]
    for variable in variables:
        value = env.get(variable, "").strip()
        if value:
            return value
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
    """One server setting: ``argument`` unless None, else its variable parsed, else None (the default)."""
    if argument is not None:
        return argument
    variable = env_name(name)
    raw = env.get(variable, "").strip()
    return _parse(name, variable, raw) if raw else None


def _parse(name: str, variable: str, raw: str) -> Any:
    parser = _PARSERS.get(name, str)
    try:
        return parser(raw)
    except ValueError as error:
        raise ConfigError(f"{variable}={raw!r}: {error}") from None


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
}

__all__ = [
    "CLIENT_PREFIXES",
    "CLIENT_VARIABLES",
    "DEFAULT_DB",
    "ENV_PREFIX",
    "ClientSettings",
    "Settings",
    "client_environment",
    "database_url",
    "env_name",
    "hostport",
    "parse_size",
]
