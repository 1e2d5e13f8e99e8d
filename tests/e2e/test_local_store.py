"""``configure(url="sqlite:///…")``: an application writes its translated spans straight into a local
store with no server running; ``otel-bridge serve --db`` on the same file then shows them through the
API. The application runs in its own interpreter (``configure()`` sets the global provider)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from otel_bridge.sdk.store_sink import DEFAULT_PROJECT, StoreSink
from otel_bridge.store.sql import SqlStore
from tests.e2e.sdk.harness import api_json
from tests.e2e.server import PUBLIC_KEY, SECRET_KEY, start_server
from tests.support.paths import REPOSITORY
from tests.support.spans import record, translate

APP = textwrap.dedent(
    """
    import sys
    from otel_bridge import configure, flush, observe, session, shutdown

    configure(url=sys.argv[1], service_name="local-store-app")

    @observe(as_type="generation")
    def call_llm(prompt: str, api_key: str) -> str:
        return "reply to " + prompt

    with session("local-store-session", user_id="u-local"):
        for prompt in ("first", "second"):
            call_llm(prompt, api_key="sk-proj-local000000000000000000000")
    assert flush()
    shutdown()
    """
)


def test_spans_land_in_the_store_and_serve_shows_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'otel-bridge.db'}"
    done = subprocess.run(  # noqa: PLW1510 (checked below, with the output)
        [sys.executable, "-c", APP, url], capture_output=True, text=True, timeout=120, cwd=str(REPOSITORY)
    )
    assert done.returncode == 0, done.stderr
    server = start_server(tmp_path)  # the same file: start_server uses <directory>/otel-bridge.db
    try:
        traces = api_json(server, "traces", sessionId="local-store-session")["data"]
        assert len(traces) == 2
        assert {t["userId"] for t in traces} == {"u-local"}
        text = json.dumps(traces)
        assert "sk-proj-local" not in text and "first" in text
    finally:
        assert server.stop() == 0, server.log()


def test_sink_creates_the_default_project_with_the_keys_given(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    sink = StoreSink.open(url, PUBLIC_KEY, SECRET_KEY)
    try:
        assert sink.send(translate(record(attrs={"session.id": "s-sink"}))).ok
    finally:
        sink.close()
    assert not sink.send(translate(record())).ok  # closed
    store = SqlStore(url)
    try:
        project = store.authenticate(PUBLIC_KEY, SECRET_KEY)
        assert project is not None and project.name == DEFAULT_PROJECT
        assert [s.id for s in store.list_sessions(project.id).items] == ["s-sink"]
        # Opened again (a second process, a restart), the same project is used.
        again = StoreSink.open(url)
        assert again.project_id == project.id
        again.close()
    finally:
        store.close()
