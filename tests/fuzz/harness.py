"""Running a fuzz target: each hypothesis example (a body from ``strategies.py``) is checked, then
``VARIANTS`` cheap byte-level mutations of it, seeded by the example (``mutate``). Hypothesis's draws
cost about a millisecond an example on a loaded 2-core machine; a mutation costs microseconds, so
this is how CI affords more than 10,000 inputs a target in seconds, while hypothesis still steers the
structure (and shrinks a failure to a small base body and seed).

A failing input is written to ``.fuzz-failures/<target>/<sha256>`` (ignored by git) and its path is
in the failure message: move it to ``tests/fuzz/corpus/<target>/`` to keep it as a regression case.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ
from tests.support.paths import REPOSITORY

#: Mutated variants checked after each generated body.
VARIANTS = 20
FAILURES = REPOSITORY / ".fuzz-failures"

#: Bytes and tokens that tend to break parsers: varint edges, UTF-8 breakers, JSON's number edges.
_INTERESTING = [
    b"\x00",
    b"\xff",
    b"\x7f",
    b"\x80",
    b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
    b"\xc3(",
    b"\xed\xa0\x80",
    b"NaN",
    b"-Infinity",
    b"1e999",
    b"-1",
    b"18446744073709551616",
    b"null",
    b'"',
    b"\\u0000",
    b"[",
    b"{",
]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits of ``data``."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        position = rng.randint(0, len(out))
        choice = rng.randrange(6)
        if choice == 0 and out:
            out[min(position, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif choice == 1:
            out[position:position] = rng.choice(_INTERESTING)
        elif choice == 2:
            del out[position : position + rng.randint(1, 16)]
        elif choice == 3:
            del out[position:]
        elif choice == 4:
            start = rng.randint(0, len(out))
            out[position:position] = out[start : start + rng.randint(1, 32)]
        elif out:
            out[min(position, len(out) - 1)] = rng.randrange(256)
    return bytes(out)


def fuzz(target: str, bodies: st.SearchStrategy[bytes], check: Callable[[bytes], None]) -> int:
    """Check every generated body and its variants; the number of inputs checked."""
    checked = 0

    @FUZZ
    @given(body=bodies, seed=st.integers(min_value=0, max_value=2**32 - 1))
    def run(body: bytes, seed: int) -> None:
        nonlocal checked
        rng = random.Random(seed)
        for candidate in (body, *(mutate(body, rng) for _ in range(VARIANTS))):
            try:
                check(candidate)
            except Exception as error:
                path = keep_failure(target, candidate)
                raise AssertionError(f"{target}: {error!r} on the input saved at {path}") from error
            checked += 1

    run()
    return checked


def keep_failure(target: str, body: bytes) -> Path:
    """Write a failing input where the failure message says."""
    directory = FAILURES / target
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / hashlib.sha256(body).hexdigest()[:16]
    path.write_bytes(body)
    return path


__all__ = ["FAILURES", "VARIANTS", "fuzz", "keep_failure", "mutate"]
