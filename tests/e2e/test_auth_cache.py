"""Replaced keys stop working within ``OTEL_BRIDGE_AUTH_CACHE_SECONDS``: the server keeps one cache of
verified credentials, and honours its setting."""

from __future__ import annotations

import base64
import time
from pathlib import Path

from otel_bridge.store.sql import SqlStore
from otel_bridge.testing import build_export_request, make_span
from tests.e2e.conftest import post
from tests.e2e.server import start_server

CACHE_SECONDS = 1.0


def basic(public_key: str, secret_key: str) -> str:
    return "Basic " + base64.b64encode(f"{public_key}:{secret_key}".encode()).decode()


def one_span(n: int) -> bytes:
    span = make_span(
        "turn", trace_id=f"{n:032x}", span_id=f"{n:016x}", start_time_unix_nano=1, end_time_unix_nano=2
    )
    return build_export_request([span]).SerializeToString()


def test_replaced_keys_stop_working_within_the_cache_setting(tmp_path: Path) -> None:
    """Keys replaced in the database (``keys create --replace`` from another process) are refused
    once ``OTEL_BRIDGE_AUTH_CACHE_SECONDS`` has passed since their last verification."""
    server = start_server(tmp_path, {"OTEL_BRIDGE_AUTH_CACHE_SECONDS": str(CACHE_SECONDS)})
    try:
        assert post(server, one_span(1)).status == 200  # verified, and remembered
        store = SqlStore(server.db_url)
        try:
            project = store.find_project("default")
            assert project is not None
            store.set_project_keys(project.id, "pk-lf-replaced", "sk-lf-replaced")
        finally:
            store.close()
        replaced_at = time.monotonic()
        deadline = replaced_at + CACHE_SECONDS + 10  # generous for a loaded machine
        while (status := post(server, one_span(2)).status) == 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status == 401, f"the replaced keys still worked after {deadline - replaced_at:.0f} s"
        # The new pair works at once (a failed verification is remembered for its header only).
        assert (
            post(server, one_span(3), authorization=basic("pk-lf-replaced", "sk-lf-replaced")).status == 200
        )
    finally:
        assert server.stop() == 0, server.log()
