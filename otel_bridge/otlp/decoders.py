"""Which OTLP protobuf decoder runs: the compiled wire decoder (``_wire.pyx``, built by the package's
build when a C compiler is present) or the upb reference (``protobuf.py``).

Both give the same ``DecodeResult`` for every body, and the same ``DecodeError`` for a bad one
(``tests/unit/otlp/test_otlp_compiled.py``): the compiled decoder reads the common encoding about
three times faster and hands any body it does not handle (malformed, or an unusual but valid
encoding) to the reference, so the reference stays the definition of what a body means.

``use(name)`` picks one for this process (``"auto"``: the compiled one when it was built); the
server does so from its settings in every decode worker, and the tests run the decode, translate
and golden suites under both.
"""

from __future__ import annotations

from types import ModuleType
from typing import Literal

from otel_bridge.otlp import protobuf
from otel_bridge.otlp.result import DecodeResult

__all__ = ["COMPILED", "DECODER_CHOICES", "REFERENCE", "DecoderName", "active", "compiled_available", "use"]

DecoderName = Literal["compiled", "upb"]
COMPILED: DecoderName = "compiled"
REFERENCE: DecoderName = "upb"
DECODER_CHOICES = ("auto", COMPILED, REFERENCE)


def _load_compiled() -> ModuleType | None:
    try:
        # Optional (built by setup.py when a C compiler is present), hence imported here.
        from otel_bridge.otlp import _wire  # type: ignore[attr-defined]  # noqa: PLC0415
    except ImportError:
        return None
    return _wire  # type: ignore[no-any-return]


_wire = _load_compiled()
_active: DecoderName = COMPILED if _wire is not None else REFERENCE


def compiled_available() -> bool:
    """Whether the compiled decoder was built for this interpreter."""
    return _wire is not None


def use(name: str) -> DecoderName:
    """Decode with ``name`` (``"auto"``, ``"compiled"`` or ``"upb"``) from now on in this process;
    the decoder in use. ``"compiled"`` when it was not built raises ``ValueError``."""
    global _active
    if name not in DECODER_CHOICES:
        raise ValueError(f"decoder must be one of {', '.join(DECODER_CHOICES)}, got {name!r}")
    if name == COMPILED and _wire is None:
        raise ValueError("the compiled decoder was not built (a C compiler and Cython are needed)")
    _active = REFERENCE if name == REFERENCE or _wire is None else COMPILED
    return _active


def active() -> DecoderName:
    """The decoder ``decode_protobuf`` uses in this process."""
    return _active


def decode_protobuf(body: bytes) -> DecodeResult:
    """Decode an OTLP/HTTP protobuf body (already decompressed) with the active decoder."""
    if _active == COMPILED and _wire is not None and type(body) is bytes:
        try:
            return _wire.decode(body)  # type: ignore[no-any-return]
        except (_wire.Unsupported, UnicodeDecodeError):
            pass  # the reference decides (and names the error, if it is one)
    return protobuf.decode_protobuf(body)
