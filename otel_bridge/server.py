"""The composition root of ``otel-bridge serve``: settings → store (migrated) → ingestor, decode
pool, receivers, API and UI → one event loop serving HTTP (Starlette on uvicorn) and gRPC
(``grpc.aio``).

Lifecycle (``BridgeServer.run``):

1. apply migrations, open the store, make sure the default project exists (keys from the settings,
   or generated once; see ``otel_bridge.admin``) and print where to send spans and which keys to use;
2. start the group-commit writer, the gRPC server, then the HTTP server; ``/healthz`` answers 200
   from then on, and a ``ready`` line is printed with the actual ports (0 in the settings picks a
   free port, which is how the end-to-end tests run);
3. on SIGTERM or SIGINT: stop intake (new requests get 503 / ``UNAVAILABLE``, which exporters
   retry elsewhere or later), let in-flight requests finish while the queue drains to
   ``shutdown_seconds``, stop both servers, close the store, exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import socket
import sys
from collections.abc import Generator
from dataclasses import dataclass
from typing import IO

import grpc
import uvicorn
from grpc import aio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware

from otel_bridge import __version__, api, ui
from otel_bridge.admin import (
    ProjectKeysNotice,
    command_url,
    default_project_lines,
    ensure_default_project,
    open_store,
)
from otel_bridge.config import Settings, hostport, label
from otel_bridge.errors import CommandError, ConfigError
from otel_bridge.forward.setup import banner_line, forwarder_for
from otel_bridge.forward.worker import Forwarder
from otel_bridge.ingest import DecodePool, Ingestor
from otel_bridge.ingest.limits import IngestLimits
from otel_bridge.ingest.workers import tune_garbage_collector
from otel_bridge.otlp import decoders as protobuf_decoders
from otel_bridge.receivers import AppContext
from otel_bridge.receivers.auth import Authenticator
from otel_bridge.receivers.export import TraceExportHandler
from otel_bridge.receivers.grpc import GrpcTraceReceiver, create_server
from otel_bridge.receivers.http import HttpLimits, RequestMetricsMiddleware, ops_routes, otlp_routes
from otel_bridge.receivers.metrics import Metrics
from otel_bridge.receivers.ratelimit import RateLimiter, RateLimits
from otel_bridge.receivers.security_headers import SecurityHeadersMiddleware
from otel_bridge.store.sql import SqlStore

logger = logging.getLogger("otel_bridge.server")


def build_app(
    context: AppContext, handler: TraceExportHandler, limits: HttpLimits, *, relay: bool = False
) -> Starlette:
    """The ASGI app: OTLP/HTTP receivers, ``/healthz``, ``/metrics``, the API and the UI (not in
    ``relay`` mode, where the store is only the forwarder's spool)."""
    routes = [
        *otlp_routes(handler, context.authenticator, limits),
        *ops_routes(context.ingestor, context.metrics),
    ]
    if not relay:
        routes += [*api.routes(context), *ui.routes(context)]
    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: api.http.route_error},
        middleware=[
            Middleware(RequestMetricsMiddleware, metrics=context.metrics),
            Middleware(SecurityHeadersMiddleware),
        ],
    )


@dataclass(frozen=True, slots=True)
class _Parts:
    """What one ``serve`` composes over its store; ``BridgeServer`` starts and stops them."""

    ingestor: Ingestor
    decoders: DecodePool
    handler: TraceExportHandler
    app: Starlette
    grpc_server: aio.Server
    forwarder: Forwarder | None


def _compose(settings: Settings, store: SqlStore) -> _Parts:
    metrics = Metrics()
    ingestor = Ingestor(
        store,
        queue_bytes=settings.queue_bytes,
        max_batch_spans=settings.max_batch_spans,
        commit_delay=settings.commit_delay_seconds,
    )
    forwarder = forwarder_for(settings, store)
    if forwarder is not None:
        ingestor.admission = forwarder.admit
        metrics.sources.append(forwarder.stats.metric_lines)
    authenticator = Authenticator(store, ttl=settings.auth_cache_seconds)
    cookie_key = settings.ui_cookie_secret.encode() if settings.ui_cookie_secret else secrets.token_bytes(32)
    rate_limiter = RateLimiter(
        RateLimits(ingest_per_second=settings.ingest_rate_limit, read_per_second=settings.read_rate_limit),
        metrics,
    )
    ingest_limits = IngestLimits(
        max_attribute_value_length=settings.max_attribute_value_length,
        max_attributes_per_span=settings.max_attributes_per_span,
        max_spans_per_request=settings.max_spans_per_request,
        max_id_length=settings.max_id_length,
    )
    context = AppContext(
        store=store,
        ingestor=ingestor,
        authenticator=authenticator,
        metrics=metrics,
        ui_cookie_key=cookie_key,
        ui_session_seconds=settings.ui_session_hours * 3600,
        rate_limiter=rate_limiter,
        limits=ingest_limits,
    )
    try:  # this process decodes too (the Langfuse ingestion API, decode_processes=0)
        protobuf_decoders.use(settings.decoder)
    except ValueError as error:
        raise ConfigError(f"{label('decoder')}={settings.decoder}: {error}") from None
    decoders = DecodePool(
        store.preparer,
        settings.decode_processes,
        ingest_limits,
        mask=settings.mask_secrets,
        decoder=settings.decoder,
    )
    handler = TraceExportHandler(ingestor, metrics, decoders, rate_limiter)
    limits = HttpLimits(settings.max_request_bytes, settings.max_decompressed_bytes)
    grpc_server = create_server(
        GrpcTraceReceiver(handler, authenticator, metrics), max_message_bytes=settings.max_decompressed_bytes
    )
    app = build_app(context, handler, limits, relay=settings.relay)
    return _Parts(ingestor, decoders, handler, app, grpc_server, forwarder)


