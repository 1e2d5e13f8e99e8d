"""Imports flow one way (docs/architecture.md, "Package layout"): a package of ``otel_bridge`` imports
only the packages listed before it. Lazy imports inside functions count too: they are still a
dependency of the module that makes them."""

from __future__ import annotations

import ast
from pathlib import Path

import otel_bridge

PACKAGE = Path(otel_bridge.__file__).parent

#: Top-level modules and packages, lowest first; a name may import only names of lower rank.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("config",),
    ("model",),
    ("otlp",),
    ("translate",),
    ("store",),
    ("ingest",),
    ("receivers",),
    ("sdk", "testing"),
    ("integrations",),
    ("forward",),
    ("api",),
    ("ui",),
    ("demo",),
    ("admin", "database_errors"),
    ("server",),
    ("cli",),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def top_level_name(path: Path) -> str:
    """``otel_bridge/store/sql/reads.py`` → ``store``."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported_top_level_names(path: Path) -> set[str]:
    """The ``otel_bridge`` top-level names that ``path`` imports, anywhere in the module. The package
    itself (``import otel_bridge``, for its version) is the facade above every layer: not counted."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found.update(name.split(".")[1] for name in names if name.startswith("otel_bridge."))
    return found


def modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if path != PACKAGE / "__init__.py")


class TestLayering:
    def test_every_top_level_name_has_a_layer(self) -> None:
        """A new package is placed in the layering (here and in docs/architecture.md) when it is added."""
        names = {top_level_name(path) for path in modules()}
        assert sorted(names - RANK.keys()) == []

    def test_imports_flow_down_only(self) -> None:
        upward = {
            f"{path.relative_to(PACKAGE)} imports otel_bridge.{name}"
            for path in modules()
            for name in imported_top_level_names(path)
            if name in RANK and top_level_name(path) in RANK and RANK[name] > RANK[top_level_name(path)]
        }
        assert sorted(upward) == []

    def test_the_check_sees_an_upward_import(self, tmp_path: Path) -> None:
        """The parser finds imports at any depth, lazy ones included."""
        module = tmp_path / "m.py"
        module.write_text(
            "def f():\n    from otel_bridge.server import build\n    import otel_bridge.ui.pages\n"
        )
        assert imported_top_level_names(module) == {"server", "ui"}
