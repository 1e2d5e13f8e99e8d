"""Stored values as text: compact JSON, and UTF-8 that both databases accept. Standard library only.

This is the one definition of how a value is stored as JSON: the SQL store writes these texts (through
a faster encoder that gives the same text, ``sql/encoding.py``), and the in-memory store passes its
values through them, so that both give back the same values (a tuple reads back as a list, bytes as
base64).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from otel_bridge.model import Payload
from otel_bridge.translate.payloads import resolve_payload


def json_default(value: Any) -> Any:
    """JSON for what attribute values may hold beyond JSON: bytes (base64), sets, other objects (text)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Payload):  # nested in metadata: only top-level inputs and outputs stay text
        return resolve_payload(value)
    return str(value)


_encode_unicode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=json_default).encode
_encode_ascii = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), default=json_default).encode


def to_json(value: Any) -> str:
    """Compact JSON text; non-ASCII kept as is unless the text holds lone surrogates, which neither
    database can store as UTF-8, and which then stay escaped."""
    text = _encode_unicode(value)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return _encode_ascii(value)
    return text


def utf8(text: str) -> bytes:
    """``text`` in UTF-8; lone surrogates (possible in OTLP/JSON escapes), which neither database
    stores, become ``?``."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


__all__ = ["json_default", "to_json", "utf8"]
