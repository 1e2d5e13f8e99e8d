"""The composition root of ``otel-bridge serve``: settings → store (migrated) → ingestor → receivers →
one event loop serving HTTP (Starlette on uvicorn) and gRPC (``grpc.aio``).

Lifecycle (``BridgeServer.run``):

1. apply migrations, open the store, make sure the default project exists (keys from the settings,
   or generated once) and print where to send spans and which keys to use;
2. start the group-commit writer, the gRPC server, then the HTTP server; ``/healthz`` answers 200
   from then on, and a ``ready`` line is printed with the actual ports (0 in the settings picks a
   free port, which is how the end-to-end tests run);
3. on SIGTERM or SIGINT: stop intake (new requests get 503 / ``UNAVAILABLE``, which exporters
   retry elsewhere or later), let in-flight requests finish while the queue drains to
   ``shutdown_seconds``, stop both servers, close the store, exit 0.

Routes of other packages plug in through ``ROUTE_PROVIDERS``: each named module, when it is
installed, exposes ``routes(context: AppContext) -> Sequence[BaseRoute]``; ``build_app`` also takes
``extra_routes`` directly (tests, embedding).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import importlib
import logging
import signal
import socket
import sys
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import IO

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from otel_bridge import __version__
from otel_bridge.config import Settings
from otel_bridge.errors import ConfigError
from otel_bridge.ingest import DecodePool, Ingestor
from otel_bridge.receivers import AppContext
from otel_bridge.receivers.auth import Authenticator
from otel_bridge.receivers.export import TraceExportHandler
from otel_bridge.receivers.grpc import GrpcTraceReceiver, create_server
from otel_bridge.receivers.http import HttpLimits, RequestMetricsMiddleware, ops_routes, otlp_routes
from otel_bridge.receivers.metrics import Metrics
from otel_bridge.store.sql import SqlStore

logger = logging.getLogger("otel_bridge.server")

#: The project that ``serve`` creates on first start and whose keys it prints.
DEFAULT_PROJECT = "default"

#: Modules that contribute routes when installed: ``routes(context: AppContext) -> Sequence[BaseRoute]``.
ROUTE_PROVIDERS = ("otel_bridge.api", "otel_bridge.ui")


@dataclass(frozen=True, slots=True)
class ProjectKeysNotice:
    """The default project's keys as far as this start knows them; ``secret_key`` is None when it
    was generated on an earlier start (only its hash is stored)."""

    project_id: str
    public_key: str
    secret_key: str | None
    generated: bool


def open_store(db: str) -> SqlStore:
    """Migrate the database to the newest schema and open the store on it."""
    from otel_bridge.store.sql import migrations  # noqa: PLC0415 - Alembic is needed only here

    migrations.upgrade(db)
    return SqlStore(db)


def ensure_default_project(store: SqlStore, settings: Settings) -> ProjectKeysNotice:
    """The default project, created on first start; keys given in the settings replace its pair."""
    project = store.find_project(DEFAULT_PROJECT)
    public_key, secret_key = settings.public_key, settings.secret_key
    try:
        if project is None:
            created = store.create_project(DEFAULT_PROJECT, public_key=public_key, secret_key=secret_key)
            return ProjectKeysNotice(
                created.project.id, created.public_key, created.secret_key, generated=public_key is None
            )
        if public_key is not None and secret_key is not None:
            known = store.authenticate(public_key, secret_key)
            if known is None or known.id != project.id:
                store.set_project_keys(project.id, public_key, secret_key)
            return ProjectKeysNotice(project.id, public_key, secret_key, generated=False)
    except ValueError as error:
        raise ConfigError(
            f"OTEL_BRIDGE_PUBLIC_KEY/OTEL_BRIDGE_SECRET_KEY: {error}; "
            "choose other keys for the default project"
        ) from None
    return ProjectKeysNotice(project.id, project.public_key, None, generated=False)


def basic_credentials(public_key: str, secret_key: str) -> str:
    """``base64(public:secret)``, the token of ``Authorization: Basic``."""
    return base64.b64encode(f"{public_key}:{secret_key}".encode()).decode()


def collect_routes(context: AppContext, providers: Sequence[str] = ROUTE_PROVIDERS) -> list[BaseRoute]:
    """The routes of every installed provider module (see the module docstring)."""
    routes: list[BaseRoute] = []
    for name in providers:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue  # not written yet, or not installed: serve without it
            raise
        provide = getattr(module, "routes", None)
        if provide is not None:
            routes.extend(provide(context))
    return routes


def build_app(
    context: AppContext,
    handler: TraceExportHandler,
    limits: HttpLimits,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The ASGI app: OTLP/HTTP receivers, ``/healthz``, ``/metrics``, then ``extra_routes``."""
    routes = [
        *otlp_routes(handler, context.authenticator, limits),
        *ops_routes(context.ingestor, context.metrics),
        *extra_routes,
    ]
    return Starlette(
        routes=routes, middleware=[Middleware(RequestMetricsMiddleware, metrics=context.metrics)]
    )


