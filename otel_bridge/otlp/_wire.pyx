# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled OTLP protobuf decoder: ``ExportTraceServiceRequest`` bytes → ``DecodeResult``, read
straight from the protobuf wire format, without building upb messages first.

``otel_bridge/otlp/protobuf.py`` (upb) is the reference, and this module must give exactly what it
gives (``tests/unit/otlp/test_otlp_compiled.py`` compares them, on fixtures, generated and mutated
bodies). It therefore handles only the common, unambiguous encoding and gives up on anything else by
raising ``Unsupported``, after which ``decoders.py`` runs the reference on the same body: a body that
does not parse (truncated, bad varint, bad UTF-8, an invalid wire type), a known field with an
unexpected wire type, a group, field number 0, a singular message field present twice (protobuf
merges the two; rare enough not to reimplement), or nesting deeper than ``MAX_DEPTH``. So every
error message and every corner case stays the reference's.

Field numbers: opentelemetry-proto ``trace/v1/trace.proto``, ``common/v1/common.proto``,
``resource/v1/resource.proto``, ``collector/trace/v1/trace_service.proto``.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.unicode cimport PyUnicode_DecodeASCII, PyUnicode_DecodeUTF8
from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.string cimport memcpy

from otel_bridge.model import (
    InstrumentationScope,
    Rejected,
    SpanEvent,
    SpanKind,
    SpanLink,
    SpanRecord,
    SpanStatus,
    StatusCode,
)
from otel_bridge.otlp.result import DecodeResult
from otel_bridge.otlp.validate import span_problem


class Unsupported(ValueError):
    """This body needs the reference decoder (see the module docstring)."""


# What the reference maps OTLP enum numbers to (protobuf.py): unknown numbers are UNSPECIFIED / UNSET.
_KINDS = dict(enumerate(SpanKind))
_STATUS_CODES = dict(enumerate(StatusCode))
_UNSPECIFIED = SpanKind.UNSPECIFIED
_UNSET = StatusCode.UNSET
_NO_STATUS = SpanStatus()
_new = object.__new__

#: Deeper nesting of arrays and key-value lists than this goes to the reference. upb refuses messages
#: nested more than 100 deep; 30 lists of key-value lists in an event attribute are 97 (7 + 3 × 30).
MAX_DEPTH = 30

cdef enum:  # protobuf wire types
    WT_VARINT = 0
    WT_FIXED64 = 1
    WT_LEN = 2
    WT_FIXED32 = 5

cdef const char* _HEX = b"0123456789abcdef"


cdef inline uint64_t _varint(const unsigned char* b, Py_ssize_t* pos, Py_ssize_t end) except? 0xFFFFFFFFFFFFFFFF:
    cdef uint64_t result = 0
    cdef int shift = 0
    cdef Py_ssize_t p = pos[0]
    cdef unsigned char byte
    while True:
        if p >= end or shift > 63:
            raise Unsupported("bad varint")
        byte = b[p]
        p += 1
        result |= (<uint64_t>(byte & 0x7F)) << shift
        if byte < 0x80:
            break
        shift += 7
    pos[0] = p
    return result


cdef inline uint64_t _fixed64(const unsigned char* b, Py_ssize_t* pos, Py_ssize_t end) except? 0xFFFFFFFFFFFFFFFF:
    cdef Py_ssize_t p = pos[0]
    cdef uint64_t result = 0
    cdef int i
    if end - p < 8:
        raise Unsupported("truncated fixed64")
    for i in range(8):
        result |= (<uint64_t>b[p + i]) << (8 * i)
    pos[0] = p + 8
    return result


cdef inline Py_ssize_t _length(const unsigned char* b, Py_ssize_t* pos, Py_ssize_t end) except -1:
    """A length-delimited field's length, checked against ``end``; ``pos`` is left at its first byte."""
    cdef uint64_t length = _varint(b, pos, end)
    if length > <uint64_t>(end - pos[0]):
        raise Unsupported("truncated field")
    return <Py_ssize_t>length


