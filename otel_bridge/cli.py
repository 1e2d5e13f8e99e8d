"""Collect the OpenTelemetry spans of your LLM applications and browse them as session-grouped traces.

    otel-bridge serve        [--host H] [--http-port P] [--grpc-port P] [--db URL] [--public-key pk-…] …
    otel-bridge keys create  --project NAME [--db URL] [--replace]
    otel-bridge db upgrade   [--db URL] [--revision head]
    otel-bridge db downgrade [--db URL] [--revision -1|base|<id>]
    otel-bridge db current   [--db URL]
    otel-bridge demo         [--sessions N] [--endpoint URL] …

Every command imports what it needs when it runs (the server extra for all but ``demo``), so that
``otel-bridge --help`` works, and a command says what is missing, without the ``[server]`` extra.
A ``CommandError`` or ``ConfigError`` is one line on stderr and the exit status (2 for settings).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from otel_bridge.config import DEFAULT_DB, Settings, database_url, env_name
from otel_bridge.errors import CommandError, ConfigError

Command = Callable[[argparse.Namespace], int]

_DB_HELP = f"SQLAlchemy URL of the database (default: ${env_name('db')}, else {DEFAULT_DB})"


def _db_upgrade(args: argparse.Namespace) -> int:
    from otel_bridge.admin import redacted_url  # noqa: PLC0415 - server extra, imported on use
    from otel_bridge.store.sql import migrations  # noqa: PLC0415

    url = database_url(args.db)
    migrations.upgrade(url, args.revision)
    print(f"{redacted_url(url)}: at revision {migrations.current_revision(url)}")
    return 0


def _db_downgrade(args: argparse.Namespace) -> int:
    from otel_bridge.admin import redacted_url  # noqa: PLC0415 - server extra, imported on use
    from otel_bridge.store.sql import migrations  # noqa: PLC0415

    url = database_url(args.db)
    migrations.downgrade(url, args.revision)
    print(f"{redacted_url(url)}: at revision {migrations.current_revision(url) or 'base'}")
    return 0


def _db_current(args: argparse.Namespace) -> int:
    from otel_bridge.admin import redacted_url  # noqa: PLC0415 - server extra, imported on use
    from otel_bridge.store.sql import migrations  # noqa: PLC0415

    url = database_url(args.db)
    revision = migrations.current_revision(url) or "base"
    print(f"{redacted_url(url)}: at revision {revision} (head {migrations.head_revision()})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: ``otel-bridge <command> ...``; subcommands set ``handler``."""
    parser = argparse.ArgumentParser(prog="otel-bridge", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", metavar="<command>", required=True)

    db = commands.add_parser("db", help="manage the database schema (migrations)")
    db_commands = db.add_subparsers(dest="db_command", metavar="<action>", required=True)

    upgrade = db_commands.add_parser("upgrade", help="migrate the schema forward")
    upgrade.add_argument("--db", help=_DB_HELP)
    upgrade.add_argument("--revision", default="head", help="target revision (default: head)")
    upgrade.set_defaults(handler=_db_upgrade)

    downgrade = db_commands.add_parser("downgrade", help="migrate the schema back")
    downgrade.add_argument("--db", help=_DB_HELP)
    downgrade.add_argument(
        "--revision", default="-1", help="target revision: -1 (one step, default), base (empty), or an id"
    )
    downgrade.set_defaults(handler=_db_downgrade)

    current = db_commands.add_parser("current", help="print the database's revision")
    current.add_argument("--db", help=_DB_HELP)
    current.set_defaults(handler=_db_current)
    _add_server_commands(commands)
    _add_demo_command(commands)
    return parser


def _serve(args: argparse.Namespace) -> int:
    import logging  # noqa: PLC0415 - only the server logs

    from otel_bridge.server import serve  # noqa: PLC0415 - server extra, imported on use

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration step is noise here
    settings = Settings.load(
        host=args.host,
        http_port=args.http_port,
        grpc_port=args.grpc_port,
        db=args.db,
        public_key=args.public_key,
        secret_key=args.secret_key,
        decode_processes=args.decode_processes,
        decoder=args.decoder,
    )
    return serve(settings)


def _keys_create(args: argparse.Namespace) -> int:
    from otel_bridge.admin import create_keys, describe_keys  # noqa: PLC0415 - server extra, imported on use

    created = create_keys(database_url(args.db), args.project, replace=args.replace)
    print(describe_keys(created))
    return 0


def _add_server_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``serve`` and ``keys create``; flags override ``OTEL_BRIDGE_*`` (see ``otel_bridge.config``)."""
    serve = commands.add_parser("serve", help="run the OTLP receivers, the API and the UI")
    serve.add_argument("--host", help="address to listen on (default: 127.0.0.1; $OTEL_BRIDGE_HOST)")
    serve.add_argument(
        "--http-port", type=int, help="OTLP/HTTP, API and UI port (default: 4318; 0: any free)"
    )
    serve.add_argument("--grpc-port", type=int, help="OTLP/gRPC port (default: 4317; 0: any free)")
    serve.add_argument("--db", help=_DB_HELP)
    serve.add_argument("--public-key", help="the default project's public key ($OTEL_BRIDGE_PUBLIC_KEY)")
    serve.add_argument("--secret-key", help="the default project's secret key ($OTEL_BRIDGE_SECRET_KEY)")
    serve.add_argument(
        "--decode-processes",
        type=int,
        help="worker processes decoding requests (default: cores - 1, at least 1; 0: a thread)",
    )
    serve.add_argument(
        "--decoder",
        choices=("auto", "compiled", "upb"),
        help="OTLP protobuf decoder (default: auto, the compiled one when built; $OTEL_BRIDGE_DECODER)",
    )
    serve.set_defaults(handler=_serve)

    keys = commands.add_parser("keys", help="manage project keys")
    keys_commands = keys.add_subparsers(dest="keys_command", metavar="<action>", required=True)
    create = keys_commands.add_parser("create", help="print a new key pair for a new project")
    create.add_argument("--project", required=True, help="project name")
    create.add_argument("--db", help=_DB_HELP)
    create.add_argument(
        "--replace",
        action="store_true",
        help="replace the pair of an existing project (the old pair stops working)",
    )
    create.set_defaults(handler=_keys_create)


def _demo(args: argparse.Namespace) -> int:
    from otel_bridge import demo  # noqa: PLC0415 - imported on use: it loads the OTel SDK and an exporter

    return demo.main(
        sessions=args.sessions,
        seed=args.seed,
        endpoint=args.endpoint,
        public_key=args.public_key,
        secret_key=args.secret_key,
        protocol=args.protocol,
        as_json=args.json,
    )


def _add_demo_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``demo``: send realistic multi-turn LLM sessions to a running server (``otel_bridge.demo``)."""
    demo = commands.add_parser("demo", help="send realistic multi-turn LLM sessions to a running server")
    demo.add_argument("--sessions", type=int, default=8, help="sessions to send (default: 8)")
    demo.add_argument("--seed", type=int, help="the same seed sends the same sessions (default: random)")
    demo.add_argument(
        "--endpoint",
        help="server URL (default: $OTEL_EXPORTER_OTLP_ENDPOINT, else $LANGFUSE_HOST, else "
        "http://127.0.0.1:4318); with --protocol grpc its gRPC address (default: that host, port 4317)",
    )
    demo.add_argument("--protocol", choices=("http", "grpc"), default="http", help="OTLP transport")
    demo.add_argument(
        "--public-key",
        help="project public key (default: $OTEL_EXPORTER_OTLP_HEADERS or $LANGFUSE_PUBLIC_KEY)",
    )
    demo.add_argument(
        "--secret-key",
        help="project secret key (default: $OTEL_EXPORTER_OTLP_HEADERS or $LANGFUSE_SECRET_KEY)",
    )
    demo.add_argument("--json", action="store_true", help="print the report as JSON instead of a summary")
    demo.set_defaults(handler=_demo)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    handler: Command = args.handler
    try:
        return handler(args)
    except ModuleNotFoundError as error:
        print(
            f"otel-bridge: {error.name} is missing; install the server extra: "
            "pip install 'otel-bridge[server]'",
            file=sys.stderr,
        )
        return 2
    except CommandError as error:
        print(f"otel-bridge: {error.message}", file=sys.stderr)
        return error.exit_status
    except ConfigError as error:
        print(f"otel-bridge: {error.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
