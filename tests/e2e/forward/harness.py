"""What the forwarding end-to-end tests share: a forwarding ``otel-bridge serve`` in front of a second
``otel-bridge serve`` standing in as the Langfuse server, applications replaying the golden corpus
through the OTel SDK, and both sides read back through the public API."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tests.e2e.server import ServerProcess, start_server

ROOT = Path(__file__).parents[3]
CASES_DIR = ROOT / "tests" / "golden" / "cases"
REPLAY = Path(__file__).parent / "replay.py"
#: The target project's keys (the second server's default project).
TARGET_PUBLIC_KEY = "pk-lf-target00000000000000000000000001"
TARGET_SECRET_KEY = "sk-lf-target0000000000000000000000000000000000000001"
#: Fields of the read API that differ between two servers holding the same data.
SERVER_FIELDS = frozenset({"projectId", "createdAt", "updatedAt", "htmlPath", "_deprecation"})


def golden_cases() -> list[Path]:
    """Every golden case: OTLP captured from real instrumentation libraries, all conventions."""
    return sorted(CASES_DIR.glob("**/*.otlp.json"))


def start_target(directory: Path) -> ServerProcess:
    """A plain ``otel-bridge serve``: the Langfuse server of the test."""
    server = start_server(
        directory,
        {"OTEL_BRIDGE_PUBLIC_KEY": TARGET_PUBLIC_KEY, "OTEL_BRIDGE_SECRET_KEY": TARGET_SECRET_KEY},
        "--decode-processes",
        "0",
    )
    server.public_key, server.secret_key = TARGET_PUBLIC_KEY, TARGET_SECRET_KEY
    return server


def start_forwarder(
    directory: Path,
    target_url: str,
    *args: str,
    protocol: str = "otel",
    secret_key: str = TARGET_SECRET_KEY,
    command: str = "serve",
    env: dict[str, str] | None = None,
) -> ServerProcess:
    """``otel-bridge serve --forward target_url`` (or ``relay``), forwarding soon after a trace's last
    span so that tests are quick; the target's keys through the ``LANGFUSE_*`` variables."""
    environment = {"LANGFUSE_PUBLIC_KEY": TARGET_PUBLIC_KEY, "LANGFUSE_SECRET_KEY": secret_key, **(env or {})}
    return start_server(
        directory,
        environment,
        "--forward",
        target_url,
        "--forward-protocol",
        protocol,
        "--forward-quiet-seconds",
        "0.5",
        "--forward-timeout-seconds",
        "5",
        "--decode-processes",
        "0",
        *args,
        command=command,
    )


def replay(server: ServerProcess, cases: Iterable[Path]) -> None:
    """Run the application process exporting ``cases`` to ``server`` through the OTel SDK."""
    result = subprocess.run(
        [sys.executable, str(REPLAY), server.base_url, server.authorization, *map(str, cases)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def api_get(server: ServerProcess, path: str) -> Any:
    """GET a public API path with the server's default keys; the JSON body."""
    request = urllib.request.Request(server.base_url + path, headers={"Authorization": server.authorization})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def metrics(server: ServerProcess) -> dict[str, float]:
    """``/metrics`` as ``{"name{labels}": value}``."""
    with urllib.request.urlopen(server.base_url + "/metrics", timeout=30) as response:
        text = response.read().decode()
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _paged(server: ServerProcess, path: str) -> list[Any]:
    items: list[Any] = []
    page = 1
    while True:
        separator = "&" if "?" in path else "?"
        body = api_get(server, f"{path}{separator}page={page}&limit=100")
        items.extend(body["data"])
        if page >= body["meta"]["totalPages"]:
            return items
        page += 1


def _without_server_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_server_fields(v) for k, v in value.items() if k not in SERVER_FIELDS}
    if isinstance(value, list):
        return [_without_server_fields(v) for v in value]
    return value


def read_back(server: ServerProcess) -> dict[str, Any]:
    """Sessions (with their traces), traces (with their observations) and the users, read through
    the public API, with the fields that name the server left out."""
    sessions = {
        s["id"]: api_get(server, f"/api/public/sessions/{s['id']}")
        for s in _paged(server, "/api/public/sessions")
    }
    traces = {
        t["id"]: api_get(server, f"/api/public/traces/{t['id']}")
        for t in _paged(server, "/api/public/traces")
    }
    for session in sessions.values():
        session["traces"] = sorted(session["traces"], key=lambda t: t["id"])
    for trace in traces.values():
        trace["observations"] = sorted(trace["observations"], key=lambda o: o["id"])
    users = sorted({t["userId"] for t in traces.values() if t.get("userId")})
    result: dict[str, Any] = _without_server_fields({"sessions": sessions, "traces": traces, "users": users})
    return result


def span_ids_of(server: ServerProcess) -> set[str]:
    """Every observation id the server stores, through the API."""
    return {o["id"] for o in _paged(server, "/api/public/observations")}


def authorization(public_key: str, secret_key: str) -> str:
    """A Basic ``Authorization`` value."""
    return "Basic " + base64.b64encode(f"{public_key}:{secret_key}".encode()).decode()


def is_up(url: str) -> bool:
    """Whether a server answers ``/healthz``."""
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