class _UvicornServer(uvicorn.Server):
    """uvicorn without its own signal handling: ``BridgeServer`` stops HTTP and gRPC together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _bound(host: str, port: int, transport: str, setting: str) -> socket.socket:
    """A socket bound to ``host:port``; a name that does not resolve is a ``ConfigError``, a port in
    use a ``CommandError`` (exit status 1) saying which flag moves it."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except OSError as error:  # socket.gaierror: a name that does not resolve
        raise ConfigError(
            f"cannot listen on {host!r} ({label('listen_host')}): {error.strerror or error}; "
            "give an address of this machine, e.g. 127.0.0.1 or 0.0.0.0"
        ) from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise CommandError(
            f"cannot listen on {hostport(host, port)} for {transport}: {error.strerror or error}; "
            f"stop what uses it or choose another port with {label(setting)} (0 picks a free one)"
        ) from None
    return sock


def _listen(host: str, port: int) -> socket.socket:
    sock = _bound(host, port, "HTTP", "http_port")
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _add_grpc_port(server: aio.Server, settings: Settings, port: int) -> int:
    host = settings.listen_host
    if port:
        # grpc reports a port in use as a RuntimeError after logging to stderr itself: a trial bind
        # first gives the same one line as HTTP (a port taken between the two still ends below).
        _bound(host, port, "gRPC", "grpc_port").close()
    try:
        if settings.tls_cert is not None and settings.tls_key is not None:
            credentials = grpc.ssl_server_credentials(
                [(_read_pem(settings.tls_key), _read_pem(settings.tls_cert))]
            )
            return server.add_secure_port(hostport(host, port), credentials)
        return server.add_insecure_port(hostport(host, port))
    except RuntimeError as error:
        raise CommandError(
            f"cannot listen on {hostport(host, port)} for gRPC: {error}; "
            f"stop what uses it or choose another port with {label('grpc_port')} (0 picks a free one)"
        ) from None


