"""The compiled wire decoder (``otlp/_wire.pyx``) gives exactly what the upb reference gives.

Compared on the captured fixtures, on benchmark-sized generated requests, on hypothesis-generated
requests, on hand-written unusual encodings (fields out of order, unknown fields, repeated fields,
wrong wire types, deep nesting), and on a corpus of mutated bodies (truncated, bytes flipped), where
both must accept the same spans or refuse with the same ``DecodeError``. The common encodings must be
decoded by the compiled code itself, not handed to the reference (``compiled_only``).
"""

from __future__ import annotations

import random
import struct
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otel_bridge.errors import DecodeError
from otel_bridge.model import StatusCode
from otel_bridge.otlp import DecodeResult, decoders, protobuf
from otel_bridge.testing import build_export_request, make_link, make_span
from tests.bench.bench_decode import make_llm_request
from tests.support.decoders import require_compiled
from tests.unit.otlp.otlp_helpers import fixture_pairs, one_span_request
from tests.unit.otlp.test_otlp_properties import SETTINGS, attribute_maps, spans


@pytest.fixture(autouse=True)
def _compiled_built() -> None:
    require_compiled()


def compiled_only(body: bytes) -> DecodeResult:
    """The compiled decoder without the fallback: fails the test if it gave the body away."""
    return decoders._wire.decode(body)  # type: ignore[union-attr,no-any-return]


def outcome(body: bytes, decode: Any) -> tuple[str, object]:
    """What a decoder makes of ``body``: its result, or the message of its ``DecodeError``."""
    try:
        return ("ok", decode(body))
    except DecodeError as error:
        return ("error", error.message)


def reference(body: bytes) -> tuple[str, object]:
    return outcome(body, protobuf.decode_protobuf)


def compiled(body: bytes) -> tuple[str, object]:
    decoders.use(decoders.COMPILED)
    return outcome(body, decoders.decode_protobuf)


# -- the wire format, by hand --------------------------------------------------------------------


def varint(value: int) -> bytes:
    value &= 2**64 - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number: int, payload: bytes | int, wire_type: int = 2) -> bytes:
    """One field: length-delimited (``bytes``), varint (``int``, wire type 0) or fixed64/fixed32."""
    tag = varint(number << 3 | wire_type)
    if wire_type == 2:
        assert isinstance(payload, bytes)
        return tag + varint(len(payload)) + payload
    assert isinstance(payload, int)
    if wire_type == 0:
        return tag + varint(payload)
    if wire_type == 1:
        return tag + struct.pack("<Q", payload)
    return tag + struct.pack("<I", payload)


def string_attribute(key: str, value: str) -> bytes:
    return field(1, key.encode()) + field(2, field(1, value.encode()))


SPAN = (
    field(1, bytes(range(1, 17)))
    + field(2, bytes(range(1, 9)))
    + field(5, b"op")
    + field(7, 1_000, 1)
    + field(8, 2_000, 1)
    + field(9, string_attribute("a", "1"))
)
SCOPE = field(1, b"lib") + field(2, b"1.0")
RESOURCE = field(1, string_attribute("service.name", "svc"))


def request(*resource_spans: bytes) -> bytes:
    return b"".join(field(1, one) for one in resource_spans)


def scope_spans(*spans: bytes, scope: bytes = SCOPE) -> bytes:
    return field(1, scope) + b"".join(field(2, span) for span in spans)


# -- the tests ----------------------------------------------------------------------------------


class TestSameResults:
    def test_fixtures(self) -> None:
        """Every captured protobuf body: the compiled decoder decodes it itself, to the same records."""
        bodies = [body.read_bytes() for body, _ in fixture_pairs()]
        bodies = [body for body in bodies if body.lstrip()[:1] != b"{"]
        assert len(bodies) >= 10
        for body in bodies:
            assert compiled_only(body) == protobuf.decode_protobuf(body)

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_benchmark_requests(self, seed: int) -> None:
        """512 LLM-sized spans (Korean text, events, errors) decode identically."""
        body = make_llm_request(512, seed=seed)
        result = compiled_only(body)
        assert len(result.records) == 512
        assert result == protobuf.decode_protobuf(body)

    @SETTINGS
    @given(
        span_arguments=st.lists(spans(valid=False), min_size=1, max_size=4),
        resource=attribute_maps,
        scope=attribute_maps,
    )
    def test_generated_requests(
        self, span_arguments: list[dict[str, Any]], resource: dict[str, Any], scope: dict[str, Any]
    ) -> None:
        """Hypothesis: any values, ids and times, valid or not: same records, same rejections."""
        built = [make_span(**arguments) for arguments in span_arguments]
        body = build_export_request(
            built, resource_attributes=resource, scope_name="s", scope_version="1", scope_attributes=scope
        ).SerializeToString()
        assert compiled_only(body) == protobuf.decode_protobuf(body)

    def test_links_and_statuses(self) -> None:
        """Links (ids kept as sent) and every status code, including one from a newer OTLP."""
        body = one_span_request(
            links=[make_link("ab" * 16, "cd" * 8, {"k": 1}), make_link("", "", {})],
            status_code=StatusCode.ERROR,
            status_message="boom",
        )
        status = body.resource_spans[0].scope_spans[0].spans[0].status
        status.code = 7  # type: ignore[assignment]  # unknown to this OTLP: UNSET
        data = body.SerializeToString()
        assert compiled_only(data) == protobuf.decode_protobuf(data)


