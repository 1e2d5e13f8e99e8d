"""The composition root's app: the OTLP receivers, the operations routes, the API and the UI, each
mounted once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.client import ServedApi, served_api


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServedApi]:
    with served_api(tmp_path) as api:
        yield api


class TestBuildApp:
    @pytest.mark.parametrize(
        ("path", "status"),
        [
            ("/healthz", 200),
            ("/api/public/health", 200),
            ("/api/public/sessions", 200),
            ("/openapi.json", 200),
            ("/", 302),
            ("/sessions", 200),
            ("/static/otel-bridge.css", 200),
        ],
    )
    def test_serves_the_api_and_the_ui(self, served: ServedApi, path: str, status: int) -> None:
        """The API's and the UI's own routes answer from the one app ``build_app`` composes."""
        assert served.client.get(path).status == status

    def test_mounts_each_route_once(self, served: ServedApi) -> None:
        """No path and method is served twice (a second mount would be unreachable)."""
        seen = [
            (getattr(route, "path", None), tuple(sorted(getattr(route, "methods", None) or ())))
            for route in served.client.app.routes
        ]
        assert len(seen) == len(set(seen))
        assert ("/v1/traces", ("POST",)) in seen
