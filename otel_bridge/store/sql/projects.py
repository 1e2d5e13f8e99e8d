"""Projects in the ``projects`` table: creation, key pairs and authentication (keys are made and
hashed by ``otel_bridge.store.keys``; only their digests are stored)."""

from __future__ import annotations

import sqlalchemy as sa

from otel_bridge.errors import NotFound
from otel_bridge.model import datetime_to_nanos, nanos_to_datetime
from otel_bridge.store import Project, ProjectKeys
from otel_bridge.store import keys as project_keys
from otel_bridge.store.sql.decode import decode_project
from otel_bridge.store.sql.engine import Connections
from otel_bridge.store.sql.schema import projects

_KEY_IN_USE = "this public or secret key belongs to another project"


def create_project(
    db: Connections, name: str, now_ns: int, public_key: str | None, secret_key: str | None
) -> ProjectKeys:
    """A new project created at ``now_ns``; keys not given are generated. ``ValueError`` for a key in use."""
    public_key = public_key or project_keys.generate_public_key()
    secret_key = secret_key or project_keys.generate_secret_key()
    project = Project(
        id=project_keys.generate_project_id(),
        name=name,
        public_key=public_key,
        created_at=nanos_to_datetime(now_ns),
    )
    try:
        with db.write() as conn:
            conn.execute(
                projects.insert().values(
                    id=project.id,
                    name=name,
                    public_key=public_key,
                    secret_lookup=project_keys.secret_lookup(secret_key),
                    secret_hash=project_keys.hash_secret(secret_key),
                    created_ns=datetime_to_nanos(project.created_at),
                )
            )
    except sa.exc.IntegrityError as error:
        raise ValueError(_KEY_IN_USE) from error
    return ProjectKeys(project, public_key, secret_key)


def set_project_keys(db: Connections, project_id: str, public_key: str, secret_key: str) -> None:
    """Replace a project's key pair; ``ValueError`` for a key in use, ``NotFound`` for no project."""
    try:
        with db.write() as conn:
            updated = conn.execute(
                projects.update()
                .where(projects.c.id == project_id)
                .values(
                    public_key=public_key,
                    secret_lookup=project_keys.secret_lookup(secret_key),
                    secret_hash=project_keys.hash_secret(secret_key),
                )
            ).rowcount
    except sa.exc.IntegrityError as error:
        raise ValueError(_KEY_IN_USE) from error
    if not updated:
        raise NotFound(f"no project {project_id}")


def get_project(db: Connections, project_id: str) -> Project:
    """The project with this id."""
    with db.read() as conn:
        row = conn.execute(sa.select(projects).where(projects.c.id == project_id)).mappings().first()
    if row is None:
        raise NotFound(f"no project {project_id}")
    return decode_project(row)


def find_project(db: Connections, name: str) -> Project | None:
    """The oldest project with this name, if any."""
    query = sa.select(projects).where(projects.c.name == name).order_by(projects.c.created_ns, projects.c.id)
    with db.read() as conn:
        row = conn.execute(query).mappings().first()
    return None if row is None else decode_project(row)


def list_projects(db: Connections) -> list[Project]:
    """Every project, oldest first."""
    with db.read() as conn:
        rows = conn.execute(sa.select(projects).order_by(projects.c.created_ns, projects.c.id)).mappings()
        return [decode_project(row) for row in rows]


def authenticate(db: Connections, public_key: str, secret_key: str) -> Project | None:
    """The project of this key pair, or None when either key is wrong."""
    return _verified(db, projects.c.public_key == public_key, secret_key)


def authenticate_secret(db: Connections, secret_key: str) -> Project | None:
    """The project of this secret key alone (``Authorization: Bearer``), or None."""
    return _verified(db, projects.c.secret_lookup == project_keys.secret_lookup(secret_key), secret_key)


def _verified(db: Connections, where: sa.ColumnElement[bool], secret_key: str) -> Project | None:
    # No cache here: scrypt is slow on purpose, and the receivers' ``Authenticator`` remembers
    # verified headers for ``auth_cache_seconds``; a second cache would keep a replaced key
    # working past that setting.
    with db.read() as conn:
        row = conn.execute(sa.select(projects).where(where)).mappings().first()
    if row is None or not project_keys.verify_secret(secret_key, row["secret_hash"]):
        return None
    return decode_project(row)


__all__ = [
    "authenticate",
    "authenticate_secret",
    "create_project",
    "find_project",
    "get_project",
    "list_projects",
    "set_project_keys",
]
