"""The public surface of the library's packages: an explicit, sorted ``__all__`` that lists every
public name the package binds, each documented."""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

import pytest

#: The packages a user imports from (the README's quickstarts), and names each must export.
PUBLIC_PACKAGES: dict[str, set[str]] = {
    "otel_bridge.sdk": {
        "configure",
        "flush",
        "observe",
        "session",
        "shutdown",
        "update_current_observation",
        "update_current_trace",
        "BridgeSpanExporter",
        "SessionSpanProcessor",
    },
    "otel_bridge.otlp": {"decode_json", "decode_protobuf"},
    "otel_bridge.translate": {"resolve_trace", "translate_spans"},
    "otel_bridge.errors": {"OtelBridgeError"},
    "otel_bridge.testing": {"build_export_request", "make_span"},
}


def public_bindings(module: ModuleType) -> set[str]:
    """Public classes and functions a module binds that otel-bridge itself defines: in the module,
    or, for a package, in one of its submodules (so ``typing`` or OTel names imported for use are
    left out)."""
    package = module.__name__
    is_package = hasattr(module, "__path__")
    names = set()
    for name, value in vars(module).items():
        if name.startswith("_") or not (inspect.isclass(value) or inspect.isfunction(value)):
            continue
        defined_in = getattr(value, "__module__", "")
        if defined_in == package or (is_package and defined_in.startswith(f"{package}.")):
            names.add(name)
    return names


@pytest.mark.parametrize("package", sorted(PUBLIC_PACKAGES))
class TestPublicApi:
    def test_all_is_sorted_and_resolves(self, package: str) -> None:
        """``__all__`` is sorted, without duplicates, and every name in it exists."""
        module = importlib.import_module(package)
        assert module.__all__ == sorted(set(module.__all__))
        assert [name for name in module.__all__ if not hasattr(module, name)] == []

    def test_every_public_binding_is_exported(self, package: str) -> None:
        """A public class or function the package binds but leaves out of ``__all__`` is a mistake
        (``from package import *`` and the documentation would miss it)."""
        module = importlib.import_module(package)
        assert sorted(public_bindings(module) - set(module.__all__)) == []

    def test_documented_names_are_exported(self, package: str) -> None:
        """The names the README's quickstarts use are in ``__all__``."""
        module = importlib.import_module(package)
        assert sorted(PUBLIC_PACKAGES[package] - set(module.__all__)) == []

    def test_every_public_name_is_documented(self, package: str) -> None:
        """Every exported function and class has a docstring."""
        module = importlib.import_module(package)
        objects = {name: getattr(module, name) for name in module.__all__}
        undocumented = [
            name
            for name, value in objects.items()
            if (inspect.isfunction(value) or inspect.isclass(value)) and not inspect.getdoc(value)
        ]
        assert undocumented == []