cdef inline Py_ssize_t _skip(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, int wire_type) except -1:
    """The position after an unknown field's value."""
    if wire_type == WT_VARINT:
        _varint(b, &pos, end)
        return pos
    if wire_type == WT_FIXED64:
        if end - pos < 8:
            raise Unsupported("truncated fixed64")
        return pos + 8
    if wire_type == WT_LEN:
        return pos + _length(b, &pos, end)
    if wire_type == WT_FIXED32:
        if end - pos < 4:
            raise Unsupported("truncated fixed32")
        return pos + 4
    raise Unsupported("group or invalid wire type")


cdef inline int _tag(const unsigned char* b, Py_ssize_t* pos, Py_ssize_t end, int* wire_type) except -1:
    """The next field's number (and its wire type in ``wire_type``)."""
    cdef uint64_t key = _varint(b, pos, end)
    cdef uint64_t number = key >> 3
    if number == 0 or number > 536870911:
        raise Unsupported("invalid field number")
    wire_type[0] = <int>(key & 7)
    return <int>number


cdef inline str _text(const unsigned char* b, Py_ssize_t start, Py_ssize_t length):
    if length == 0:
        return ""
    return PyUnicode_DecodeUTF8(<const char*>(b + start), length, NULL)


cdef inline bytes _bytes(const unsigned char* b, Py_ssize_t start, Py_ssize_t length):
    return PyBytes_FromStringAndSize(<const char*>(b + start), length)


cdef str _hex(const unsigned char* b, Py_ssize_t start, Py_ssize_t length):
    """``bytes.hex()`` of a slice (ids: 8 or 16 bytes)."""
    cdef char buffer[64]
    cdef Py_ssize_t i
    if length > 32:
        return _bytes(b, start, length).hex()
    for i in range(length):
        buffer[2 * i] = _HEX[b[start + i] >> 4]
        buffer[2 * i + 1] = _HEX[b[start + i] & 15]
    return PyUnicode_DecodeASCII(buffer, 2 * length, NULL)


cdef inline bint _all_zero(const unsigned char* b, Py_ssize_t start, Py_ssize_t length):
    cdef Py_ssize_t i
    for i in range(length):
        if b[start + i]:
            return False
    return True


cdef inline void _expect(int wire_type, int expected) except *:
    if wire_type != expected:
        raise Unsupported("unexpected wire type")


cdef object _any_value(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, int depth):
    """An ``AnyValue`` as the reference's plain Python value (``values.py``); the last member of the
    oneof on the wire wins, and an empty one is ``None``."""
    cdef int wire_type, number
    cdef Py_ssize_t length
    cdef uint64_t raw
    cdef double real
    cdef bint nested_seen = False
    value = None
    if depth > MAX_DEPTH:
        raise Unsupported("nested too deep")
    while pos < end:
        number = _tag(b, &pos, end, &wire_type)
        if number == 1:
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            value = _text(b, pos, length)
            pos += length
        elif number == 2:
            _expect(wire_type, WT_VARINT)
            value = _varint(b, &pos, end) != 0
        elif number == 3:
            _expect(wire_type, WT_VARINT)
            value = <int64_t>_varint(b, &pos, end)
        elif number == 4:
            _expect(wire_type, WT_FIXED64)
            raw = _fixed64(b, &pos, end)
            memcpy(&real, &raw, 8)
            value = real
        elif number == 5 or number == 6:
            _expect(wire_type, WT_LEN)
            if nested_seen:
                raise Unsupported("a nested value twice")
            nested_seen = True
            length = _length(b, &pos, end)
            if number == 5:
                value = _array(b, pos, pos + length, depth + 1)
            else:
                value = _key_values(b, pos, pos + length, {}, depth + 1)
            pos += length
        elif number == 7:
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            value = _bytes(b, pos, length)
            pos += length
        else:
            pos = _skip(b, pos, end, wire_type)
    return value