class TestUnusualEncodings:
    """Valid encodings that serializers do not produce: the same result, whoever decodes them."""

    @pytest.mark.parametrize(
        "body",
        [
            # The resource after its scope spans, the scope after its spans.
            request(field(2, field(2, SPAN) + field(1, SCOPE)) + field(1, RESOURCE)),
            # Unknown fields of every wire type at every level.
            request(
                field(99, b"x")
                + field(1, RESOURCE + field(98, 5, 0))
                + field(2, scope_spans(SPAN + field(97, 3, 1) + field(96, 4, 5) + field(16, 1, 5)))
            )
            + field(95, 7, 0),
            # A scalar field twice: the last one wins (name, times, kind, an id).
            request(field(2, scope_spans(SPAN + field(5, b"second") + field(8, 3_000, 1) + field(6, 2, 0)))),
            # A oneof set twice: the last member wins.
            request(
                field(
                    2,
                    scope_spans(
                        SPAN + field(9, field(1, b"k") + field(2, field(1, b"text") + field(3, 42, 0)))
                    ),
                )
            ),
            # A message field twice (protobuf merges them): resource, status, a key's value.
            request(
                field(1, RESOURCE)
                + field(1, field(1, string_attribute("x", "y")))
                + field(2, scope_spans(SPAN))
            ),
            request(field(2, scope_spans(SPAN + field(15, field(3, 2, 0)) + field(15, field(2, b"m"))))),
            request(
                field(
                    2, scope_spans(SPAN + field(9, field(1, b"k") + field(2, field(3, 1, 0)) + field(2, b"")))
                )
            ),
            # A known field with another wire type than its own, and field number 0.
            request(field(2, scope_spans(SPAN + field(9, 5, 0)))),
            request(field(2, scope_spans(SPAN + field(0, 5, 0)))),
            # Negative enum values (ten-byte varints), a huge int, a double.
            request(field(2, scope_spans(SPAN + field(6, -1, 0) + field(15, field(3, -5, 0))))),
            request(
                field(
                    2,
                    scope_spans(
                        SPAN
                        + field(9, field(1, b"i") + field(2, field(3, -(2**63), 0)))
                        + field(9, field(1, b"d") + field(2, field(4, 0x3FF8000000000000, 1)))
                        + field(9, field(1, b"b") + field(2, field(2, 300, 0)))
                        + field(9, field(1, b"none") + field(2, b""))
                        + field(9, field(1, b"nokey"))
                        + field(9, field(2, field(1, b"empty key")))
                    ),
                )
            ),
            # Nothing at all, an empty resource spans, an empty scope spans, no scope.
            b"",
            request(b""),
            request(field(2, b"")),
            request(field(2, field(2, SPAN))),
        ],
    )
    def test_same_outcome(self, body: bytes) -> None:
        assert compiled(body) == reference(body)

    @pytest.mark.parametrize("depth", [10, 29, 30, 31, 47, 48, 120])
    def test_deep_arrays(self, depth: int) -> None:
        """Arrays within arrays in a span attribute: decoded alike below the compiled decoder's depth
        limit, handed to the reference (which has upb's limit of 100 messages) above it."""
        value = field(1, b"leaf")
        for _ in range(depth):
            value = field(5, field(1, value))
        body = request(field(2, scope_spans(SPAN + field(9, field(1, b"deep") + field(2, value)))))
        assert compiled(body) == reference(body)

    @pytest.mark.parametrize("depth", [29, 30, 31, 32, 33])
    def test_deep_key_value_lists(self, depth: int) -> None:
        """Key-value lists within key-value lists in an event attribute, the deepest place: upb's
        limit is reached at 32, just beyond the compiled decoder's (30)."""
        value = field(1, b"leaf")
        for _ in range(depth):
            value = field(6, field(1, field(1, b"k") + field(2, value)))
        event = field(1, 5, 1) + field(3, field(1, b"deep") + field(2, value))
        body = request(field(2, scope_spans(SPAN + field(11, event))))
        assert compiled(body) == reference(body)


class TestMutatedBodies:
    """The fuzz corpus: captured and generated bodies, truncated and with bytes flipped."""

    @staticmethod
    def corpus() -> list[bytes]:
        bodies = [body.read_bytes() for body, _ in fixture_pairs()]
        bodies = [body for body in bodies if body.lstrip()[:1] != b"{"][:6]
        return [*bodies, make_llm_request(16, seed=5), one_span_request(name="한국어").SerializeToString()]

    def test_truncated(self) -> None:
        for body in self.corpus():
            for cut in sorted({*range(0, len(body), max(1, len(body) // 40)), len(body) - 1}):
                assert compiled(body[:cut]) == reference(body[:cut]), cut

    def test_bytes_flipped(self) -> None:
        rng = random.Random(16)
        outcomes = set()
        for body in self.corpus():
            for _ in range(60):
                mutated = bytearray(body)
                for _ in range(rng.randint(1, 3)):
                    mutated[rng.randrange(len(mutated))] = rng.randrange(256)
                data = bytes(mutated)
                expected = reference(data)
                outcomes.add(expected[0])
                assert compiled(data) == expected
        assert outcomes == {"ok", "error"}  # the corpus holds both kinds

    def test_invalid_utf8(self) -> None:
        body = request(field(2, scope_spans(SPAN + field(9, string_attribute("k", "v")[:-1] + b"\xff"))))
        assert compiled(body) == reference(body)
        assert reference(body)[0] == "error"
