"""Fuzzing the OTLP decoders in-process: hostile protobuf and OTLP/JSON bodies (``strategies.py``)
and their mutations (``harness.py``), more than 10,000 inputs each in CI. Every body either decodes,
each rejected span naming its rule, or raises ``DecodeError`` with a message; no other exception
escapes. The accepted spans then go through the abuse limits and the translator, which must not
fail either."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from otel_bridge.errors import DecodeError, PayloadTooLarge
from otel_bridge.ingest.limits import DEFAULT_LIMITS, check_span_count, limit_records, limit_translations
from otel_bridge.otlp import DecodeResult, decode_json, decode_protobuf
from otel_bridge.translate import translate_spans
from tests.fuzz.conftest import MIN_INPUTS
from tests.fuzz.corpus import replay
from tests.fuzz.harness import fuzz
from tests.fuzz.strategies import json_bodies, protobuf_bodies

DECODERS: dict[str, Callable[[bytes], DecodeResult]] = {"protobuf": decode_protobuf, "json": decode_json}


def check(target: str, body: bytes) -> None:
    """The decoder's contract on one body."""
    try:
        result = DECODERS[target](body)
    except DecodeError as error:
        assert error.message.strip()
        return
    assert all(rejected.reason.strip() for rejected in result.rejected)
    try:
        check_span_count(len(result.records) + len(result.rejected), DEFAULT_LIMITS)
    except PayloadTooLarge as error:
        assert "max_spans_per_request" in error.message
        return
    records, over, _ = limit_records(result.records, DEFAULT_LIMITS)
    assert all(item.reason for item in over)
    limit_translations(translate_spans(records), DEFAULT_LIMITS)


def test_protobuf_decoder() -> None:
    checked = fuzz("protobuf", protobuf_bodies, lambda body: check("protobuf", body))
    assert checked >= MIN_INPUTS


def test_json_decoder() -> None:
    checked = fuzz("json", json_bodies, lambda body: check("json", body))
    assert checked >= MIN_INPUTS


@pytest.mark.parametrize(("target", "body"), replay("protobuf", "json"))
def test_found_inputs(target: str, body: bytes) -> None:
    """Every input a fuzzer once failed on (``tests/fuzz/corpus``)."""
    check(target, body)
