"""The real rotel collector (PyPI package ``rotel``, whose wheel ships the ``rotel-agent`` binary),
configured by the environment files of ``collector-config/rotel/`` exactly as a user sources them.

The files are sourced by bash in order (``set -a; . agent.env; . http.env; set +a``) with the
variables they read (otel-bridge's URL, the Basic auth token), and the resulting ``ROTEL_*``
variables start ``rotel-agent start`` in the foreground. Only the listen addresses are replaced, by
free ports: the files listen on 127.0.0.1:4317/4318, which tests cannot count on being free.

Without the package the tests skip, naming the command that installs it; under ``CI=true`` they fail.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.databases import in_ci
from tests.support.paths import REPOSITORY

__all__ = ["ROTEL_CONFIG", "Rotel", "free_port", "rotel_binary", "rotel_environment", "running_rotel"]

ROTEL_CONFIG = REPOSITORY / "collector-config" / "rotel"
INSTALL_HINT = "the rotel collector is not installed: run `make install` (the dev extra pins rotel)"
START_TIMEOUT = 30.0


def rotel_binary() -> Path:
    """The ``rotel-agent`` binary of the installed ``rotel`` package; skips (fails under CI) without."""
    spec = importlib.util.find_spec("rotel")
    binary = None if spec is None or spec.origin is None else Path(spec.origin).parent / "rotel-agent"
    if binary is None or not binary.is_file():
        if in_ci():
            pytest.fail(f"CI=true: {INSTALL_HINT}", pytrace=False)
        pytest.skip(INSTALL_HINT)
    if not os.access(binary, os.X_OK):
        binary.chmod(0o755)  # some installers drop the mode bits of package data
    return binary


def rotel_environment(files: Sequence[str], variables: Mapping[str, str]) -> dict[str, str]:
    """The ``ROTEL_*`` variables that sourcing ``files`` (names in ``collector-config/rotel``) in order
    sets, given ``variables``."""
    sources = "; ".join(f'. "{ROTEL_CONFIG / name}"' for name in files)
    result = subprocess.run(
        ["bash", "-c", f"set -a; {sources}; set +a; env -0"],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **variables},
        capture_output=True,
        check=True,
    )
    pairs = (entry.split("=", 1) for entry in result.stdout.decode().split("\0") if "=" in entry)
    return {key: value for key, value in pairs if key.startswith("ROTEL_")}


def free_port() -> int:
    """A port nothing listens on now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Rotel:
    """A running rotel: where applications send to it, and its log."""

    process: subprocess.Popen[bytes]
    grpc_port: int
    http_port: int
    log_path: Path

    @property
    def grpc_endpoint(self) -> str:
        """``127.0.0.1:<port>`` of its OTLP/gRPC receiver."""
        return f"127.0.0.1:{self.grpc_port}"

    def log(self) -> str:
        """What rotel wrote, for failure messages."""
        return self.log_path.read_text(errors="replace")[-5000:]


@contextmanager
def running_rotel(directory: Path, files: Sequence[str], variables: Mapping[str, str]) -> Iterator[Rotel]:
    """rotel configured by ``files``, until the block ends (then SIGTERM, which flushes its batches)."""
    binary = rotel_binary()
    environment = rotel_environment(files, variables)
    grpc_port, http_port = free_port(), free_port()
    environment.update(
        {
            "ROTEL_OTLP_GRPC_ENDPOINT": f"127.0.0.1:{grpc_port}",
            "ROTEL_OTLP_HTTP_ENDPOINT": f"127.0.0.1:{http_port}",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
    )
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / "rotel.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(binary), "start"], env=environment, stdout=log, stderr=subprocess.STDOUT, cwd=directory
        )
    rotel = Rotel(process, grpc_port, http_port, log_path)
    try:
        _wait_listening(rotel)
        yield rotel
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _wait_listening(rotel: Rotel) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if rotel.process.poll() is not None:
            raise RuntimeError(f"rotel exited with {rotel.process.returncode}\n{rotel.log()}")
        try:
            socket.create_connection(("127.0.0.1", rotel.grpc_port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"rotel is not listening on {rotel.grpc_endpoint}\n{rotel.log()}")
