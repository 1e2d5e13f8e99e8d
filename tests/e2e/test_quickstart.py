"""First contact, end to end (issue 15): in an empty folder, clone the repository, ``make run``, paste the
lines it prints, run the README's OpenTelemetry quickstart program exactly as printed (its ``pip
install`` line in a virtualenv of its own), and find its session in the API; then the README's gRPC
variant, and ``otel-bridge demo --protocol grpc`` on the gRPC port ``serve`` printed.

The clone is of the committed ``HEAD`` (what a user gets); ``make run`` installs into the clone's own
``.venv`` and starts the server on free ports (``ARGS="--http-port 0 --grpc-port 0"``, so that
nothing on this machine is in the way). It takes minutes: the install is real.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.databases import in_ci
from tests.support.paths import REPOSITORY

#: ``make run`` creates a virtualenv and installs every extra on a loaded machine.
START_TIMEOUT = 900.0
STEP_TIMEOUT = 600
READY = re.compile(r"^ready: http=(\d+) grpc=(\d+)$")


def need(tool: str) -> None:
    if shutil.which(tool) is None or not (REPOSITORY / ".git").exists():
        problem = f"the quickstart test needs {tool} and a git checkout (apt-get install -y {tool})"
        if in_ci():
            pytest.fail(f"CI=true: {problem}", pytrace=False)
        pytest.skip(problem)


def user_env() -> dict[str, str]:
    """A shell's environment, without the caller's OTel, Langfuse or otel-bridge settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "LANGFUSE_", "VIRTUAL_ENV"))}


@dataclass
class MakeRun:
    """A running ``make run`` and what it printed."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    reader: threading.Thread | None = None

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if READY.match(line.strip()):
                self.ready.set()
        self.ready.set()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    @property
    def exports(self) -> list[str]:
        """The ``export`` lines, as a user pastes them."""
        return [line.rstrip("\n") for line in self.lines if line.startswith("export ")]

    def stop(self) -> None:
        """SIGTERM to make and the server (SIGKILL if they do not exit), then close the pipe."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(30)
        if self.reader is not None:
            self.reader.join(30)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need("git")
    need("make")
    folder = tmp_path_factory.mktemp("first-contact")
    assert list(folder.iterdir()) == []
    subprocess.run(
        ["git", "clone", "--quiet", str(REPOSITORY), "otel-bridge"],
        cwd=folder,
        check=True,
        timeout=STEP_TIMEOUT,
        env=user_env(),
    )
    return folder / "otel-bridge"


@pytest.fixture(scope="module")
def make_run(clone: Path) -> Iterator[MakeRun]:
    process = subprocess.Popen(
        ["make", "run", "ARGS=--http-port 0 --grpc-port 0"],
        cwd=clone,
        env=user_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # make and the server it starts: one process group to stop
    )
    run = MakeRun(process)
    run.reader = threading.Thread(target=run.read, daemon=True)
    run.reader.start()
    try:
        if not run.ready.wait(START_TIMEOUT) or process.poll() is not None:
            pytest.fail(f"make run did not get ready:\n{run.output[-5000:]}")
        yield run
    finally:
        run.stop()


def shell(cwd: Path, script: str) -> str:
    """``script`` run by bash, stopping at the first failure; its stdout."""
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        cwd=cwd,
        env=user_env(),
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{script}\nstdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
    return done.stdout


def readme_blocks(clone: Path, language: str) -> list[str]:
    """The fenced blocks of the clone's README's OpenTelemetry quickstart."""
    readme = (clone / "README.md").read_text()
    start = readme.index("## Quickstart: an OpenTelemetry app\n")
    quickstart = readme[start : readme.index("\n## ", start + 1)]
    return re.findall(rf"```{language}\n(.*?)```", quickstart, re.DOTALL)


def session(exports: list[str], session_id: str) -> dict[str, object]:
    """``GET /api/public/sessions/{id}`` with the pasted keys."""
    values = dict(re.findall(r"(LANGFUSE_\w+)=(\S+)", "\n".join(exports)))
    token = base64.b64encode(
        f"{values['LANGFUSE_PUBLIC_KEY']}:{values['LANGFUSE_SECRET_KEY']}".encode()
    ).decode()
    url = f"{values['LANGFUSE_HOST']}/api/public/sessions/{session_id}"
    deadline = time.monotonic() + 30
    while True:
        request = urllib.request.Request(url, headers={"Authorization": f"Basic {token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body: dict[str, object] = json.loads(response.read())
                return body
        except urllib.error.HTTPError as error:
            if error.code != 404 or time.monotonic() > deadline:
                raise
            time.sleep(0.5)  # acknowledged means committed; a 404 here would be a failure soon enough


def test_make_run_installs_without_banners_and_prints_lines_to_paste(make_run: MakeRun) -> None:
    output = make_run.output
    assert "SetuptoolsDeprecationWarning" not in output and "is deprecated" not in output, output[-3000:]
    assert "Traceback" not in output
    names = {name for line in make_run.exports for name in re.findall(r"(\w+)=", line)}
    assert {
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "LANGFUSE_HOST",
        "LANGFUSE_PUBLIC_KEY",
        "LANGFUSE_SECRET_KEY",
        "OTEL_BRIDGE_GRPC_ENDPOINT",
    } <= names


def test_the_readme_quickstart_as_printed_then_its_grpc_variant(
    clone: Path, make_run: MakeRun, tmp_path: Path
) -> None:
    shell_blocks = readme_blocks(clone, "sh")
    (program,) = readme_blocks(clone, "python")
    http_block, grpc_block = shell_blocks
    app = tmp_path / "app"
    app.mkdir()
    (app / "quickstart.py").write_text(program)
    pasted = "\n".join(make_run.exports)
    # The user's own virtualenv for the app: the README's pip lines install into it.
    activate = f"python3 -m venv {app}/venv\nsource {app}/venv/bin/activate\n"

    out = shell(app, f"{activate}{pasted}\n{http_block}")
    (http_session,) = re.findall(r"^sent session (\S+)$", out, re.MULTILINE)
    found = session(make_run.exports, http_session)
    assert found["traceCount"] == 2 and found["userIds"] == ["user-1"]
    assert found["inputTokens"] == 24 and found["outputTokens"] == 60

    out = shell(app, f"source {app}/venv/bin/activate\n{pasted}\n{grpc_block}")
    (grpc_session,) = re.findall(r"^sent session (\S+)$", out, re.MULTILINE)
    assert grpc_session != http_session
    assert session(make_run.exports, grpc_session)["traceCount"] == 2


def test_demo_over_grpc_uses_the_printed_grpc_port(clone: Path, make_run: MakeRun) -> None:
    match = next(m for m in map(READY.match, (line.strip() for line in make_run.lines)) if m)
    grpc_port = match.group(2)
    assert grpc_port != "4317"  # a free port: the default would be the wrong one
    pasted = "\n".join(make_run.exports)
    out = shell(clone, f"{pasted}\n.venv/bin/otel-bridge demo --sessions 1 --protocol grpc --json")
    report = json.loads(out)
    assert report["protocol"] == "grpc" and report["endpoint"].endswith(f":{grpc_port}")
