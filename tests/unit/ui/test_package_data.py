"""Templates and the stylesheet ship in the package: ``pyproject.toml``'s package data covers them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import otel_bridge.ui
from tests.support.paths import REPOSITORY

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself depends on tomli before 3.11
    tomllib = pytest.importorskip("tomli")

ROOT = REPOSITORY
PACKAGE = Path(otel_bridge.__file__).parent


class TestPackageData:
    def test_every_ui_file_is_package_data(self) -> None:
        """Each file under ``ui/templates`` and ``ui/static`` matches a ``package-data`` pattern."""
        config = tomllib.loads((ROOT / "pyproject.toml").read_text())
        patterns = config["tool"]["setuptools"]["package-data"]["otel_bridge"]
        ui = Path(otel_bridge.ui.__file__).parent
        files = [p for folder in ("templates", "static") for p in (ui / folder).iterdir() if p.is_file()]
        assert files
        shipped = {p for pattern in patterns for p in PACKAGE.glob(pattern)}
        assert [str(p.relative_to(PACKAGE)) for p in files if p not in shipped] == []
