"""The golden corpus's one command-line option: ``--update-golden`` (rewrite the ``*.expected.json`` files),
and its run under each protobuf decoder.

Pass it together with the golden directory, so that pytest loads this conftest before it parses the command
line: ``pytest tests/golden --update-golden``. Then review the diff of the expected files before committing.
"""

from __future__ import annotations

import pytest

from tests.support.decoders import each_decoder

__all__ = ["each_decoder"]


@pytest.fixture(autouse=True)
def _under_each_decoder(each_decoder: str) -> str:
    """Every golden case runs under both OTLP protobuf decoders (``tests.support.decoders``)."""
    return each_decoder


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="golden corpus: rewrite tests/golden/cases/**/*.expected.json from the translator's output",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether this run rewrites the golden expected files."""
    return bool(request.config.getoption("update_golden", default=False))
