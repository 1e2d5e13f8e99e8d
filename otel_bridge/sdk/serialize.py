"""Any Python value → JSON text, without ever raising: what ``observe`` records as a call's input and
output, and what attribute values that are not plain OTel values become.

Applications pass anything to a traced function (dataclasses, pydantic models, clients, open
files), so everything that is not JSON gets a readable stand-in instead of an error: dataclasses and
models become objects, sets lists, bytes base64, datetimes ISO 8601, anything else its ``repr``.
Cycles are cut, and non-finite floats become strings (JSON has no NaN).
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import math
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

__all__ = ["merged_metadata", "to_json", "to_jsonable"]

#: Nesting of objects deeper than this is cut (a stand-in for self-referencing object graphs that are not
#: cycles); plain JSON nesting the C encoder takes whole.
MAX_DEPTH = 20


def to_json(value: Any) -> str:
    """``value`` as compact JSON text; never raises."""
    try:
        # The C encoder for what is plain JSON already (most arguments and results, on every
        # ``@observe``d call); ``to_jsonable`` for the objects inside, and for the whole value when the
        # encoder refuses it (NaN, a cycle, non-string keys it cannot convert, very deep nesting).
        return _ENCODER.encode(value)
    except (TypeError, ValueError, RecursionError):
        pass
    except Exception:  # a __repr__ or model_dump that raised: the value's type must do
        return json.dumps(f"<{type(value).__name__}>")
    try:
        return json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":"))
    except Exception:
        return json.dumps(f"<{type(value).__name__}>")


def to_jsonable(value: Any, _depth: int = 0, _seen: frozenset[int] = frozenset()) -> Any:
    """``value`` as plain JSON values (dict, list, str, int, float, bool, None)."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if _depth >= MAX_DEPTH or id(value) in _seen:
        return f"<{type(value).__name__}>"
    seen = _seen | {id(value)}
    depth = _depth + 1
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value, depth, seen)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item, depth, seen) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item, depth, seen) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_jsonable(item, depth, seen) for item in value), key=repr)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        return to_jsonable(fields, depth, seen)
    dump = getattr(value, "model_dump", None)  # pydantic v2 models
    if callable(dump) and not isinstance(value, type):
        return to_jsonable(dump(), depth, seen)
    return repr(value)


def merged_metadata(existing: Any, metadata: Mapping[str, Any], *, replace: bool = True) -> str:
    """The JSON object text of a span's metadata attribute (``existing``, JSON text or absent) with
    ``metadata`` merged in: its keys replace existing ones, or with ``replace=False`` only fill in.

    One JSON object rather than flattened ``<prefix>.<key>`` attributes: the translator parses the
    object back with its value types, while flattened values that are not JSON documents (numbers,
    booleans) would come back as strings. Merging keeps several writers on one span (``session()``
    and ``update_current_trace``) from erasing each other's keys.
    """
    merged: dict[str, Any] = {}
    if isinstance(existing, str):
        try:
            parsed = json.loads(existing)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            merged.update(parsed)
    for key, value in metadata.items():
        if replace or key not in merged:
            merged[str(key)] = to_jsonable(value)
    return to_json(merged)


#: The C encoder ``to_json`` tries first; objects it does not know go through ``to_jsonable``.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=to_jsonable)
