"""The library stays light: importing it pulls in no server dependency."""

from __future__ import annotations

import subprocess
import sys

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
