"""The ``otel-bridge`` command line: ``serve``, ``relay``, ``keys``, ``db`` and ``demo``.

Every command imports what it needs when it runs (the server extra for all but ``demo``), so that
``otel-bridge --help`` works, and a command says what is missing, without the ``[server]`` extra.

A user's mistake is one line on stderr, never a traceback (``main``): a ``ConfigError`` (a flag or
variable that is wrong as written) exits 2, as argparse's usage errors do; a ``CommandError`` carries
its status (2 for a command to correct, 1 for a state of the world: a database that cannot be
reached, a port in use). Anything else is a bug: one line asking for ``--debug``, exit 1.
``--debug`` (before or after the command) prints the traceback too, and debug logging for ``serve``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from otel_bridge import __version__
from otel_bridge.config import DEFAULT_DB, Settings, database_url, describe_settings, env_name
from otel_bridge.errors import CommandError, ConfigError

Command = Callable[[argparse.Namespace], int]
if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]

_DESCRIPTION = (
    "otel-bridge collects the OpenTelemetry spans of your LLM applications and shows them as "
    "sessions: every trace that shares a session id (a chat, a thread, a conversation), grouped, "
    "totalled and readable, through a web UI and a Langfuse-compatible API."
)
_EPILOG = """\
start here:
  otel-bridge serve      start the server; it prints its addresses, a key pair and export lines
  otel-bridge demo       in another shell, after pasting those lines: send example sessions
  otel-bridge keys list  the projects of the server's database

'otel-bridge <command> --help' shows a command's options."""
_DB_HELP = (
    f"the server's database, as a SQLAlchemy URL (default: ${env_name('db')}, else {DEFAULT_DB}, "
    "relative to this folder)"
)
_CREATE_HELP = "make a new database when there is none at --db (without it, a missing one is an error)"


