"""The per-span rules shared by the protobuf and the OTLP/JSON decoders, and their reasons.

Both decoders check a span with one cheap expression first (``ids_and_times_are_valid``) and call
``span_problem`` only for a span that fails it, to name the broken rule. Ids reach these functions
as raw bytes: the JSON decoder turns hex text into bytes first (``hex_id``).

Decisions (see the tests in ``tests/unit/otlp/test_otlp_validate.py``):

- A missing end time (``end_time_unix_nano == 0``) is accepted as ``end = start``: some exporters
  send unfinished or instantaneous spans that way, and dropping their content would lose data.
  The decoders apply this before calling these functions.
- A missing start time (``0``) is rejected: the span would sort to 1970 and corrupt the first and
  last activity of its session.
- An all-zero ``parent_span_id`` means "no parent" (a root), as an empty one does.
- Link ids are not validated: a link is informational, and a bad one must not cost the span.
"""

from __future__ import annotations

__all__ = [
    "SPAN_ID_BYTES",
    "TRACE_ID_BYTES",
    "ZERO_SPAN_ID",
    "ZERO_TRACE_ID",
    "InvalidSpan",
    "hex_id",
    "ids_and_times_are_valid",
    "parent_id",
    "span_problem",
]

TRACE_ID_BYTES = 16
SPAN_ID_BYTES = 8
ZERO_TRACE_ID = bytes(TRACE_ID_BYTES)
ZERO_SPAN_ID = bytes(SPAN_ID_BYTES)


class InvalidSpan(Exception):
    """One span broke a rule; ``reason`` names it. Internal to ``otlp``: the decoders turn it into a
    ``Rejected`` value, never let it escape."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def ids_and_times_are_valid(
    trace_id: bytes, span_id: bytes, parent_span_id: bytes, start: int, end: int
) -> bool:
    """The fast check every span goes through; ``span_problem`` explains a ``False``."""
    return (
        len(trace_id) == TRACE_ID_BYTES
        and len(span_id) == SPAN_ID_BYTES
        and trace_id != ZERO_TRACE_ID
        and span_id != ZERO_SPAN_ID
        and (not parent_span_id or len(parent_span_id) == SPAN_ID_BYTES)
        and 0 < start <= end
    )


def span_problem(trace_id: bytes, span_id: bytes, parent_span_id: bytes, start: int, end: int) -> str | None:
    """The first rule the span breaks, as a sentence for the client, or ``None`` if it breaks none."""
    if len(trace_id) != TRACE_ID_BYTES:
        return f"trace_id must be 16 bytes (32 hex characters), got {len(trace_id)} bytes"
    if trace_id == ZERO_TRACE_ID:
        return "trace_id must not be all zeros"
    if len(span_id) != SPAN_ID_BYTES:
        return f"span_id must be 8 bytes (16 hex characters), got {len(span_id)} bytes"
    if span_id == ZERO_SPAN_ID:
        return "span_id must not be all zeros"
    if parent_span_id and len(parent_span_id) != SPAN_ID_BYTES:
        return f"parent_span_id must be empty or 8 bytes (16 hex characters), got {len(parent_span_id)} bytes"
    if start <= 0:
        return "start_time_unix_nano must be set (it is 0)"
    if end < start:
        return "end_time_unix_nano is before start_time_unix_nano"
    return None


def parent_id(parent_span_id: bytes) -> str | None:
    """The parent span id as lowercase hex, or ``None`` for a root (empty or all zeros)."""
    if not parent_span_id or parent_span_id == ZERO_SPAN_ID:
        return None
    return parent_span_id.hex()


def hex_id(field: str, value: object, size: int) -> bytes:
    """The bytes of an OTLP/JSON id given as hex text (any case); ``b""`` for an absent one.

    Raises ``InvalidSpan`` naming ``field`` when the text is not hex or has the wrong length
    (``size`` bytes, so ``2 * size`` characters); an all-zero id is left to ``span_problem``."""
    if value is None or value == "":
        return b""
    if not isinstance(value, str):
        raise InvalidSpan(f"{field} must be a hex string, got {type(value).__name__}")
    if len(value) != 2 * size:
        expected = "empty or 8 bytes" if field == "parent_span_id" else f"{size} bytes"
        raise InvalidSpan(
            f"{field} must be {expected} ({2 * size} hex characters), got {len(value)} characters"
        )
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raw = b""
    # bytes.fromhex skips whitespace: a text of the right length that holds some comes out short.
    if len(raw) != size:
        raise InvalidSpan(f"{field} is not hex: {value!r}")
    return raw
