"""Cached virtualenvs for client libraries whose versions conflict with each other (three majors of
``langfuse``): each runs in its own virtualenv, as a real user's application would, and drives the
server from outside.

A virtualenv lives in ``.cache/sdk-venvs/<name>`` (override the parent directory with
``OTEL_BRIDGE_SDK_VENVS``) and holds a stamp, ``sdk-venv.json``, with the pinned requirements and the
interpreter it was built from; a different stamp means the pins changed, and the virtualenv is rebuilt.

Creation is safe when test processes run in parallel or are interrupted:

- an exclusive ``flock`` on ``<cache>/.<name>.lock`` serializes the check and the build (the kernel drops
  the lock when a process dies, so an interrupted build never blocks the next one);
- the virtualenv is built in ``<cache>/.tmp-<name>-<random>`` and renamed into place only once
  ``pip install`` succeeded and the stamp was written, so ``<name>`` is complete or absent; leftovers of an
  interrupted build are removed by the next builder.

The virtualenv is only ever used through ``<venv>/bin/python`` (never its console scripts, whose shebangs
name the temporary directory), which finds its ``pyvenv.cfg`` wherever the directory was renamed to.

When ``pip install`` fails, ``VenvUnavailable`` carries pip's output; ``ensure_venv_or_fail`` turns it into a
test failure in CI (``CI=true``) and, locally, into a skip when the cause is an unreachable package index (a
one-line reason naming ``BUILD_COMMAND``).

``.venv/bin/python -m tests.e2e.sdk.venvs [--rebuild]`` builds every virtualenv of ``specs.ALL`` ahead of
the tests, printing pip's output when a build fails. Use the project's ``.venv`` interpreter: the stamp
records the interpreter, so a virtualenv built from another one is rebuilt by the tests.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.paths import REPOSITORY

REPO = REPOSITORY
STAMP = "sdk-venv.json"
PIP_TIMEOUT = 1200.0
#: What builds the client virtualenvs (it needs a reachable package index), named by the skip reason.
BUILD_COMMAND = ".venv/bin/python -m tests.e2e.sdk.venvs"

#: pip output that means "no package index reachable" rather than "wrong pins".
NETWORK_MARKERS = (
    "NewConnectionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Connection refused",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "No matching distribution found",
    "Could not find a version that satisfies",
)


@dataclass(frozen=True)
class VenvSpec:
    """A client virtualenv: its directory name and its pinned requirements."""

    name: str
    requirements: tuple[str, ...]

    def stamp(self) -> dict[str, object]:
        """What must match for a cached virtualenv to be reused."""
        return {
            "requirements": list(self.requirements),
            "python": sys.version,
            "base_executable": os.path.realpath(getattr(sys, "_base_executable", sys.executable)),
        }

    @property
    def key(self) -> str:
        """A short hash of the stamp (shown in messages)."""
        return hashlib.sha256(json.dumps(self.stamp(), sort_keys=True).encode()).hexdigest()[:12]


class VenvUnavailable(Exception):
    """A virtualenv could not be created; the message holds the command and pip's output."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(f"{message}\n{output}")
        self.output = output

    @property
    def network(self) -> bool:
        """Whether pip failed because no package index was reachable."""
        return any(marker in self.output for marker in NETWORK_MARKERS)


def cache_dir() -> Path:
    """Where the virtualenvs are kept."""
    configured = os.environ.get("OTEL_BRIDGE_SDK_VENVS")
    return Path(configured) if configured else REPO / ".cache" / "sdk-venvs"


def venv_python(venv: Path) -> Path:
    """The virtualenv's interpreter."""
    return venv / "bin" / "python"


