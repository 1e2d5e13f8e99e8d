"""Everything that differs between SQLite and PostgreSQL, and how rows are shaped for their drivers.

- SQLite: WAL journal, ``synchronous=NORMAL`` (a committed transaction survives a killed process;
  only a power loss can take the last ones back), WAL checkpoints on a thread of their own
  (``checkpointer.py``) rather than in the commit that crosses the WAL's size limit, and
  ``BEGIN IMMEDIATE`` for writes, which takes the database's single write lock up front so that a
  writer's reads and writes see one consistent database. Rows are inserted by shape
  (``shape_rows``), naming only their non-null columns: the driver binds a None slowly.
- PostgreSQL: binary ``COPY`` into a per-connection temporary table, then one
  ``INSERT … SELECT … ON CONFLICT`` (about twice as fast as row upserts), and transaction-scoped
  advisory locks on the traces and sessions a batch touches, so that replicas writing spans of one
  trace, or traces of one session, concurrently serialize on it instead of each recomputing it from
  a view that misses the other's rows (docs/architecture.md, "Scaling out"). Locks are taken in a fixed order
  (traces, then sessions, each sorted), and contents are inserted in hash order, so two writers can
  not deadlock.
- JSON arrays (tags, user ids, environments) are matched with ``json_each`` on SQLite and ``jsonb``
  containment on PostgreSQL.
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache, partial
from itertools import compress, repeat
from operator import is_not, itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from otel_bridge.store.sql.encoding import dumps
from otel_bridge.store.sql.schema import contents, observations

#: Execution option that makes the SQLite ``begin`` hook take the write lock at once.
WRITE_OPTION = "otel_bridge_write"
#: The ``project_id`` parameter of the prepared statements.
PROJECT_PARAM: sa.BindParameter[str] = sa.bindparam("project_id", type_=sa.String)
#: Columns whose values arrive as UTF-8 bytes (``content.ContentSink``) and are stored as text.
_UTF8_COLUMNS = frozenset({(contents.name, contents.c.body.name)})

#: Rows of one table grouped by which of their values are not None: the positions (in the table's
#: column order) of those columns, and the rows cut down to their values.
ShapedRows = tuple[tuple[int, ...], list[tuple[Any, ...]]]


def shape_rows(rows: Iterable[tuple[Any, ...]]) -> list[ShapedRows]:
    """``rows`` (in table column order) grouped by which of their values are not None, each cut down to
    those values, in order of first appearance.

    Python's sqlite3 binds a None through its slow adaptation path (about 0.7 µs a value, a third of
    the time of inserting an observation row, which has a dozen or two), while a column an INSERT
    leaves out is NULL for nothing; so the writer inserts each group with a statement naming its
    columns only. A batch's rows fall into a handful of groups (one per kind of span, roughly).
    """
    groups: dict[bytes, list[tuple[Any, ...]]] = {}
    for row in rows:
        # 1 where the value is not None: a C-level pass, where a comprehension would cost 2 µs a row.
        mask = bytes(map(is_not, row, repeat(None)))
        group = groups.get(mask)
        if group is None:
            groups[mask] = [row]
        else:
            group.append(row)
    shaped: list[ShapedRows] = []
    for mask, group in groups.items():
        shape = tuple(compress(range(len(mask)), mask))
        shaped.append((shape, list(map(_tuple_getter(shape), group))))
    return shaped


@lru_cache(maxsize=512)
def shape_getter(
    shape: tuple[int, ...], columns: tuple[int, ...]
) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """For a row of ``shape`` (see ``shape_rows``) *with a None appended*, the getter of its values at
    the table positions ``columns`` (None where the shape has none), as one tuple."""
    index = {column: i for i, column in enumerate(shape)}
    return _tuple_getter([index.get(column, len(shape)) for column in columns])


def _tuple_getter(positions: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """The values at ``positions``, as a tuple: an ``itemgetter`` (C) unless it would give a bare value."""
    if len(positions) > 1:
        return itemgetter(*positions)
    return lambda row: tuple(row[i] for i in positions)


def every_column(table: sa.Table) -> tuple[int, ...]:
    """The shape of a row with a value in every column."""
    return tuple(range(len(table.columns)))


class Dialect(abc.ABC):
    """What differs between the databases. Rows come by shape (``shape_rows``)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, tuple[int, ...]], Any] = {}

    @staticmethod
    def of(engine: sa.Engine) -> Dialect:
        """The dialect of ``engine``'s database."""
        return PostgresDialect() if engine.dialect.name == "postgresql" else SqliteDialect()

    def lock(  # noqa: B027 -- deliberately a no-op by default
        self, conn: sa.Connection, project_id: str, kind: str, ids: Sequence[str]
    ) -> None:
        """Serialize writers on these traces or sessions until the transaction ends. Nothing to do by
        default: SQLite's ``BEGIN IMMEDIATE`` already serializes whole write transactions."""

    @abc.abstractmethod
    def json_array_contains(self, column: sa.ColumnElement[Any], value: str) -> sa.ColumnElement[bool]:
        """Whether a JSON-array text column holds ``value``."""

    def keyed_in(self, column: sa.Column[Any]) -> sa.ColumnElement[bool]:
        """Rows of the project (parameter ``project_id``) whose ``column`` is one of the list
        ``keys`` (a batch's trace or session ids)."""
        # One expanding parameter holding the list: ``in_(values)`` would coerce every value (a
        # batch's 64 trace ids, per statement) into an element of its own.
        keys = sa.bindparam("keys", expanding=True, type_=column.type)
        return sa.and_(column.table.c.project_id == PROJECT_PARAM, column.in_(keys))

    @abc.abstractmethod
    def upsert(self, conn: sa.Connection, table: sa.Table, groups: Sequence[ShapedRows]) -> None:
        """Insert rows, replacing every column of those whose primary key exists (a column a row's
        shape leaves out becomes NULL)."""

    @abc.abstractmethod
    def insert_observations(self, conn: sa.Connection, groups: Sequence[ShapedRows]) -> None:
        """Insert observation rows whose keys are not stored (an existing one is an error)."""

    @abc.abstractmethod
    def insert_contents(self, conn: sa.Connection, groups: Sequence[ShapedRows]) -> None:
        """Insert contents not stored yet (a hash names its text, so existing ones are left alone)."""

    def _cached(self, kind: str, table: sa.Table, shape: tuple[int, ...], make: Callable[[], Any]) -> Any:
        """What ``make`` builds (statement text, COPY types) for ``kind`` of rows of ``shape``, once."""
        key = (kind, table.name, shape)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = make()
        return found


