"""The library stays light: importing it pulls in no server dependency."""

from __future__ import annotations

import subprocess
import sys

import pytest

SERVER_MODULES = ("sqlalchemy", "grpc", "starlette", "uvicorn", "jinja2", "alembic", "orjson")


class TestLibraryImport:
    def test_library_import_leaves_server_stack_out(self) -> None:
        """``import otel_bridge`` (and its translator) loads no server-side dependency."""
        code = (
            "import sys, otel_bridge, otel_bridge.otlp, otel_bridge.translate; "
            f"print([m for m in {SERVER_MODULES!r} if m in sys.modules])"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "[]"

    def test_sdk_import_leaves_server_stack_out(self) -> None:
        """``import otel_bridge.sdk`` (the in-process library) and the test helpers load no server-side
        dependency either."""
        code = (
            "import sys, otel_bridge.sdk, otel_bridge.testing; "
            f"print([m for m in {SERVER_MODULES!r} if m in sys.modules])"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "[]"

    def test_forward_exporter_import_leaves_server_stack_out(self) -> None:
        """The in-process forwarder (``otel_bridge.forward.exporter``) needs no server extra."""
        code = (
            "import sys, otel_bridge.forward.exporter; "
            f"print([m for m in {SERVER_MODULES!r} if m in sys.modules])"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "[]"

    def test_top_level_surface_leaves_server_stack_out(self) -> None:
        """``from otel_bridge import configure, session, observe, …`` works, loads no server-side
        dependency, and ``import otel_bridge`` alone does not even load the library."""
        code = (
            "import sys, otel_bridge; lazy = 'otel_bridge.sdk' not in sys.modules; "
            "from otel_bridge import configure, session, observe, update_current_trace, "
            "update_current_observation, flush, shutdown, SessionSampler, mask_secrets; "
            f"print(lazy, [m for m in {SERVER_MODULES!r} if m in sys.modules])"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "True []"


def test_top_level_names_are_the_sdks() -> None:
    """Every public name of ``otel_bridge.sdk`` is importable from ``otel_bridge``, as the same object."""
    import otel_bridge
    import otel_bridge.sdk

    assert set(otel_bridge.sdk.__all__) == set(otel_bridge.__all__)
    for name in otel_bridge.sdk.__all__:
        assert getattr(otel_bridge, name) is getattr(otel_bridge.sdk, name)
    assert "configure" in dir(otel_bridge)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        otel_bridge.nope  # noqa: B018
