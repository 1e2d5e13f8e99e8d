"""Administering a store: find it (``require_database``: commands other than ``serve`` never make a
new database unless asked), migrate and open it, keep the default project that ``otel-bridge
serve`` prints keys for, create, replace, list and revoke key pairs (``otel-bridge keys``), and the
lines printed for them, ready to paste into a shell.

A secret key is stored only as a hash, so it can be shown only when it is made: on the first start
of ``serve`` (keys generated), on every start when the settings give it, and by ``keys create``.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from otel_bridge.config import Settings, label
from otel_bridge.database_errors import database_errors, redacted_url
from otel_bridge.errors import CommandError, ConfigError
from otel_bridge.model.langfuse_wire import basic_authorization
from otel_bridge.store import Project
from otel_bridge.store.keys import (
    generate_public_key,
    generate_revoked_public_key,
    generate_secret_key,
    is_revoked,
)
from otel_bridge.store.sql import SqlStore
from otel_bridge.store.sql.engine import is_file_database

#: The project that ``serve`` creates on first start and whose keys it prints.
DEFAULT_PROJECT = "default"


def open_store(db: str, *, forwarding: bool = False) -> SqlStore:
    """Migrate the database to the newest schema and open the store on it (``forwarding``: writes
    mark changed traces for the forwarder); a database that cannot be opened is one
    ``ConfigError``/``CommandError`` line (``database_errors``)."""
    from otel_bridge.store.sql import migrations  # noqa: PLC0415 - Alembic is needed only here

    with database_errors(db):
        migrations.upgrade(db)
        return SqlStore(db, forwarding=forwarding)


def require_database(db: str, *, create: bool | None) -> None:
    """Refuse (``CommandError``, exit status 1) a database that does not exist yet: an SQLite file
    that is not there, or a database without otel-bridge's schema. ``create`` is the command's
    ``--create`` (True: go ahead and make it; None: the command has no such option)."""
    from otel_bridge.store.sql import migrations  # noqa: PLC0415 - Alembic is needed only here

    if create:
        return
    offer = ", or pass --create to make a new one" if create is not None else ""
    with database_errors(db):
        url = sa.make_url(db)
        if url.get_backend_name() == "sqlite" and is_file_database(url):
            path = Path(url.database or "").expanduser()
            if not path.is_file():
                relative = "" if path.is_absolute() else f", relative to this folder ({Path.cwd()})"
                raise CommandError(
                    f"no database at {path.resolve()}{relative}: give the server's database with "
                    f"{label('db')}{offer}"
                )
        if migrations.current_revision(db) is None:
            raise CommandError(
                f"{redacted_url(db)} has no otel-bridge tables: give the server's database with "
                f"{label('db')}{offer}"
            )


def command_url(db: str) -> str:
    """``db`` as a ``--db`` value that works from any folder: an SQLite path made absolute. A
    password is left out (psycopg then reads ``PGPASSWORD``), so that hints do not print it."""
    url = sa.make_url(db)
    if url.get_backend_name() == "sqlite" and is_file_database(url):
        url = url.set(database=str(Path(url.database or "").expanduser().resolve()))
    if url.password is not None:
        url = url._replace(password=None)  # URL.set(password=None) would keep it: None means "unchanged"
    return url.render_as_string(hide_password=False)


@dataclass(frozen=True, slots=True)
class ProjectKeysNotice:
    """The default project's keys as far as this start knows them; ``secret_key`` is None when it
    was generated on an earlier start (only its hash is stored)."""

    project_id: str
    public_key: str
    secret_key: str | None
    generated: bool


def ensure_default_project(store: SqlStore, settings: Settings) -> ProjectKeysNotice:
    """The default project, created on first start; keys given in the settings replace its pair."""
    project = store.find_project(DEFAULT_PROJECT)
    public_key, secret_key = settings.public_key, settings.secret_key
    try:
        if project is None:
            try:
                created = store.create_project(DEFAULT_PROJECT, public_key=public_key, secret_key=secret_key)
                return ProjectKeysNotice(
                    created.project.id, created.public_key, created.secret_key, generated=public_key is None
                )
            except ValueError:
                # Replicas started together on one empty database all find no project and create it
                # with the same keys: the ones that lose the race find the winner's and go on with it.
                project = store.find_project(DEFAULT_PROJECT)
                if project is None:
                    raise
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


def replace_keys_command(db: str) -> str:
    """The command that gives the default project a new pair, for this database, as printed."""
    needs_password = sa.make_url(db).password is not None
    command = (
        f"otel-bridge keys create --project {DEFAULT_PROJECT} --replace --db {shlex.quote(command_url(db))}"
    )
    return f"PGPASSWORD=… {command}" if needs_password else command


def default_project_lines(keys: ProjectKeysNotice, endpoint: str, db: str, grpc_address: str) -> list[str]:
    """What ``serve`` prints about the default project's keys, for clients of ``endpoint`` (HTTP) and
    ``grpc_address``; the hints are commands for the server's database ``db`` that work as printed."""
    if is_revoked(keys.public_key):
        return [
            f"project '{DEFAULT_PROJECT}': its key pair was revoked; get a new pair with:",
            f"  {replace_keys_command(db)}",
        ]
    # The gRPC address is a variable of its own: OTEL_EXPORTER_OTLP_ENDPOINT can name one transport,
    # and `demo --protocol grpc`, the README's gRPC variant and the collector configurations read it.
    grpc_line = f"export OTEL_BRIDGE_GRPC_ENDPOINT={grpc_address}"
    lines = [f"project '{DEFAULT_PROJECT}': public key {keys.public_key}"]
    if keys.secret_key is None:
        return [
            *lines,
            "  the secret key was generated on an earlier start and only its hash is stored;",
            f"  get a new pair with: {replace_keys_command(db)}",
            f"export OTEL_EXPORTER_OTLP_ENDPOINT={endpoint}",
            f"export LANGFUSE_HOST={endpoint} LANGFUSE_PUBLIC_KEY={keys.public_key}",
            grpc_line,
        ]
    if keys.generated:
        lines.append("  (keys generated now; the secret key is shown only this once)")
    return [
        *lines,
        f"export OTEL_EXPORTER_OTLP_ENDPOINT={endpoint}",
        _otlp_headers_line(keys.public_key, keys.secret_key),
        f"export LANGFUSE_HOST={endpoint} LANGFUSE_PUBLIC_KEY={keys.public_key} "
        f"LANGFUSE_SECRET_KEY={keys.secret_key}",
        grpc_line,
    ]


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
    authentication cache time). Raises ``CommandError`` (exit status 2) when the project exists and
    ``replace`` is false, or does not exist and ``replace`` is true."""
    store = open_store(db)
    try:
        existing = store.find_project(project_name)
        if existing is None and replace:
            raise CommandError(
                f"there is no project {project_name!r} to replace the keys of in {redacted_url(db)}; "
                f"see the projects with: otel-bridge keys list --db {shlex.quote(command_url(db))}",
                exit_status=2,
            )
        if existing is None:
            created = store.create_project(project_name)
            return CreatedKeys(
                created.project.id, project_name, created.public_key, created.secret_key, False
            )
        if not replace:
            raise CommandError(
                f"project {project_name!r} already exists; pass --replace to replace its key pair "
                "(the old pair stops working), or choose another name for a new project",
                exit_status=2,
            )
        public_key, secret_key = generate_public_key(), generate_secret_key()
        store.set_project_keys(existing.id, public_key, secret_key)
        return CreatedKeys(existing.id, project_name, public_key, secret_key, True)
    finally:
        store.close()


def list_projects(db: str) -> Sequence[Project]:
    """Every project of the database, oldest first."""
    store = open_store(db)
    try:
        return store.list_projects()
    finally:
        store.close()


def describe_projects(listed: Sequence[Project]) -> str:
    """What ``otel-bridge keys list`` prints: one aligned row per project."""
    rows = [("project", "id", "public key", "created")]
    for project in listed:
        public_key = "(revoked)" if is_revoked(project.public_key) else project.public_key
        rows.append((project.name, project.id, public_key, project.created_at.strftime("%Y-%m-%d %H:%M:%SZ")))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[3]]).rstrip()
        for row in rows
    )


def revoke_keys(db: str, project_name: str) -> Project:
    """Revoke a project's key pair: it is replaced by one nobody was given, so no client
    authenticates (running servers stop accepting the old pair within their authentication cache
    time); its data stays, and ``keys create --replace`` gives it a new pair."""
    store = open_store(db)
    try:
        existing = store.find_project(project_name)
        if existing is None:
            raise CommandError(
                f"there is no project {project_name!r} in {redacted_url(db)}; see the projects with: "
                f"otel-bridge keys list --db {shlex.quote(command_url(db))}",
                exit_status=2,
            )
        store.set_project_keys(existing.id, generate_revoked_public_key(), generate_secret_key())
        return existing
    finally:
        store.close()


def describe_keys(created: CreatedKeys) -> str:
    """What ``otel-bridge keys create`` prints."""
    action = "replaced the key pair of" if created.replaced else "created"
    return "\n".join(
        [
            f"{action} project {created.project_name!r} (id {created.project_id})",
            f"public key: {created.public_key}",
            f"secret key: {created.secret_key}   (shown only now; only its hash is stored)",
            _otlp_headers_line(created.public_key, created.secret_key),
            f"export LANGFUSE_PUBLIC_KEY={created.public_key} LANGFUSE_SECRET_KEY={created.secret_key}",
        ]
    )


def _otlp_headers_line(public_key: str, secret_key: str) -> str:
    # OTEL_EXPORTER_OTLP_HEADERS values are percent-encoded (OTLP exporter specification).
    authorization = basic_authorization(public_key, secret_key).replace(" ", "%20")
    return f'export OTEL_EXPORTER_OTLP_HEADERS="Authorization={authorization}"'


__all__ = [
    "DEFAULT_PROJECT",
    "CreatedKeys",
    "ProjectKeysNotice",
    "command_url",
    "create_keys",
    "default_project_lines",
    "describe_keys",
    "describe_projects",
    "ensure_default_project",
    "list_projects",
    "open_store",
    "redacted_url",
    "replace_keys_command",
    "require_database",
    "revoke_keys",
]