def _is_current(venv: Path, spec: VenvSpec) -> bool:
    try:
        stamp = json.loads((venv / STAMP).read_text())
    except (OSError, ValueError):
        return False
    return stamp == spec.stamp() and venv_python(venv).exists()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(  # noqa: PLW1510 (checked below, with the output)
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=PIP_TIMEOUT,
            env={**os.environ, "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        output = exc.output if isinstance(exc.output, str) else (exc.output or b"").decode(errors="replace")
        raise VenvUnavailable(f"{what}: timed out after {PIP_TIMEOUT:.0f} s: {command}", output) from exc
    if done.returncode != 0:
        raise VenvUnavailable(f"{what}: exit {done.returncode}: {' '.join(command)}", done.stdout)


def ensure_venv(spec: VenvSpec, *, rebuild: bool = False) -> Path:
    """The virtualenv of ``spec``, built (once per machine, then cached) when missing or stale.

    Raises ``VenvUnavailable`` with pip's output when it cannot be built."""
    root = cache_dir()
    venv = root / spec.name
    if not rebuild and _is_current(venv, spec):
        return venv
    with _locked(root / f".{spec.name}.lock"):
        if not rebuild and _is_current(venv, spec):  # another process built it while we waited
            return venv
        for leftover in root.glob(f".tmp-{spec.name}-*"):  # interrupted builds (we hold the lock)
            shutil.rmtree(leftover, ignore_errors=True)
        for leftover in root.glob(f".old-{spec.name}-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        building = Path(tempfile.mkdtemp(prefix=f".tmp-{spec.name}-", dir=root))
        building.chmod(0o755)
        try:
            started = time.monotonic()
            _run([sys.executable, "-m", "venv", "--clear", str(building)], f"creating {spec.name}")
            _run(
                [str(venv_python(building)), "-m", "pip", "install", "--no-input", *spec.requirements],
                f"pip install into {spec.name}",
            )
            (building / STAMP).write_text(json.dumps(spec.stamp(), indent=2) + "\n")
            if venv.exists():  # stale: move it aside first (rename is atomic), then delete it
                stale = root / f".old-{spec.name}-{os.getpid()}"
                os.rename(venv, stale)
                shutil.rmtree(stale, ignore_errors=True)
            os.rename(building, venv)
            print(
                f"[sdk-venvs] built {venv} ({spec.key}) in {time.monotonic() - started:.0f} s",
                file=sys.stderr,
            )
        finally:
            if building.exists():
                shutil.rmtree(building, ignore_errors=True)
    return venv


def ensure_venv_or_fail(spec: VenvSpec) -> Path:
    """``ensure_venv`` for a test: in CI (``CI=true``) a failure fails the test with pip's output;
    locally, an unreachable package index skips it with a one-line reason naming ``BUILD_COMMAND``
    (other failures still fail, with pip's output)."""
    try:
        return ensure_venv(spec)
    except VenvUnavailable as exc:
        in_ci = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
        if not in_ci and exc.network:
            pytest.skip(
                f"SDK tests need the {spec.name} client virtualenv (no package index reachable to build it): "
                f"run {BUILD_COMMAND} once one is reachable"
            )
        prefix = "CI=true: " if in_ci else ""
        pytest.fail(f"{prefix}cannot build the {spec.name} virtualenv:\n{exc}", pytrace=False)


def installed_version(venv: Path, distribution: str) -> str:
    """The version of ``distribution`` installed in ``venv``."""
    done = subprocess.run(
        [
            str(venv_python(venv)),
            "-c",
            f"import importlib.metadata as m; print(m.version({distribution!r}))",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout.strip()


def main(argv: list[str]) -> int:
    """Build (or reuse) every client virtualenv of ``specs.ALL``; ``--rebuild`` rebuilds them."""
    from tests.e2e.sdk.specs import ALL

    failed = 0
    for spec in ALL:
        try:
            venv = ensure_venv(spec, rebuild="--rebuild" in argv)
        except VenvUnavailable as exc:
            failed += 1
            print(f"[sdk-venvs] {spec.name}: FAILED {exc}", file=sys.stderr)
        else:
            print(f"[sdk-venvs] {spec.name}: {venv}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
