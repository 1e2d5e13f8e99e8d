"""Every decode test runs under both protobuf decoders (``tests.support.decoders``)."""

from __future__ import annotations

import pytest

from tests.support.decoders import each_decoder

__all__ = ["each_decoder"]


@pytest.fixture(autouse=True)
def _under_each_decoder(each_decoder: str) -> str:
    return each_decoder