def _read_pem(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        raise ConfigError(f"cannot read TLS file {path!r}: {error.strerror}") from None


#: Addresses only this machine can reach: serving them without TLS sends nothing over a network.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def bind_warning(settings: Settings) -> str | None:
    """The warning ``serve`` prints when it listens beyond loopback without TLS: keys and spans
    would cross the network in clear."""
    if (
        settings.tls_cert is not None
        or settings.listen_host in LOOPBACK_HOSTS
        or settings.listen_host.startswith("127.")
    ):
        return None
    return (
        f"WARNING: listening on {settings.listen_host} without TLS: credentials and spans cross the network "
        "in clear; pass --tls-cert and --tls-key (or put a TLS-terminating proxy in front)"
    )


def _decoder_line(settings: Settings) -> str:
    """Which protobuf decoder runs, and where (the banner's ``decoder:`` line)."""
    if protobuf_decoders.active() == protobuf_decoders.COMPILED:
        name = "compiled (Cython wire decoder)"
    else:
        built = "" if protobuf_decoders.compiled_available() else ", the compiled one is not built"
        name = f"upb (pure-Python walk{built})"
    processes = settings.decode_processes
    where = f"{processes} decode process{'es' if processes != 1 else ''}" if processes else "a thread"
    return f"{name} in {where}"


class BridgeServer:
    """One ``otel-bridge serve`` process (see the module docstring)."""

    def __init__(self, settings: Settings, *, out: IO[str] | None = None) -> None:
        self.settings = settings
        self._out = out or sys.stdout
        self._stop = asyncio.Event()
        self._signals = 0

    def request_stop(self) -> None:
        """Begin a graceful shutdown (what SIGTERM and SIGINT do)."""
        self._signals += 1
        self._stop.set()

    async def run(self) -> int:
        """Serve until asked to stop; returns the exit status."""
        forwarding = self.settings.forward_url is not None
        store = await asyncio.to_thread(open_store, self.settings.db, forwarding=forwarding)
        try:
            keys = await asyncio.to_thread(ensure_default_project, store, self.settings)
            return await self._serve(store, keys)
        finally:
            store.close()

    async def _serve(self, store: SqlStore, keys: ProjectKeysNotice) -> int:
        settings = self.settings
        parts = _compose(settings, store)
        # Bind both ports before starting anything, so that a port in use is one clean line.
        sock = _listen(settings.listen_host, settings.http_port)
        try:
            grpc_port = _add_grpc_port(parts.grpc_server, settings, settings.grpc_port)
        except (CommandError, ConfigError):
            sock.close()
            raise
        if parts.forwarder is not None:
            await asyncio.to_thread(parts.forwarder.detect_protocol)
            parts.forwarder.start()
        await parts.ingestor.start()
        await parts.decoders.start()
        await parts.grpc_server.start()
        http_server = _UvicornServer(
            uvicorn.Config(
                parts.app,
                lifespan="off",
                log_level="warning",
                access_log=False,
                server_header=False,
                timeout_graceful_shutdown=max(1, round(settings.shutdown_seconds)),
                ssl_certfile=settings.tls_cert,
                ssl_keyfile=settings.tls_key,
            )
        )
        loop = asyncio.get_running_loop()
        http_task = loop.create_task(http_server.serve(sockets=[sock]), name="otel-bridge-http")
        while not http_server.started and not http_task.done():
            await asyncio.sleep(0.01)
        if http_task.done():
            await parts.grpc_server.stop(None)
            await parts.ingestor.close(0)
            if parts.forwarder is not None:
                parts.forwarder.stop()
            parts.handler.close()
            http_task.result()  # raises what stopped it
            return 1
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._on_signal, http_server)
        # Everything is imported and started: the writer's allocations should not make the
        # collector traverse it all again and again (workers.tune_garbage_collector).
        tune_garbage_collector()
        self._print_banner(keys, sock.getsockname()[1], grpc_port, parts.forwarder)
        await self._stop.wait()
        drained = await self._stop_serving(http_server, http_task, parts)
        if parts.forwarder is not None:
            # What it has not delivered stays in the store and goes on the next start.
            await asyncio.to_thread(parts.forwarder.stop, self.settings.shutdown_seconds)
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        parts.handler.close()
        print(
            "otel-bridge stopped"
            + (
                "" if drained else " (some queued spans were not committed; their clients were told to retry)"
            ),
            file=self._out,
            flush=True,
        )
        return 0

    async def _stop_serving(
        self, http_server: uvicorn.Server, http_task: asyncio.Task[None], parts: _Parts
    ) -> bool:
        """Stop both servers and drain the queue; True when it drained in time."""
        # Stop intake first: requests arriving from now on get a retryable 503 / UNAVAILABLE, while
        # the ones already admitted keep their place and are committed as the queue drains.
        deadline = self.settings.shutdown_seconds
        ingestor = parts.ingestor
        logger.info("stopping: draining %d queued bytes (deadline %.0f s)", ingestor.queued_bytes, deadline)
        http_server.should_exit = True
        grpc_stopped = asyncio.get_running_loop().create_task(parts.grpc_server.stop(deadline))
        drained = await ingestor.close(deadline)
        await grpc_stopped
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(http_task, deadline + 1)
        return drained

    def _on_signal(self, http_server: uvicorn.Server) -> None:
        self.request_stop()
        if self._signals > 1:
            http_server.force_exit = True  # a second Ctrl-C: do not wait for idle connections

    def _print_banner(
        self, keys: ProjectKeysNotice, http_port: int, grpc_port: int, forwarder: Forwarder | None
    ) -> None:
        host = self.settings.listen_host
        scheme = "https" if self.settings.tls_cert is not None else "http"
        http = f"{scheme}://{hostport(host, http_port)}"
        relay = self.settings.relay
        warning = bind_warning(self.settings)
        if warning is not None:
            print(warning, file=sys.stderr, flush=True)
            logger.warning(warning)
        lines = [
            f"otel-bridge {__version__}{' relay' if relay else ''} — store {command_url(self.settings.db)}",
            *([] if relay else [f"UI:        {http}/"]),
            f"OTLP/HTTP: {http}/v1/traces   OTLP/gRPC: {hostport(host, grpc_port)}",
            f"decoder:   {_decoder_line(self.settings)}",
            *([banner_line(forwarder)] if forwarder is not None else []),
            *default_project_lines(keys, http, self.settings.db, hostport(host, grpc_port)),
            f"ready: http={http_port} grpc={grpc_port}",
        ]
        print("\n".join(lines), file=self._out, flush=True)


def serve(settings: Settings, *, out: IO[str] | None = None) -> int:
    """Run ``otel-bridge serve`` until SIGTERM/SIGINT; the exit status."""
    return asyncio.run(BridgeServer(settings, out=out).run())


__all__ = ["LOOPBACK_HOSTS", "BridgeServer", "bind_warning", "build_app", "serve"]
