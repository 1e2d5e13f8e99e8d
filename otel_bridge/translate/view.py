"""``SpanView``: read access to a span's attributes that remembers which keys a convention mapped.

Every key a convention reads through a view counts as mapped; whatever is left unmapped lands in the
observation's ``metadata.attributes`` (docs/architecture.md rule 1: nothing is dropped).
"""

from __future__ import annotations

import json
import math
from typing import Any

from otel_bridge.model import SpanRecord


class Shape:
    """What can be known of a span from its attribute keys alone, computed once per key sequence.

    Spans of one instrumentation carry the same keys in the same order, so everything derived from
    keys (namespaces, which keys of a precedence list are present, the parse of indexed keys, which
    conventions apply) is worked out for the first span of a shape and looked up for the rest. The
    translator spends most of its time on such bookkeeping otherwise. ``memo`` holds the derived
    facts, keyed by whoever derives them.
    """

    __slots__ = ("keys", "memo", "namespaces")

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self.namespaces = frozenset([key.partition(".")[0] for key in keys])
        self.memo: dict[Any, Any] = {}

    def present(self, key_list: tuple[str, ...]) -> tuple[str, ...]:
        """The keys of ``key_list`` this shape has, in the list's order."""
        found: tuple[str, ...] | None = self.memo.get(key_list)
        if found is None:
            keys = set(self.keys)
            found = self.memo[key_list] = tuple(key for key in key_list if key in keys)
        return found

    def with_prefix(self, prefix: str) -> tuple[str, ...]:
        """The keys of this shape that start with ``prefix``."""
        memo_key = ("prefix", prefix)
        found: tuple[str, ...] | None = self.memo.get(memo_key)
        if found is None:
            found = self.memo[memo_key] = tuple(key for key in self.keys if key.startswith(prefix))
        return found


_SHAPES: dict[tuple[str, ...], Shape] = {}
_SHAPE_CACHE_SIZE = 4096


def shape_of(keys: tuple[str, ...]) -> Shape:
    """The shared ``Shape`` of a key sequence (a bounded cache: cleared when full)."""
    shape = _SHAPES.get(keys)
    if shape is None:
        if len(_SHAPES) >= _SHAPE_CACHE_SIZE:
            _SHAPES.clear()
        shape = _SHAPES[keys] = Shape(keys)
    return shape


class SpanView:
    """A span plus the set of attribute keys mapped so far."""

    __slots__ = ("attributes", "namespaces", "record", "scope_name", "shape", "used")

    def __init__(self, record: SpanRecord) -> None:
        self.record = record
        self.attributes = record.attributes
        self.scope_name = record.scope.name
        self.used: set[str] = set()
        self.shape = shape_of(tuple(self.attributes))
        #: The first dotted segment of every key (``gen_ai``, ``llm``, ``langfuse``...): every
        #: convention's detection is a set lookup.
        self.namespaces = self.shape.namespaces

    def __contains__(self, key: str) -> bool:
        return key in self.attributes

    def peek(self, key: str) -> Any:
        """The value of ``key`` without marking it mapped (for detection)."""
        return self.attributes.get(key)

    def take(self, key: str) -> Any:
        """The value of ``key`` (None when absent), marking it mapped."""
        value = self.attributes.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def first(self, keys: tuple[str, ...]) -> Any:
        """The first present, non-empty value among ``keys``; only that key is marked mapped, so the
        losers stay visible in metadata."""
        attributes = self.attributes
        for key in self.shape.present(keys):
            value = attributes[key]
            if value is not None and value not in ("", []):
                self.used.add(key)
                return value
        return None

    def first_str(self, keys: tuple[str, ...]) -> str | None:
        """Like ``first``, with the value as a string (JSON for lists and dicts, as Langfuse does)."""
        value = self.first(keys)
        return None if value is None else as_str(value)

    def take_json(self, key: str) -> Any:
        """The value of ``key`` parsed as JSON when it is a JSON string; other values as they are."""
        value = self.take(key)
        return parse_json(value) if isinstance(value, str) else value

    def take_json_object(self, key: str) -> dict[str, Any] | None:
        """The JSON object (or dict value) at ``key``; the key is marked mapped only when it is one."""
        value = self.attributes.get(key)
        parsed = parse_json(value) if isinstance(value, str) else value
        if not isinstance(parsed, dict):
            return None
        self.used.add(key)
        return parsed

    def keys_with_prefix(self, prefix: str) -> tuple[str, ...]:
        """Every attribute key starting with ``prefix`` (worked out once per shape)."""
        return self.shape.with_prefix(prefix)


_DECODER = json.JSONDecoder()


def parse_json(value: str) -> Any:
    """``value`` parsed as JSON when it looks like a JSON document; otherwise ``value`` unchanged."""
    text = value.lstrip()
    if not text or text[0] not in '[{"':
        return value
    try:
        # The decoder ``json.loads`` uses, called directly: the text is known to be a str.
        return _DECODER.decode(value)
    except ValueError:
        return value


def as_str(value: Any) -> str:
    """A claim value as a string: strings as they are, other values as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.hex()
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def as_int(value: Any) -> int | None:
    """A token count or similar as an int; None when it is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            return int(float(value))
        except ValueError:
            return None
    return None


def as_float(value: Any) -> float | None:
    """A cost or similar as a float; None when it is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