cdef list _array(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, int depth):
    """An ``ArrayValue``: its values (field 1) as a list."""
    cdef int wire_type
    cdef Py_ssize_t length
    cdef list items = []
    while pos < end:
        if _tag(b, &pos, end, &wire_type) == 1:
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            items.append(_any_value(b, pos, pos + length, depth))
            pos += length
        else:
            pos = _skip(b, pos, end, wire_type)
    return items


cdef dict _key_values(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, dict out, int depth):
    """The ``KeyValue``s (field 1 of a ``KeyValueList``, and the ``attributes`` fields, whose number
    is also 1 in ``Resource`` only; see ``_attribute``) between ``pos`` and ``end`` into ``out``."""
    cdef int wire_type
    cdef Py_ssize_t length
    while pos < end:
        if _tag(b, &pos, end, &wire_type) == 1:
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            _attribute(b, pos, pos + length, out, depth)
            pos += length
        else:
            pos = _skip(b, pos, end, wire_type)
    return out


cdef int _attribute(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, dict out, int depth) except -1:
    """One ``KeyValue`` into ``out`` (a repeated key keeps its last value)."""
    cdef int wire_type, number
    cdef Py_ssize_t length
    cdef Py_ssize_t key_start = 0, key_length = 0, value_start = -1, value_end = 0
    while pos < end:
        number = _tag(b, &pos, end, &wire_type)
        if number == 1:
            _expect(wire_type, WT_LEN)
            key_length = _length(b, &pos, end)
            key_start = pos
            pos += key_length
        elif number == 2:
            _expect(wire_type, WT_LEN)
            if value_start >= 0:
                raise Unsupported("a value twice")
            length = _length(b, &pos, end)
            value_start = pos
            value_end = pos + length
            pos = value_end
        else:
            pos = _skip(b, pos, end, wire_type)
    key = _text(b, key_start, key_length)
    out[key] = _any_value(b, value_start, value_end, depth) if value_start >= 0 else None
    return 0


cdef object _scope(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end):
    """An ``InstrumentationScope`` (name 1, version 2, attributes 3)."""
    cdef int wire_type, number
    cdef Py_ssize_t length
    name = ""
    version = ""
    cdef dict attributes = {}
    while pos < end:
        number = _tag(b, &pos, end, &wire_type)
        if 1 <= number <= 3:
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            if number == 1:
                name = _text(b, pos, length)
            elif number == 2:
                version = _text(b, pos, length)
            else:
                _attribute(b, pos, pos + length, attributes, 0)
            pos += length
        else:
            pos = _skip(b, pos, end, wire_type)
    return InstrumentationScope(name, version, attributes)


cdef object _event(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end):
    """A ``Span.Event`` (time 1, name 2, attributes 3)."""
    cdef int wire_type, number
    cdef Py_ssize_t length
    cdef uint64_t time = 0
    name = ""
    cdef dict attributes = {}
    while pos < end:
        number = _tag(b, &pos, end, &wire_type)
        if number == 1:
            _expect(wire_type, WT_FIXED64)
            time = _fixed64(b, &pos, end)
        elif number == 2 or number == 3:
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            if number == 2:
                name = _text(b, pos, length)
            else:
                _attribute(b, pos, pos + length, attributes, 0)
            pos += length
        else:
            pos = _skip(b, pos, end, wire_type)
    return SpanEvent(name, time, attributes)


cdef object _link(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end):
    """A ``Span.Link`` (trace id 1, span id 2, trace state 3, attributes 4); ids kept as sent."""
    cdef int wire_type, number
    cdef Py_ssize_t length
    cdef Py_ssize_t trace_start = 0, trace_length = 0, span_start = 0, span_length = 0
    cdef dict attributes = {}
    while pos < end:
        number = _tag(b, &pos, end, &wire_type)
        if 1 <= number <= 4:
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            if number == 1:
                trace_start, trace_length = pos, length
            elif number == 2:
                span_start, span_length = pos, length
            elif number == 3:
                _text(b, pos, length)  # not kept, but upb would refuse bad UTF-8 in it
            else:
                _attribute(b, pos, pos + length, attributes, 0)
            pos += length
        else:
            pos = _skip(b, pos, end, wire_type)
    return SpanLink(_hex(b, trace_start, trace_length), _hex(b, span_start, span_length), attributes)


