"""A private PostgreSQL cluster for one test, which the test may stop and start: ``initdb`` and
``pg_ctl`` on a free port of 127.0.0.1, data in a fresh temporary directory, trust authentication
for its superuser on loopback. Never the shared cluster the other tests use.

Run as root, the cluster belongs to the ``postgres`` user (``initdb`` refuses root). Without
``initdb``/``pg_ctl`` on ``PATH`` the test skips naming how to get them, and fails under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.databases import in_ci

__all__ = ["PrivatePostgres", "private_postgres"]


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class PrivatePostgres:
    """A running private cluster: its data directory, port and SQLAlchemy URL."""

    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self._pg_ctl("start", "-w", "-t", "60", "-o", options, "-l", str(self.directory / "server.log"))

    def stop(self) -> None:
        """An immediate stop: the database goes away under its clients, as a crash would."""
        self._pg_ctl("stop", "-m", "immediate", "-w")

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            _as_owner(["pg_ctl", "-D", str(self.directory / "data"), *args]),
            check=True,
            capture_output=True,
            timeout=90,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A new cluster, started; stopped and deleted afterwards."""
    missing = [tool for tool in ("initdb", "pg_ctl") if shutil.which(tool) is None]
    if missing or (os.geteuid() == 0 and shutil.which("runuser") is None):
        reason = (
            f"the database-outage drill needs {' and '.join(missing) or 'runuser'} "
            "(apt-get install -y postgresql)"
        )
        if in_ci():
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    directory = Path(tempfile.mkdtemp(prefix="otel-bridge-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = PrivatePostgres(directory, _free_port())
    subprocess.run(
        _as_owner(["initdb", "-D", str(directory / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
        check=True,
        capture_output=True,
        timeout=120,
    )
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
