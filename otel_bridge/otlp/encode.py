"""Plain Python values → OTLP protobuf attribute values: the reverse of ``values.py``, for what
otel-bridge itself writes as OTLP (the forwarder's spans, the test helpers' requests)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList

__all__ = ["to_any_value", "to_key_values"]


def to_any_value(value: Any) -> AnyValue:
    """An OTLP ``AnyValue`` from a plain Python value: str, bool, int, float, bytes, None, a list or
    tuple (``arrayValue``) or a mapping with str keys (``kvlistValue``)."""
    if value is None:
        return AnyValue()
    if isinstance(value, str):
        return AnyValue(string_value=value)
    if isinstance(value, bool):  # before int: bool is an int
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    if isinstance(value, (bytes, bytearray)):
        return AnyValue(bytes_value=bytes(value))
    if isinstance(value, (list, tuple)):
        return AnyValue(array_value=ArrayValue(values=[to_any_value(item) for item in value]))
    if isinstance(value, Mapping):
        return AnyValue(kvlist_value=KeyValueList(values=to_key_values(value)))
    raise TypeError(f"cannot encode {type(value).__name__} as an OTLP AnyValue")


def to_key_values(attributes: Mapping[str, Any] | None) -> list[KeyValue]:
    """OTLP ``KeyValue``s from a mapping of plain Python values (see ``to_any_value``)."""
    if not attributes:
        return []
    return [KeyValue(key=key, value=to_any_value(value)) for key, value in attributes.items()]