class _UvicornServer(uvicorn.Server):
    """uvicorn without its own signal handling: ``BridgeServer`` stops HTTP and gRPC together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _listen(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port} for HTTP (OTEL_BRIDGE_HTTP_PORT): {error}"
        ) from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


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
        settings = self.settings
        loop = asyncio.get_running_loop()
        store = await asyncio.to_thread(open_store, settings.db)
        try:
            keys = await asyncio.to_thread(ensure_default_project, store, settings)
            return await self._serve(loop, store, keys)
        finally:
            store.close()

    async def _serve(self, loop: asyncio.AbstractEventLoop, store: SqlStore, keys: ProjectKeysNotice) -> int:
        settings = self.settings
        metrics = Metrics()
        ingestor = Ingestor(
            store,
            queue_bytes=settings.queue_bytes,
            max_batch_spans=settings.max_batch_spans,
            commit_delay=settings.commit_delay_seconds,
        )
        authenticator = Authenticator(store, ttl=settings.auth_cache_seconds)
        context = AppContext(store=store, ingestor=ingestor, authenticator=authenticator, metrics=metrics)
        decoders = DecodePool(store.preparer, settings.decode_processes)
        handler = TraceExportHandler(ingestor, metrics, decoders)
        limits = HttpLimits(settings.max_request_bytes, settings.max_decompressed_bytes)
        app = build_app(context, handler, limits, collect_routes(context))

        # Bind both ports before starting anything, so that a port in use is a clean ConfigError.
        sock = _listen(settings.host, settings.http_port)
        grpc_server = create_server(
            GrpcTraceReceiver(handler, authenticator, metrics),
            max_message_bytes=settings.max_decompressed_bytes,
        )
        try:
            grpc_port = grpc_server.add_insecure_port(_hostport(settings.host, settings.grpc_port))
        except RuntimeError as error:
            sock.close()
            raise ConfigError(
                f"cannot listen on {_hostport(settings.host, settings.grpc_port)} for gRPC "
                f"(OTEL_BRIDGE_GRPC_PORT): {error}"
            ) from None
        await ingestor.start()
        await decoders.start()
        await grpc_server.start()
        http_port = sock.getsockname()[1]
        http_server = _UvicornServer(
            uvicorn.Config(
                app,
                lifespan="off",
                log_level="warning",
                access_log=False,
                server_header=False,
                timeout_graceful_shutdown=max(1, round(settings.shutdown_seconds)),
            )
        )
        http_task = loop.create_task(http_server.serve(sockets=[sock]), name="otel-bridge-http")
        while not http_server.started and not http_task.done():
            await asyncio.sleep(0.01)
        if http_task.done():
            await grpc_server.stop(None)
            await ingestor.close(0)
            handler.close()
            http_task.result()  # raises what stopped it
            return 1

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._on_signal, http_server)
        self._print_banner(keys, http_port, grpc_port)
        await self._stop.wait()

        # Stop intake first: requests arriving from now on get a retryable 503 / UNAVAILABLE, while
        # the ones already admitted keep their place and are committed as the queue drains.
        deadline = settings.shutdown_seconds
        logger.info("stopping: draining %d queued bytes (deadline %.0f s)", ingestor.queued_bytes, deadline)
        http_server.should_exit = True
        grpc_stopped = loop.create_task(grpc_server.stop(deadline))
        drained = await ingestor.close(deadline)
        await grpc_stopped
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(http_task, deadline + 1)
        handler.close()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        print(
            "otel-bridge stopped"
            + (
                "" if drained else " (some queued spans were not committed; their clients were told to retry)"
            ),
            file=self._out,
            flush=True,
        )
        return 0

    def _on_signal(self, http_server: uvicorn.Server) -> None:
        self.request_stop()
        if self._signals > 1:
            http_server.force_exit = True  # a second Ctrl-C: do not wait for idle connections

    def _print_banner(self, keys: ProjectKeysNotice, http_port: int, grpc_port: int) -> None:
        settings = self.settings
        http = f"http://{_hostport(settings.host, http_port)}"
        lines = [
            f"otel-bridge {__version__} — store {_redacted(settings.db)}",
            f"UI:        {http}/",
            f"OTLP/HTTP: {http}/v1/traces   OTLP/gRPC: {_hostport(settings.host, grpc_port)}",
            f"project '{DEFAULT_PROJECT}': public key {keys.public_key}",
        ]
        if keys.secret_key is not None:
            if keys.generated:
                lines.append("  (keys generated now; the secret key is shown only this once)")
            token = basic_credentials(keys.public_key, keys.secret_key)
            lines += [
                f"export OTEL_EXPORTER_OTLP_ENDPOINT={http}",
                f'export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Basic%20{token}"',
                f"export LANGFUSE_HOST={http} LANGFUSE_PUBLIC_KEY={keys.public_key} "
                f"LANGFUSE_SECRET_KEY={keys.secret_key}",
            ]
        else:
            lines += [
                "  the secret key was generated on an earlier start and only its hash is stored;",
                f"  get a new pair with: otel-bridge keys create --project {DEFAULT_PROJECT} --replace",
                f"export OTEL_EXPORTER_OTLP_ENDPOINT={http}",
                f"export LANGFUSE_HOST={http} LANGFUSE_PUBLIC_KEY={keys.public_key}",
            ]
        lines.append(f"ready: http={http_port} grpc={grpc_port}")
        print("\n".join(lines), file=self._out, flush=True)


def _redacted(url: str) -> str:
    import sqlalchemy as sa  # noqa: PLC0415 - already loaded by the store

    return sa.make_url(url).render_as_string(hide_password=True)


def serve(settings: Settings, *, out: IO[str] | None = None) -> int:
    """Run ``otel-bridge serve`` until SIGTERM/SIGINT; the exit status."""
    return asyncio.run(BridgeServer(settings, out=out).run())


@dataclass(frozen=True, slots=True)
class CreatedKeys:
    """The result of ``create_keys``."""

    project_id: str
    project_name: str
    public_key: str
    secret_key: str
    replaced: bool


def create_keys(db: str, project_name: str, *, replace: bool = False) -> CreatedKeys:
    """A new key pair: for a new project named ``project_name``, or, with ``replace``, instead of the
    existing project's pair (the old pair stops working; running servers forget it within their
    authentication cache time). Raises ``ConfigError`` when the project exists and ``replace`` is
    false."""
    from otel_bridge.store import keys  # noqa: PLC0415 - key generation lives with the store

    store = open_store(db)
    try:
        existing = store.find_project(project_name)
        if existing is None:
            created = store.create_project(project_name)
            return CreatedKeys(
                created.project.id, project_name, created.public_key, created.secret_key, False
            )
        if not replace:
            raise ConfigError(
                f"project {project_name!r} already exists; pass --replace to replace its key pair "
                "(the old pair stops working), or choose another name for a new project"
            )
        public_key, secret_key = keys.generate_public_key(), keys.generate_secret_key()
        store.set_project_keys(existing.id, public_key, secret_key)
        return CreatedKeys(existing.id, project_name, public_key, secret_key, True)
    finally:
        store.close()


def describe_keys(created: CreatedKeys, endpoint: str | None = None) -> str:
    """What ``otel-bridge keys create`` prints."""
    action = "replaced the key pair of" if created.replaced else "created"
    lines = [
        f"{action} project {created.project_name!r} (id {created.project_id})",
        f"public key: {created.public_key}",
        f"secret key: {created.secret_key}   (shown only now; only its hash is stored)",
        f'export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Basic%20'
        f'{basic_credentials(created.public_key, created.secret_key)}"',
        f"export LANGFUSE_PUBLIC_KEY={created.public_key} LANGFUSE_SECRET_KEY={created.secret_key}",
    ]
    if endpoint:
        lines.append(f"export OTEL_EXPORTER_OTLP_ENDPOINT={endpoint} LANGFUSE_HOST={endpoint}")
    return "\n".join(lines)


__all__ = [
    "DEFAULT_PROJECT",
    "ROUTE_PROVIDERS",
    "BridgeServer",
    "CreatedKeys",
    "ProjectKeysNotice",
    "basic_credentials",
    "build_app",
    "collect_routes",
    "create_keys",
    "describe_keys",
    "ensure_default_project",
    "open_store",
    "serve",
]
