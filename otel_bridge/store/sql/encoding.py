"""The SQL store's JSON encoder: ``otel_bridge.store.json_text``'s text, made by orjson where it can.

orjson is several times faster, and this runs a few times per span. It is used whenever it gives
the text ``json`` would: orjson refuses lone surrogates, non-string keys and integers beyond 64 bits,
and writes NaN and infinities as ``null`` (``json`` writes ``NaN``, which reads back as NaN), so a
refusal, or any ``null`` in its text, leaves the value to ``json``. Enums (not attribute values) are
the one remaining difference: their value rather than their ``str``.
"""

from __future__ import annotations

from typing import Any

import orjson

from otel_bridge.store.json_text import json_default, to_json

_orjson_dumps = orjson.dumps
# Datetimes and dataclasses (a nested ``Payload``) go to ``json_default``, as with ``json``; str and
# int subclasses are encoded natively by both libraries alike.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(value: Any) -> str:
    """``json_text.to_json(value)``."""
    data = _orjson_or_none(value)
    return to_json(value) if data is None else data.decode()


def dumps_utf8(value: Any) -> bytes:
    """``dumps`` in UTF-8: orjson's own bytes, where ``dumps`` would decode them to be encoded again."""
    data = _orjson_or_none(value)
    return to_json(value).encode("utf-8") if data is None else data


def _orjson_or_none(value: Any) -> bytes | None:
    """orjson's JSON of ``value``, or None where it would differ from ``json``'s (see the module
    docstring)."""
    try:
        data = _orjson_dumps(value, default=json_default, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError included
        return None
    return None if b"null" in data else data


__all__ = ["dumps", "dumps_utf8"]
