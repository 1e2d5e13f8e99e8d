"""The public surface of ``otel_bridge.sdk``: an explicit, sorted ``__all__`` of documented names."""

from __future__ import annotations

import inspect

from otel_bridge import sdk


class TestPublicApi:
    def test_all_is_sorted_and_resolves(self) -> None:
        """``__all__`` is sorted, without duplicates, and every name in it exists."""
        assert sdk.__all__ == sorted(set(sdk.__all__))
        assert all(hasattr(sdk, name) for name in sdk.__all__)

    def test_every_public_name_is_documented(self) -> None:
        """Every exported function and class has a docstring."""
        objects = {name: getattr(sdk, name) for name in sdk.__all__}
        undocumented = [
            name
            for name, value in objects.items()
            if (inspect.isfunction(value) or inspect.isclass(value)) and not inspect.getdoc(value)
        ]
        assert undocumented == []