def _parser(
    commands: Commands, name: str, summary: str, description: str = "", epilog: str | None = None
) -> argparse.ArgumentParser:
    """A subcommand with a one-line summary (in the parent's list) and a longer description."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=description or summary[0].upper() + summary[1:] + ".",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="on an error, show the traceback"
    )
    return parser


# -- db -------------------------------------------------------------------------------------------


def _db_upgrade(args: argparse.Namespace) -> int:
    from otel_bridge.admin import redacted_url, require_database  # noqa: PLC0415 - server extra
    from otel_bridge.database_errors import database_errors  # noqa: PLC0415
    from otel_bridge.store.sql import migrations  # noqa: PLC0415

    url = database_url(args.db)
    require_database(url, create=args.create)
    with database_errors(url):
        migrations.upgrade(url, args.revision)
        print(f"{redacted_url(url)}: at revision {migrations.current_revision(url)}")
    return 0


def _db_downgrade(args: argparse.Namespace) -> int:
    from otel_bridge.admin import redacted_url, require_database  # noqa: PLC0415 - server extra
    from otel_bridge.database_errors import database_errors  # noqa: PLC0415
    from otel_bridge.store.sql import migrations  # noqa: PLC0415

    url = database_url(args.db)
    require_database(url, create=None)
    with database_errors(url):
        migrations.downgrade(url, args.revision)
        print(f"{redacted_url(url)}: at revision {migrations.current_revision(url) or 'base'}")
    return 0


def _db_current(args: argparse.Namespace) -> int:
    from otel_bridge.admin import redacted_url, require_database  # noqa: PLC0415 - server extra
    from otel_bridge.database_errors import database_errors  # noqa: PLC0415
    from otel_bridge.store.sql import migrations  # noqa: PLC0415

    url = database_url(args.db)
    require_database(url, create=None)
    with database_errors(url):
        revision = migrations.current_revision(url) or "base"
        print(f"{redacted_url(url)}: at revision {revision} (head {migrations.head_revision()})")
    return 0


def _add_db_command(commands: Commands) -> None:
    db = _parser(
        commands,
        "db",
        "migrate the database's schema by hand",
        "Migrate the database's schema by hand. 'serve' migrates to the newest schema at start; these "
        "commands are for upgrading before a deployment, or going back before running an older version.",
    )
    actions = db.add_subparsers(dest="db_command", metavar="<action>", required=True)

    upgrade = _parser(actions, "upgrade", "migrate the schema forward (default: to the newest)")
    upgrade.add_argument("--db", metavar="URL", help=_DB_HELP)
    upgrade.add_argument("--create", action="store_true", help=_CREATE_HELP)
    upgrade.add_argument("--revision", default="head", help="target revision (default: head, the newest)")
    upgrade.set_defaults(handler=_db_upgrade)

    downgrade = _parser(actions, "downgrade", "migrate the schema back (default: one step)")
    downgrade.add_argument("--db", metavar="URL", help=_DB_HELP)
    downgrade.add_argument(
        "--revision", default="-1", help="target revision: -1 (one step, default), base (no tables), or an id"
    )
    downgrade.set_defaults(handler=_db_downgrade)

    current = _parser(actions, "current", "print the database's schema revision and the newest one")
    current.add_argument("--db", metavar="URL", help=_DB_HELP)
    current.set_defaults(handler=_db_current)


# -- serve ----------------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    import logging  # noqa: PLC0415 - only the server logs

    from otel_bridge.server import serve  # noqa: PLC0415 - server extra, imported on use

    level = logging.DEBUG if getattr(args, "debug", False) else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration step is noise here
    # Flag values arrive as text: Settings.load parses them by the rules of their variables.
    flags = {setting.name: getattr(args, setting.name) for setting in describe_settings()}
    settings = Settings.load(**flags, relay=True if args.command == "relay" else None)
    return serve(settings)


#: ``serve``'s placeholders in ``--help``, by the setting's kind.
_METAVARS = {
    "listen_host": "ADDRESS",
    "db": "URL",
    "public_key": "KEY",
    "secret_key": "KEY",
    "forward_url": "URL",
    "forward_public_key": "KEY",
    "forward_secret_key": "KEY",
    "forward_protocol": "PROTOCOL",
}


def _metavar(name: str) -> str:
    for suffix, metavar in (("_port", "PORT"), ("_bytes", "SIZE"), ("_seconds", "SECONDS")):
        if name.endswith(suffix):
            return metavar
    return _METAVARS.get(name, "N")


def _add_serve_command(commands: Commands) -> None:
    """``serve`` and ``relay``, with a flag for every ``Settings`` field: their help is generated
    from them."""
    serve = _parser(
        commands,
        "serve",
        "run the server: OTLP receivers, the Langfuse-compatible API and the web UI",
        "Run the server: OTLP/HTTP and OTLP/gRPC receivers, the Langfuse-compatible API and the web UI, "
        "on one database.\n\nEvery setting is a flag or an environment variable (shown in brackets); "
        "a flag wins. Sizes take 512KiB, 16MiB, 1GiB. On the first start the default project's keys are "
        "generated and printed, with export lines to paste into the applications' shell.",
        epilog="example:\n  otel-bridge serve --http-port 5318 --grpc-port 5317 --db sqlite:///data/otel-bridge.db",
    )
    _add_setting_flags(serve)
    serve.set_defaults(handler=_serve)

    relay = _parser(
        commands,
        "relay",
        "OTLP in, forwarded to a Langfuse server: the store only as spool, /metrics and /healthz, no UI",
        "Run a relay: OTLP/HTTP and OTLP/gRPC receivers whose spans are grouped into traces and sessions "
        "and forwarded to a Langfuse server (--forward, or $LANGFUSE_HOST), its keys from "
        "--forward-public-key/--forward-secret-key or $LANGFUSE_PUBLIC_KEY/$LANGFUSE_SECRET_KEY. The "
        "database is only the spool: delivered traces are deleted after --forward-retention-seconds. "
        "No UI and no API; /metrics and /healthz stay. Clients send with the relay's own project keys.",
        epilog="example:\n  otel-bridge relay --forward https://cloud.langfuse.com "
        "--forward-public-key pk-lf-… --forward-secret-key sk-lf-…",
    )
    _add_setting_flags(relay)
    relay.set_defaults(handler=_serve)


def _add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """A flag for every ``Settings`` field that has one, its help generated from the field."""
    defaults = Settings()
    for setting in describe_settings():
        flags = [setting.flag, "--host"] if setting.name == "listen_host" else [setting.flag]
        text = f"{setting.help} [${setting.variable}; default: {setting.default}]".replace("%", "%%")
        if isinstance(getattr(defaults, setting.name), bool):
            # --mask-secrets / --no-mask-secrets; None when neither is given, so the variable applies.
            parser.add_argument(
                *flags, dest=setting.name, action=argparse.BooleanOptionalAction, default=None, help=text
            )
        else:
            parser.add_argument(*flags, dest=setting.name, metavar=_metavar(setting.name), help=text)


# -- keys -----------------------------------------------------------------------------------------


def _keys_create(args: argparse.Namespace) -> int:
    from otel_bridge.admin import create_keys, describe_keys, require_database  # noqa: PLC0415 - server extra

    url = database_url(args.db)
    require_database(url, create=args.create)
    print(describe_keys(create_keys(url, args.project, replace=args.replace)))
    return 0


def _keys_list(args: argparse.Namespace) -> int:
    from otel_bridge.admin import describe_projects, list_projects, require_database  # noqa: PLC0415

    url = database_url(args.db)
    require_database(url, create=None)
    print(describe_projects(list_projects(url)))
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    from otel_bridge.admin import command_url, require_database, revoke_keys  # noqa: PLC0415 - server extra

    url = database_url(args.db)
    require_database(url, create=None)
    project = revoke_keys(url, args.project)
    print(
        f"revoked the key pair of project {project.name!r} (id {project.id}); running servers refuse it "
        "once their authentication cache expires (--auth-cache-seconds). Its data stays; a new pair:\n"
        f"  otel-bridge keys create --replace --project {shlex.quote(project.name)} "
        f"--db {shlex.quote(command_url(url))}"
    )
    return 0


def _add_keys_command(commands: Commands) -> None:
    keys = _parser(
        commands,
        "keys",
        "create, list and revoke the key pairs of projects",
        "Create, list and revoke the key pairs of projects, in the server's database (the same --db or "
        "$OTEL_BRIDGE_DB as 'serve'). Each project sees only its own data; a secret key is shown only "
        "when it is made.",
    )
    actions = keys.add_subparsers(dest="keys_command", metavar="<action>", required=True)

    create = _parser(actions, "create", "make a project and print its new key pair (or replace its pair)")
    create.add_argument("--project", required=True, metavar="NAME", help="the project's name")
    create.add_argument(
        "--replace",
        action="store_true",
        help="give an existing project a new pair instead (the old pair stops working)",
    )
    create.add_argument("--db", metavar="URL", help=_DB_HELP)
    create.add_argument("--create", action="store_true", help=_CREATE_HELP)
    create.set_defaults(handler=_keys_create)

    listing = _parser(actions, "list", "print every project: name, id, public key, creation time")
    listing.add_argument("--db", metavar="URL", help=_DB_HELP)
    listing.set_defaults(handler=_keys_list)

    revoke = _parser(actions, "revoke", "revoke a project's key pair; its data stays")
    revoke.add_argument("--project", required=True, metavar="NAME", help="the project's name")
    revoke.add_argument("--db", metavar="URL", help=_DB_HELP)
    revoke.set_defaults(handler=_keys_revoke)


# -- demo -----------------------------------------------------------------------------------------


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


def _add_demo_command(commands: Commands) -> None:
    """``demo``: send realistic multi-turn LLM sessions to a running server (``otel_bridge.demo``)."""
    demo = _parser(
        commands,
        "demo",
        "send example multi-turn LLM sessions to a running server",
        "Send example multi-turn LLM sessions (chats, agents with tools, RAG, errors) to a running "
        "server, in the conventions of real instrumentation libraries, through the OpenTelemetry SDK's "
        "exporters; then print where to see them. It reads the export lines 'serve' prints.",
    )
    demo.add_argument("--sessions", type=int, default=8, metavar="N", help="sessions to send (default: 8)")
    demo.add_argument("--seed", type=int, help="the same seed sends the same sessions (default: random)")
    demo.add_argument(
        "--endpoint",
        metavar="URL",
        help="server URL (default: $OTEL_EXPORTER_OTLP_ENDPOINT, else $LANGFUSE_HOST, else "
        "http://127.0.0.1:4318); over gRPC its gRPC address (default: $OTEL_BRIDGE_GRPC_ENDPOINT, "
        "which serve prints, else that host on port 4317)",
    )
    demo.add_argument(
        "--protocol",
        choices=("http", "grpc"),
        help="OTLP transport (default: grpc when $OTEL_EXPORTER_OTLP_PROTOCOL is grpc, else http)",
    )
    demo.add_argument(
        "--public-key",
        metavar="KEY",
        help="project public key (default: from $OTEL_EXPORTER_OTLP_HEADERS, else $LANGFUSE_PUBLIC_KEY)",
    )
    demo.add_argument(
        "--secret-key",
        metavar="KEY",
        help="project secret key (default: from $OTEL_EXPORTER_OTLP_HEADERS, else $LANGFUSE_SECRET_KEY)",
    )
    demo.add_argument("--json", action="store_true", help="print the report as JSON instead of a summary")
    demo.set_defaults(handler=_demo)


# -- the command line -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: ``otel-bridge <command> ...``; subcommands set ``handler``."""
    parser = argparse.ArgumentParser(
        prog="otel-bridge",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"otel-bridge {__version__}")
    parser.add_argument("--debug", action="store_true", help="on an error, show the traceback")
    commands = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    _add_serve_command(commands)
    _add_demo_command(commands)
    _add_keys_command(commands)
    _add_db_command(commands)
    return parser


def _fail(message: str, status: int, error: BaseException, debug: bool) -> int:
    if debug:
        traceback.print_exception(error)
    print(f"otel-bridge: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    handler: Command = args.handler
    debug = bool(getattr(args, "debug", False))
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except CommandError as error:
        return _fail(error.message, error.exit_status, error, debug)
    except ConfigError as error:
        return _fail(error.message, 2, error, debug)
    except ModuleNotFoundError as error:
        missing = f"{error.name} is missing: install the server extra (in a clone: pip install '.[server]')"
        return _fail(missing, 2, error, debug)
    except Exception as error:
        if debug:
            raise
        return _fail(
            f"unexpected error: {type(error).__name__}: {error} (run again with --debug for the traceback, "
            "and please report it)",
            1,
            error,
            debug,
        )


if __name__ == "__main__":
    sys.exit(main())
