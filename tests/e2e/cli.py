"""Running the ``otel-bridge`` command as a user does, for end-to-end tests: the installed console
script (found beside this Python), in a given folder, with an environment free of the caller's
``OTEL_*``/``LANGFUSE_*`` settings, through a shell when a test runs a line exactly as printed."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.databases import in_ci

#: The console script ``pip install`` made for this Python.
SCRIPT = Path(sys.executable).parent / "otel-bridge"
TIMEOUT = 120


@dataclass(frozen=True)
class Ran:
    """A finished command."""

    status: int
    stdout: str
    stderr: str

    @property
    def err_lines(self) -> list[str]:
        """The non-empty lines of stderr."""
        return [line for line in self.stderr.splitlines() if line.strip()]


def require_script() -> None:
    """Skip (fail under ``CI=true``) when the console script is not installed beside this Python."""
    if not SCRIPT.exists():
        problem = f"{SCRIPT} is not installed: run make install (pip install -e '.[server,postgres,dev]')"
        if in_ci():
            pytest.fail(f"CI=true: {problem}", pytrace=False)
        pytest.skip(problem)


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without otel-bridge, OTel exporter or Langfuse settings, the
    console script's folder first on ``PATH``, then ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "LANGFUSE_"))}
    env["PATH"] = f"{SCRIPT.parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra or {})
    return env


def run_cli(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Ran:
    """``otel-bridge ARGS`` in ``cwd``."""
    done = subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def run_line(cwd: Path, line: str, env: dict[str, str] | None = None) -> Ran:
    """A command line exactly as printed, run by ``bash`` in ``cwd``."""
    done = subprocess.run(
        ["bash", "-c", line],
        cwd=cwd,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


__all__ = ["SCRIPT", "Ran", "clean_env", "require_script", "run_cli", "run_line"]
