"""The abuse limits on decoded spans and translations (``otel_bridge.ingest.limits``)."""

from __future__ import annotations

from collections import Counter

import pytest

from otel_bridge.errors import PayloadTooLarge
from otel_bridge.ingest.limits import (
    ATTRIBUTE_TRUNCATED,
    ID_TOO_LONG,
    TOO_MANY_ATTRIBUTES,
    TRUNCATION_MARKER,
    IngestLimits,
    check_span_count,
    limit_records,
    limit_translations,
    truncate_value,
)
from otel_bridge.model import SpanEvent
from otel_bridge.translate import translate_spans
from tests.support.spans import T0, record

LIMITS = IngestLimits(
    max_attribute_value_length=10, max_attributes_per_span=3, max_spans_per_request=2, max_id_length=8
)


def test_truncate_value_marks_the_cut() -> None:
    """A value over the limit keeps its first characters and says how many were cut."""
    assert truncate_value("a" * 25, 10) == "a" * 10 + TRUNCATION_MARKER + "15 characters]"
    assert truncate_value("short", 10) == "short"


def test_long_values_are_truncated_everywhere() -> None:
    """Span, resource and event attributes, nested values and bytes are cut; short ones untouched."""
    span = record(
        attrs={"long": "x" * 30, "nested": {"list": ["y" * 11, "ok"]}, "raw": b"\x01" * 20},
        resource={"service.name": "s" * 12},
        events=[SpanEvent("e", T0, {"body": "z" * 40})],
    )
    (kept,), rejected, hits = limit_records([span], LIMITS)
    assert rejected == []
    assert kept.attributes["long"] == "x" * 10 + TRUNCATION_MARKER + "20 characters]"
    assert kept.attributes["nested"] == {"list": ["y" * 10 + TRUNCATION_MARKER + "1 characters]", "ok"]}
    assert kept.attributes["raw"] == "01" * 10 + TRUNCATION_MARKER + "10 bytes]"
    assert kept.resource_attributes["service.name"] == "s" * 10 + TRUNCATION_MARKER + "2 characters]"
    assert kept.events[0].attributes["body"] == "z" * 10 + TRUNCATION_MARKER + "30 characters]"
    assert hits[ATTRIBUTE_TRUNCATED] == 5


def test_a_span_within_the_limits_is_kept_as_is() -> None:
    """Nothing over a limit: the very same record comes back (no copy on the common path)."""
    span = record(attrs={"a": "short"})
    (kept,), _, hits = limit_records([span], LIMITS)
    assert kept is span
    assert not hits


def test_too_many_attributes_rejects_the_span_naming_the_limit() -> None:
    """A span over ``max_attributes_per_span`` is rejected; its neighbour is kept."""
    crowded = record(1, 1, attrs={f"k{i}": i for i in range(4)})
    fine = record(1, 2, attrs={"k": 1})
    kept, rejected, hits = limit_records([crowded, fine], LIMITS)
    assert [r.span_id for r in kept] == [fine.span_id]
    assert [r.span_id for r in rejected] == [crowded.span_id]
    assert rejected[0].reason.startswith("attributes: the span has 4 attributes, the limit is 3")
    assert "OTEL_BRIDGE_MAX_ATTRIBUTES_PER_SPAN" in rejected[0].reason
    assert hits[TOO_MANY_ATTRIBUTES] == 1


def test_too_many_spans_is_413_naming_the_limit() -> None:
    """More spans than ``max_spans_per_request``: the request is refused whole."""
    check_span_count(2, LIMITS)
    with pytest.raises(PayloadTooLarge, match=r"max_spans_per_request: the request has 3 spans") as caught:
        check_span_count(3, LIMITS)
    assert caught.value.limit == "spans_per_request"


@pytest.mark.parametrize(
    ("attrs", "name", "rule"),
    [
        ({"session.id": "s" * 9}, "root", "session_id"),
        ({"user.id": "u" * 9}, "root", "user_id"),
        ({}, "n" * 9, "trace_name"),
        ({"langfuse.trace.name": "t" * 9}, "root", "trace_name"),
    ],
)
def test_long_ids_reject_the_span(attrs: dict[str, str], name: str, rule: str) -> None:
    """A session id, user id or trace name over ``max_id_length`` rejects its span, naming the rule."""
    translations = translate_spans([record(attrs=attrs, name=name)])
    counter: Counter[str] = Counter()
    kept, rejected = limit_translations(translations, LIMITS, counter)
    assert kept == []
    assert rejected[0].reason.startswith(f"{rule}: 9 characters, the limit is 8")
    assert counter[ID_TOO_LONG] == 1


def test_ids_at_the_limit_pass() -> None:
    """Exactly ``max_id_length`` characters is allowed."""
    translations = translate_spans([record(attrs={"session.id": "s" * 8, "user.id": "u" * 8}, name="n" * 8)])
    kept, rejected = limit_translations(translations, LIMITS)
    assert len(kept) == 1
    assert rejected == []
