"""Run a test under each OTLP protobuf decoder: the upb reference and the compiled one.

``each_decoder`` is a fixture parametrized over both (``otel_bridge.otlp.decoders``); the decode and
golden suites use it autouse (their ``conftest.py``), so every test there runs twice and must pass
under both. The compiled decoder is built by ``make test``; when it is missing its half skips
locally and fails under ``CI=true``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from otel_bridge.otlp import decoders
from tests.support.databases import in_ci

NOT_BUILT = (
    "the compiled OTLP decoder is not built: `make test` builds it "
    "(or `.venv/bin/python setup.py build_ext --inplace`; needs a C compiler)"
)


def require_compiled() -> None:
    """Skip (fail under CI) when the compiled decoder was not built."""
    if not decoders.compiled_available():
        if in_ci():
            pytest.fail(f"CI=true: {NOT_BUILT}", pytrace=False)
        pytest.skip(NOT_BUILT)


@pytest.fixture(params=[decoders.REFERENCE, decoders.COMPILED])
def each_decoder(request: pytest.FixtureRequest) -> Iterator[str]:
    """The decoder this run of the test uses (``decode_protobuf`` goes through it)."""
    name: str = request.param
    if name == decoders.COMPILED:
        require_compiled()
    previous = decoders.active()
    decoders.use(name)
    try:
        yield name
    finally:
        decoders.use(previous)
