"""What the SDK end-to-end tests share: the fake OpenAI-compatible chat server, running a scenario script
inside a client virtualenv against the real server, and reading the server's Langfuse-compatible API."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest

from tests.e2e.sdk.venvs import VenvSpec, ensure_venv_or_fail, venv_python
from tests.e2e.server import ServerProcess

# The golden corpus's fake chat server (stdlib only): deterministic reply, usage 37 / 12 / 49 tokens.
from tests.golden.capture import FAKE_REPLY_PREFIX, FAKE_USAGE, FakeLLMServer

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
SCENARIO_TIMEOUT = 120.0
MODEL = "gpt-4o-mini"

__all__ = ["FAKE_REPLY_PREFIX", "FAKE_USAGE", "MODEL", "FakeLLM", "Run", "api_get", "run_scenario"]


class FakeLLM:
    """The fake chat server, serving in a daemon thread on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        self.server = FakeLLMServer()
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-llm", daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        """The OpenAI ``base_url`` (ends in ``/v1``)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    @property
    def calls(self) -> int:
        """Chat completions answered so far."""
        return self.server.count

    def close(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


class Target(Protocol):
    """What a scenario needs of the server it drives (a ``ServerProcess``, or a stand-in)."""

    @property
    def base_url(self) -> str: ...

    public_key: str
    secret_key: str

    def log(self) -> str: ...


@dataclass
class Run:
    """A finished scenario run."""

    summary: Any  # None when the scenario failed
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def scenario_env(server: Target, extra: dict[str, str]) -> dict[str, str]:
    """The environment of a scenario: the caller's, without anything that would steer the SDKs or the
    interpreter elsewhere, plus the server's Langfuse settings."""
    dropped = ("LANGFUSE_", "OTEL_", "OPENAI_", "TRACELOOP_", "SDK_E2E_")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(dropped) and key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env.update(
        {
            "LANGFUSE_HOST": server.base_url,
            "LANGFUSE_BASE_URL": server.base_url,
            "LANGFUSE_PUBLIC_KEY": server.public_key,
            "LANGFUSE_SECRET_KEY": server.secret_key,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "PYTHONIOENCODING": "utf-8",
        }
    )
    env.update(extra)
    return env


def run_scenario(
    spec: VenvSpec, script: str, server: Target, env: dict[str, str], *, check: bool = True
) -> Run:
    """Run ``scenarios/<script>`` with the virtualenv of ``spec`` (built and cached on first use) against
    ``server``; with ``check``, fail with its output (and the server's log) unless it exits 0 with a JSON
    summary."""
    venv = ensure_venv_or_fail(spec)
    started = time.monotonic()
    try:
        done = subprocess.run(  # noqa: PLW1510 (checked below, with the output)
            [str(venv_python(venv)), str(SCENARIOS / script)],
            env=scenario_env(server, env),
            cwd=str(SCENARIOS),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=SCENARIO_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{script} ({spec.name}) timed out\n{exc.stdout!s}\n{exc.stderr!s}\n{server.log()}")
    seconds = time.monotonic() - started
    lines = done.stdout.strip().splitlines()
    if not check and (done.returncode != 0 or not lines):
        return Run(None, done.returncode, done.stdout, done.stderr, seconds)
    if done.returncode != 0 or not lines:
        pytest.fail(
            f"{script} ({spec.name}) exited {done.returncode}\n--- stdout\n{done.stdout}\n"
            f"--- stderr\n{done.stderr[-8000:]}\n--- server\n{server.log()}",
            pytrace=False,
        )
    return Run(json.loads(lines[-1]), done.returncode, done.stdout, done.stderr, seconds)


def api_get(server: ServerProcess, path: str, **params: Any) -> tuple[int, Any]:
    """GET ``/api/public/<path>`` with the default project's Basic credentials: (status, parsed body)."""
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
    url = f"/api/public/{path}" + (f"?{query}" if query else "")
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=60)
    try:
        connection.request("GET", url, headers={"Authorization": server.authorization})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(body) if body else None
    except ValueError:
        return response.status, body.decode(errors="replace")


def api_json(server: ServerProcess, path: str, **params: Any) -> Any:
    """``api_get`` that must answer 200."""
    status, body = api_get(server, path, **params)
    assert status == 200, f"GET /api/public/{path} {params}: {status} {body}"
    return body
