"""Administering a store: migrate and open it, keep the default project that ``otel-bridge serve``
prints keys for, create or replace key pairs (``otel-bridge keys create``), and the lines printed for
them, ready to paste into a shell.

A secret key is stored only as a hash, so it can be shown only when it is made: on the first start
of ``serve`` (keys generated), on every start when the settings give it, and by ``keys create``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from otel_bridge.config import Settings
from otel_bridge.errors import CommandError, ConfigError
from otel_bridge.model.langfuse_wire import basic_authorization
from otel_bridge.store.keys import generate_public_key, generate_secret_key
from otel_bridge.store.sql import SqlStore

#: The project that ``serve`` creates on first start and whose keys it prints.
DEFAULT_PROJECT = "default"


def open_store(db: str, *, forwarding: bool = False) -> SqlStore:
    """Migrate the database to the newest schema and open the store on it (``forwarding``: writes
    mark changed traces for the forwarder)."""
    from otel_bridge.store.sql import migrations  # noqa: PLC0415 - Alembic is needed only here

    migrations.upgrade(db)
    return SqlStore(db, forwarding=forwarding)


def redacted_url(url: str) -> str:
    """The database URL without its password, for printing."""
    return sa.make_url(url).render_as_string(hide_password=True)


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


def default_project_lines(keys: ProjectKeysNotice, endpoint: str) -> list[str]:
    """What ``serve`` prints about the default project's keys, for clients of ``endpoint``."""
    lines = [f"project '{DEFAULT_PROJECT}': public key {keys.public_key}"]
    if keys.secret_key is None:
        return [
            *lines,
            "  the secret key was generated on an earlier start and only its hash is stored;",
            f"  get a new pair with: otel-bridge keys create --project {DEFAULT_PROJECT} --replace",
            f"export OTEL_EXPORTER_OTLP_ENDPOINT={endpoint}",
            f"export LANGFUSE_HOST={endpoint} LANGFUSE_PUBLIC_KEY={keys.public_key}",
        ]
    if keys.generated:
        lines.append("  (keys generated now; the secret key is shown only this once)")
    return [
        *lines,
        f"export OTEL_EXPORTER_OTLP_ENDPOINT={endpoint}",
        _otlp_headers_line(keys.public_key, keys.secret_key),
        f"export LANGFUSE_HOST={endpoint} LANGFUSE_PUBLIC_KEY={keys.public_key} "
        f"LANGFUSE_SECRET_KEY={keys.secret_key}",
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
    ``replace`` is false."""
    store = open_store(db)
    try:
        existing = store.find_project(project_name)
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
    "create_keys",
    "default_project_lines",
    "describe_keys",
    "ensure_default_project",
    "open_store",
    "redacted_url",
]