cdef object _status(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end):
    """A ``Status`` (message 2, code 3) as the reference builds it."""
    cdef int wire_type, number
    cdef Py_ssize_t length
    cdef int32_t code = 0
    message = ""
    while pos < end:
        number = _tag(b, &pos, end, &wire_type)
        if number == 2:
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            message = _text(b, pos, length)
            pos += length
        elif number == 3:
            _expect(wire_type, WT_VARINT)
            code = <int32_t>_varint(b, &pos, end)
        else:
            pos = _skip(b, pos, end, wire_type)
    if code or message:
        return SpanStatus(_STATUS_CODES.get(code, _UNSET), message)
    return _NO_STATUS


cdef int _span(
    const unsigned char* b,
    Py_ssize_t pos,
    Py_ssize_t end,
    dict resource_attributes,
    object scope,
    list records,
    list rejected,
) except -1:
    """One ``Span`` into ``records`` (or ``rejected``, with the rule it broke: ``validate.py``)."""
    cdef int wire_type, number
    cdef Py_ssize_t length
    cdef Py_ssize_t trace_start = 0, trace_length = 0, span_start = 0, span_length = 0
    cdef Py_ssize_t parent_start = 0, parent_length = 0, status_start = -1, status_end = 0
    cdef uint64_t start = 0, finish = 0
    cdef int32_t kind = 0
    name = ""
    trace_state = ""
    cdef dict attributes = {}
    cdef list events = None
    cdef list links = None
    while pos < end:
        number = _tag(b, &pos, end, &wire_type)
        if number == 9:  # attributes, the most frequent field first
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            _attribute(b, pos, pos + length, attributes, 0)
            pos += length
        elif number == 7 or number == 8:
            _expect(wire_type, WT_FIXED64)
            if number == 7:
                start = _fixed64(b, &pos, end)
            else:
                finish = _fixed64(b, &pos, end)
        elif number == 6:
            _expect(wire_type, WT_VARINT)
            kind = <int32_t>_varint(b, &pos, end)
        elif number <= 5 or number == 11 or number == 13 or number == 15:
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            if number == 1:
                trace_start, trace_length = pos, length
            elif number == 2:
                span_start, span_length = pos, length
            elif number == 3:
                trace_state = _text(b, pos, length)
            elif number == 4:
                parent_start, parent_length = pos, length
            elif number == 5:
                name = _text(b, pos, length)
            elif number == 11:
                if events is None:
                    events = []
                events.append(_event(b, pos, pos + length))
            elif number == 13:
                if links is None:
                    links = []
                links.append(_link(b, pos, pos + length))
            else:
                if status_start >= 0:
                    raise Unsupported("a status twice")
                status_start, status_end = pos, pos + length
            pos += length
        else:
            pos = _skip(b, pos, end, wire_type)
    if finish == 0:
        finish = start  # a missing end time is end = start: see validate.py
    if not (
        trace_length == 16
        and span_length == 8
        and not _all_zero(b, trace_start, 16)
        and not _all_zero(b, span_start, 8)
        and (parent_length == 0 or parent_length == 8)
        and 0 < start <= finish
    ):
        reason = span_problem(
            _bytes(b, trace_start, trace_length),
            _bytes(b, span_start, span_length),
            _bytes(b, parent_start, parent_length),
            start,
            finish,
        )
        if reason is not None:
            rejected.append(
                Rejected(_hex(b, trace_start, trace_length), _hex(b, span_start, span_length), reason)
            )
            return 0
    record = _new(SpanRecord)
    # The reference's build(): the frozen dataclass's fields without its __init__.
    record.__dict__.update(
        {
            "trace_id": _hex(b, trace_start, trace_length),
            "span_id": _hex(b, span_start, span_length),
            "parent_span_id": None
            if parent_length == 0 or _all_zero(b, parent_start, parent_length)
            else _hex(b, parent_start, parent_length),
            "name": name,
            "start_time_unix_nano": start,
            "end_time_unix_nano": finish,
            "attributes": attributes,
            "resource_attributes": resource_attributes,
            "scope": scope,
            "kind": _KINDS.get(kind, _UNSPECIFIED),
            "status": _status(b, status_start, status_end) if status_start >= 0 else _NO_STATUS,
            "events": tuple(events) if events is not None else (),
            "links": tuple(links) if links is not None else (),
            "trace_state": trace_state,
        }
    )
    records.append(record)
    return 0