def _names(table: sa.Table, shape: tuple[int, ...]) -> list[str]:
    columns = table.columns.values()
    return [columns[i].name for i in shape]


def _on_conflict_update(table: sa.Table) -> str:
    """Every column but the key, from the row that conflicted: a column the row left out becomes NULL."""
    keys = [c.name for c in table.primary_key.columns]
    updates = ", ".join(f"{c.name} = excluded.{c.name}" for c in table.columns if c.name not in keys)
    return f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"


class SqliteDialect(Dialect):
    """SQLite: explicit transactions, rows inserted by shape with plain statements."""

    @staticmethod
    def configure(engine: sa.Engine) -> None:
        """Pragmas on every new connection, and explicit BEGINs (pysqlite's own transaction handling
        would defer BEGIN past our first read; see SQLAlchemy's "Serializable isolation" recipe)."""

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in (
                "journal_mode = WAL",
                "synchronous = NORMAL",
                # 4 KiB pages x 20,000: checkpoint every ~80 MiB of WAL rather than every 4 MiB,
                # so that index pages rewritten by many batches reach the database file once. A
                # SqlStore raises it on its writing connections and checkpoints from a thread.
                "wal_autocheckpoint = 20000",
                "cache_size = -65536",
                "temp_store = MEMORY",
                "mmap_size = 268435456",
                "busy_timeout = 30000",
            ):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            write = conn.get_execution_options().get(WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    def json_array_contains(self, column: sa.ColumnElement[Any], value: str) -> sa.ColumnElement[bool]:
        elements = sa.func.json_each(column).table_valued("value")
        return sa.exists(sa.select(sa.literal(1)).select_from(elements).where(elements.c.value == value))

    def upsert(self, conn: sa.Connection, table: sa.Table, groups: Sequence[ShapedRows]) -> None:
        self._insert(conn, "INSERT", table, groups, _on_conflict_update(table))

    def insert_observations(self, conn: sa.Connection, groups: Sequence[ShapedRows]) -> None:
        self._insert(conn, "INSERT", observations, groups)

    def insert_contents(self, conn: sa.Connection, groups: Sequence[ShapedRows]) -> None:
        self._insert(conn, "INSERT OR IGNORE", contents, groups)

    def _insert(
        self, conn: sa.Connection, verb: str, table: sa.Table, groups: Sequence[ShapedRows], tail: str = ""
    ) -> None:
        for shape, rows in groups:

            def make(shape: tuple[int, ...] = shape) -> str:
                names = _names(table, shape)
                # UTF-8 bytes are bound as a blob (a copy) and made text again by CAST (no conversion).
                values = ", ".join(
                    "CAST(? AS TEXT)" if (table.name, name) in _UTF8_COLUMNS else "?" for name in names
                )
                return f"{verb} INTO {table.name} ({', '.join(names)}) VALUES ({values}) {tail}"

            conn.exec_driver_sql(self._cached(verb + tail, table, shape, make), rows)


class PostgresDialect(Dialect):
    """PostgreSQL: advisory locks, and rows copied in binary, then merged by one statement."""

    @staticmethod
    def configure(engine: sa.Engine) -> None:
        """Plan every statement for its actual parameters. psycopg prepares a statement after a few
        executions, and PostgreSQL may then settle on a generic plan made while the tables were
        small (a sequential scan), which stays in use as they grow: span lookups of a growing trace
        table then scan it whole, every batch."""

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET plan_cache_mode = force_custom_plan")
            dbapi_connection.commit()

    def lock(self, conn: sa.Connection, project_id: str, kind: str, ids: Sequence[str]) -> None:
        if ids:
            # unnest yields the sorted keys in order, so every writer locks in the same order.
            conn.exec_driver_sql(
                "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k",
                (_lock_keys(project_id, kind, ids),),
            )

    def keyed_in(self, column: sa.Column[Any]) -> sa.ColumnElement[bool]:
        # As (project_id, key) IN (SELECT project, unnest(keys)): planned as one index probe per key.
        # Written as project_id = … AND key IN (…), PostgreSQL, before autovacuum has analyzed a
        # young table, takes project_id for selective and scans the whole project by another index.
        keys = sa.select(PROJECT_PARAM, sa.func.unnest(sa.bindparam("keys", type_=ARRAY(sa.Text))))
        return sa.tuple_(column.table.c.project_id, column).in_(keys)

    def json_array_contains(self, column: sa.ColumnElement[Any], value: str) -> sa.ColumnElement[bool]:
        return sa.cast(column, JSONB).op("@>")(sa.cast(sa.literal(dumps([value])), JSONB))

    def insert_contents(self, conn: sa.Connection, groups: Sequence[ShapedRows]) -> None:
        if not groups:
            return
        self._copy(conn, contents, groups)
        # In hash order: two writers inserting the same contents wait for each other in one order.
        conn.exec_driver_sql(
            "INSERT INTO contents (project_id, hash, format, body) SELECT project_id, hash, format, body "
            "FROM _stage_contents ORDER BY hash ON CONFLICT DO NOTHING"
        )

    def upsert(self, conn: sa.Connection, table: sa.Table, groups: Sequence[ShapedRows]) -> None:
        # COPY, then one statement: for traces and sessions too, a few dozen rows per batch, this is
        # cheaper than as many pipelined INSERTs.
        if not groups:
            return
        self._copy(conn, table, groups)
        columns = ", ".join(c.name for c in table.columns)
        sql = self._cached(
            "upsert",
            table,
            (),
            lambda: (
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM _stage_{table.name} "
                + _on_conflict_update(table)
            ),
        )
        conn.exec_driver_sql(sql)

    def insert_observations(self, conn: sa.Connection, groups: Sequence[ShapedRows]) -> None:
        # Straight into the table: no staging copy, and none of ON CONFLICT's speculative insertion.
        if groups:
            self._copy(conn, observations, groups, stage=False)

    def _copy(
        self, conn: sa.Connection, table: sa.Table, groups: Sequence[ShapedRows], *, stage: bool = True
    ) -> None:
        """Binary COPY of the rows into ``_stage_<table>``, a temporary table emptied at commit (or,
        not ``stage``, into the table itself), one COPY a shape."""
        target = f"_stage_{table.name}" if stage else table.name
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            if stage:
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {target} (LIKE {table.name} INCLUDING DEFAULTS) "
                    "ON COMMIT DELETE ROWS"
                )
            for shape, rows in groups:
                names, types = self._cached("copy", table, shape, partial(_copy_columns, table, shape))
                with cursor.copy(f"COPY {target} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(types)
                    for row in rows:
                        copy.write_row(row)


def _copy_columns(table: sa.Table, shape: tuple[int, ...]) -> tuple[str, list[str]]:
    """The column list of a COPY of rows of ``shape``, and the PostgreSQL types of their values."""
    names = _names(table, shape)
    column = table.columns
    # UTF-8 bytes go as they are: a text value's binary COPY format is its UTF-8.
    types = [
        "bytea" if (table.name, name) in _UTF8_COLUMNS else _PG_TYPES[type(column[name].type)]
        for name in names
    ]
    return ", ".join(names), types


_PG_TYPES: Mapping[type, str] = {
    sa.String: "text",
    sa.Text: "text",
    sa.BigInteger: "int8",
    sa.Integer: "int4",
    sa.Boolean: "bool",
}


def _lock_keys(project_id: str, kind: str, ids: Sequence[str]) -> list[int]:
    """Signed 64-bit advisory-lock keys; a collision only makes two writers wait for each other."""
    prefix = f"{project_id}\x00{kind}\x00".encode()
    return sorted(
        {
            int.from_bytes(hashlib.blake2b(prefix + i.encode(), digest_size=8).digest(), "big", signed=True)
            for i in ids
        }
    )


__all__ = [
    "PROJECT_PARAM",
    "WRITE_OPTION",
    "Dialect",
    "PostgresDialect",
    "ShapedRows",
    "SqliteDialect",
    "every_column",
    "shape_getter",
    "shape_rows",
]
