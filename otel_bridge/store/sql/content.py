"""Content addressing: large values live once in ``contents``, under the hash of their text, and rows
hold the hash.

The hash is SHA-256 cut to 128 bits (the fastest strong hash here, with SHA extensions). A
``Payload`` (an input or output kept as the text it arrived in) is stored as that text with its
format, untouched: it is normalized when read (``otel_bridge.translate.payloads``), so ingest never
parses it. Any other value is stored as compact JSON, with no format.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from otel_bridge.model import Payload
from otel_bridge.store.json_text import utf8
from otel_bridge.store.sql.columns import CONTENTS
from otel_bridge.store.sql.dialects import ShapedRows
from otel_bridge.store.sql.encoding import dumps_utf8

#: The content references of observation and trace rows.
OBSERVATION_CONTENT_COLUMNS = ("input_hash", "output_hash", "resource_hash")
TRACE_CONTENT_COLUMNS = ("input_hash", "output_hash")

#: The shapes of ``contents`` rows (see ``dialects.shape_rows``): JSON ones have no format.
_JSON_SHAPE = (CONTENTS.project_id, CONTENTS.hash, CONTENTS.body)
_PAYLOAD_SHAPE = (CONTENTS.project_id, CONTENTS.hash, CONTENTS.format, CONTENTS.body)


def content_hash(format: str | None, data: bytes) -> str:
    """The content address of a stored text (UTF-8) in a format (None: JSON of a plain value)."""
    digest = hashlib.sha256(data)
    if format is not None:
        digest.update(b"\x00" + format.encode())
    return digest.hexdigest()[:32]


class ContentSink:
    """Collects the distinct contents a batch references: hash → (format, text as UTF-8 bytes).

    The text stays bytes, as hashed: it pickles as a copy (a ``str`` is encoded to UTF-8 and decoded
    again), and the writer hands it to the database as it is (``CAST(? AS TEXT)`` on SQLite, the
    text's binary COPY format on PostgreSQL; see ``dialects.py``), where a ``str`` would be encoded
    once more.

    Values that belong to the batch's translations (alive as long as the sink) are also remembered by
    identity, so that a value referenced twice (a span's input is its claims' span input) is hashed
    once, and so that ``hash_of`` can name the hash of whichever value trace resolution picks.
    """

    __slots__ = ("_by_id", "_repeated", "bodies")

    def __init__(self) -> None:
        self.bodies: dict[str, tuple[str | None, bytes]] = {}
        self._repeated: list[tuple[Any, str]] = []
        self._by_id: dict[int, str | None] = {}

    def put_owned(self, value: Any) -> str | None:
        """``put`` for a value owned by one of the batch's translations."""
        key = id(value)
        try:
            return self._by_id[key]
        except KeyError:
            digest = self._by_id[key] = self.put(value)
            return digest

    def hash_of(self, value: Any) -> str | None:
        """The hash of a value given to ``put_owned``; any other value is taken to be a hash already
        (a stored span's claim)."""
        if value is None:
            return None
        digest = self._by_id.get(id(value))
        return str(value) if digest is None else digest

    def put_repeated(self, value: Any) -> str | None:
        """``put`` for a value that most spans of a batch repeat (the resource attributes of one
        service): comparing it with the few seen before is cheaper than serializing it again."""
        for seen, digest in self._repeated:
            if seen == value:
                return digest
        new = self.put(value)
        if new is not None and len(self._repeated) < 8:
            self._repeated.append((value, new))
        return new

    def rows(self, project_id: str) -> list[ShapedRows]:
        """The ``contents`` rows in hash order, by shape."""
        plain: list[tuple[Any, ...]] = []
        payloads: list[tuple[Any, ...]] = []
        bodies = self.bodies
        for digest in sorted(bodies):
            format, data = bodies[digest]
            if format is None:
                plain.append((project_id, digest, data))
            else:
                payloads.append((project_id, digest, format, data))
        shaped: list[ShapedRows] = []
        if plain:
            shaped.append((_JSON_SHAPE, plain))
        if payloads:
            shaped.append((_PAYLOAD_SHAPE, payloads))
        return shaped

    def put(self, value: Any) -> str | None:
        """The hash of ``value`` (None for None), remembering its text for insertion."""
        if value is None:
            return None
        if isinstance(value, Payload):
            format: str | None = value.format
            data = utf8(value.text)
        else:
            format = None
            data = dumps_utf8(value)
        digest = content_hash(format, data)
        self.bodies[digest] = (format, data)
        return digest


class ContentReader:
    """The contents one read needs, fetched at once (hash → format, text), each parsed once."""

    __slots__ = ("_parsed", "_texts")

    def __init__(self, texts: Mapping[str, tuple[str | None, str]]) -> None:
        self._texts = texts
        self._parsed: dict[str, Any] = {}

    def load(self, digest: str | None) -> Any:
        """The value stored under ``digest`` (None for no reference)."""
        if digest is None:
            return None
        try:
            return self._parsed[digest]
        except KeyError:
            found = self._texts.get(digest)
            if found is None:
                return None
            format, text = found
            value = self._parsed[digest] = json.loads(text) if format is None else Payload(text, format)
            return value


__all__ = [
    "OBSERVATION_CONTENT_COLUMNS",
    "TRACE_CONTENT_COLUMNS",
    "ContentReader",
    "ContentSink",
    "content_hash",
]
