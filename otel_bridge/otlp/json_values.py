"""OTLP/JSON scalar and ``AnyValue`` decoding: the value rules of the OTLP/JSON encoding.

OTLP/JSON is the proto3 JSON mapping with OTLP's exceptions. A value is accepted as the
specification writes it and as tolerant receivers must read it:

- int64 / uint64 / fixed64 fields (``intValue``, ``*TimeUnixNano``): a decimal string or a JSON
  number (an integral one);
- ``doubleValue``: a number, or a string such as ``"NaN"``, ``"Infinity"``, ``"-Infinity"``, ``"1.5"``;
- ``bytesValue``: base64, standard or URL-safe, padding optional;
- enums: the integer, or the enum value's name (``"SPAN_KIND_CLIENT"``);
- field names: lowerCamelCase or the proto field name (``string_value``); ``null`` means absent.

A value that breaks these rules raises ``InvalidValue`` with a path relative to the value (such as
``.arrayValue.values[2]``) that the caller extends into a full ``resourceSpans[0]...`` path.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from otel_bridge.model import AttributeValue

__all__ = ["InvalidValue", "any_value", "attributes", "int64", "key_value", "uint64"]

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1


class InvalidValue(Exception):
    """A JSON value that cannot be decoded; ``where`` is its path below the object being decoded
    (``""``, ``".attributes[3].value"``, ...) and ``detail`` says what is wrong."""

    def __init__(self, detail: str, where: str = "") -> None:
        super().__init__(f"{where}: {detail}")
        self.detail = detail
        self.where = where

    def under(self, prefix: str) -> InvalidValue:
        """The same problem, seen from ``prefix`` levels higher."""
        return InvalidValue(self.detail, prefix + self.where)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _integer(value: object, field: str) -> int:
    if type(value) is int:
        return value
    if type(value) is str:
        try:
            return int(value)
        except ValueError:
            pass
    elif type(value) is float and value.is_integer():
        return int(value)
    raise InvalidValue(f"{field} {_show(value)} is not an integer")


def int64(value: object, field: str = "intValue") -> int:
    """A signed 64-bit integer given as a decimal string or an integral number."""
    number = _integer(value, field)
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise InvalidValue(f"{field} {_show(value)} is out of the int64 range")
    return number


def uint64(value: object, field: str) -> int:
    """An unsigned 64-bit integer (the ``*TimeUnixNano`` fields); ``None`` is 0."""
    if value is None:
        return 0
    number = _integer(value, field)
    if not 0 <= number <= _UINT64_MAX:
        raise InvalidValue(f"{field} {_show(value)} is out of the uint64 range")
    return number


def _double(value: object) -> float:
    if type(value) is float or type(value) is int:
        return float(value)
    if type(value) is str:
        try:
            return float(value)  # also "NaN", "Infinity", "-Infinity"
        except ValueError:
            pass
    raise InvalidValue(f"doubleValue {_show(value)} is not a number")


def _bytes(value: object) -> bytes:
    if type(value) is str:
        text = value.replace("-", "+").replace("_", "/")  # URL-safe alphabet → standard
        try:
            return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError):
            pass
    raise InvalidValue(f"bytesValue {_show(value)} is not base64")


def _values(container: object, kind: str) -> list[Any]:
    if not isinstance(container, dict):
        raise InvalidValue(f"{kind} must be an object with 'values', got {_show(container)}")
    values = container.get("values")
    if values is None:
        return []
    if not isinstance(values, list):
        raise InvalidValue(f"{kind}.values must be an array, got {_show(values)}")
    return values


def _array(container: object) -> list[AttributeValue]:
    items = []
    for index, item in enumerate(_values(container, "arrayValue")):
        try:
            items.append(any_value(item))
        except InvalidValue as problem:
            raise problem.under(f".arrayValue.values[{index}]") from None
    return items


def _kvlist(container: object) -> dict[str, AttributeValue]:
    out: dict[str, AttributeValue] = {}
    for index, item in enumerate(_values(container, "kvlistValue")):
        try:
            key, value = key_value(item)
        except InvalidValue as problem:
            raise problem.under(f".kvlistValue.values[{index}]") from None
        out[key] = value
    return out


# Both spellings of every AnyValue field → its lowerCamelCase name.
_FIELDS: dict[str, str] = {}
for _camel, _snake in (
    ("stringValue", "string_value"),
    ("boolValue", "bool_value"),
    ("intValue", "int_value"),
    ("doubleValue", "double_value"),
    ("bytesValue", "bytes_value"),
    ("arrayValue", "array_value"),
    ("kvlistValue", "kvlist_value"),
):
    _FIELDS[_camel] = _FIELDS[_snake] = _camel


def any_value(value: object) -> AttributeValue:
    """An OTLP/JSON ``AnyValue`` object as a plain Python value (``{}`` and ``null`` are ``None``)."""
    if type(value) is not dict:
        if value is None:
            return None
        raise InvalidValue(f"an AnyValue must be an object, got {_show(value)}")
    if len(value) == 1:
        [(name, item)] = value.items()
        name = _FIELDS.get(name)
        if name is None or item is None:
            return None  # unset, or a field this version does not know
    else:
        found = [
            (_FIELDS[name], item) for name, item in value.items() if name in _FIELDS and item is not None
        ]
        if not found:
            return None
        if len(found) > 1:
            raise InvalidValue(f"an AnyValue must hold one value, got {', '.join(name for name, _ in found)}")
        [(name, item)] = found
    if name == "stringValue":
        if type(item) is not str:
            raise InvalidValue(f"stringValue {_show(item)} is not a string")
        return item
    if name == "intValue":
        return int64(item)
    if name == "doubleValue":
        return _double(item)
    if name == "boolValue":
        if type(item) is not bool:
            raise InvalidValue(f"boolValue {_show(item)} is not true or false")
        return item
    if name == "arrayValue":
        return _array(item)
    if name == "kvlistValue":
        return _kvlist(item)
    return _bytes(item)


def key_value(item: object) -> tuple[str, AttributeValue]:
    """An OTLP/JSON ``KeyValue`` object as a (key, value) pair."""
    if not isinstance(item, dict):
        raise InvalidValue(f"a KeyValue must be an object, got {_show(item)}")
    key = item.get("key")
    if key is None:
        key = ""
    elif type(key) is not str:
        raise InvalidValue(f"key {_show(key)} is not a string")
    try:
        return key, any_value(item.get("value"))
    except InvalidValue as problem:
        raise problem.under(".value") from None


def attributes(items: object) -> dict[str, AttributeValue]:
    """An OTLP/JSON ``attributes`` array as a dict (``null`` is empty).

    String values, the common case, are decoded inline; any other value goes through
    ``key_value``. On a problem the array is walked again to name the index in the path."""
    if items is None:
        return {}
    out: dict[str, AttributeValue] = {}
    try:
        for item in items:  # type: ignore[attr-defined]
            key = item["key"]
            value = item["value"]
            if type(key) is str and len(value) == 1:
                string = value.get("stringValue")
                if type(string) is str:
                    out[key] = string
                    continue
                number = value.get("intValue")
                if type(number) is str:
                    number = int(number)
                    if _INT64_MIN <= number <= _INT64_MAX:
                        out[key] = number
                        continue
            key, value = key_value(item)
            out[key] = value
    except (InvalidValue, TypeError, KeyError, AttributeError, ValueError):
        if not isinstance(items, list):
            raise InvalidValue(f"must be an array, got {_show(items)}") from None
        out = {}
        for index, item in enumerate(items):
            try:
                key, value = key_value(item)
            except InvalidValue as problem:
                raise problem.under(f"[{index}]") from None
            out[key] = value
    return out