cdef int _scope_spans(
    const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, dict resource_attributes, list records, list rejected
) except -1:
    """A ``ScopeSpans`` (scope 1, spans 2): the scope first, wherever it is on the wire."""
    cdef int wire_type, number
    cdef Py_ssize_t length
    cdef Py_ssize_t scope_start = -1, scope_end = 0
    cdef list spans = []
    while pos < end:
        number = _tag(b, &pos, end, &wire_type)
        if number == 1 or number == 2:
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            if number == 1:
                if scope_start >= 0:
                    raise Unsupported("a scope twice")
                scope_start, scope_end = pos, pos + length
            else:
                spans.append((pos, pos + length))
            pos += length
        else:
            pos = _skip(b, pos, end, wire_type)
    scope = _scope(b, scope_start, scope_end) if scope_start >= 0 else InstrumentationScope("", "", {})
    cdef Py_ssize_t span_start, span_end
    for span_start, span_end in spans:
        _span(b, span_start, span_end, resource_attributes, scope, records, rejected)
    return 0


cdef int _resource_spans(
    const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, list records, list rejected
) except -1:
    """A ``ResourceSpans`` (resource 1, scope spans 2): the resource first, wherever it is."""
    cdef int wire_type, number
    cdef Py_ssize_t length
    cdef Py_ssize_t resource_start = -1, resource_end = 0
    cdef list scopes = []
    cdef dict resource_attributes = {}
    while pos < end:
        number = _tag(b, &pos, end, &wire_type)
        if number == 1 or number == 2:
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            if number == 1:
                if resource_start >= 0:
                    raise Unsupported("a resource twice")
                resource_start, resource_end = pos, pos + length
            else:
                scopes.append((pos, pos + length))
            pos += length
        else:
            pos = _skip(b, pos, end, wire_type)
    if resource_start >= 0:  # Resource: attributes are field 1
        _key_values(b, resource_start, resource_end, resource_attributes, 0)
    cdef Py_ssize_t scope_start, scope_end
    for scope_start, scope_end in scopes:
        _scope_spans(b, scope_start, scope_end, resource_attributes, records, rejected)
    return 0


def decode(bytes body not None):
    """Decode an ``ExportTraceServiceRequest`` body as ``protobuf.decode_protobuf`` does; raises
    ``Unsupported`` (or ``UnicodeDecodeError``) when the reference must decide instead."""
    cdef const unsigned char* b = <const unsigned char*>(<char*>body)
    cdef Py_ssize_t end = len(body)
    cdef Py_ssize_t pos = 0
    cdef Py_ssize_t length
    cdef int wire_type
    cdef list records = []
    cdef list rejected = []
    while pos < end:
        if _tag(b, &pos, end, &wire_type) == 1:
            _expect(wire_type, WT_LEN)
            length = _length(b, &pos, end)
            _resource_spans(b, pos, pos + length, records, rejected)
            pos += length
        else:
            pos = _skip(b, pos, end, wire_type)
    return DecodeResult(tuple(records), tuple(rejected))
