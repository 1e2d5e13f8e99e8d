"""A real ``otel-bridge serve`` subprocess for end-to-end tests and the end-to-end benchmark.

The server is started with ``--http-port 0 --grpc-port 0`` (the kernel picks free ports, so there
is no race between choosing a port and binding it) and fixed keys through the environment; the
ports are read from its ``ready: http=… grpc=…`` line, then ``/healthz`` is polled.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PUBLIC_KEY = "pk-lf-e2e0000000000000000000000000001"
SECRET_KEY = "sk-lf-e2e000000000000000000000000000000000000000001"
READY = re.compile(r"^ready: http=(\d+) grpc=(\d+)$")
#: Generous: a loaded 2-core machine may take a while to import the server stack and migrate.
START_TIMEOUT = 90.0


@dataclass
class ServerProcess:
    """A running server and what a test needs to talk to it."""

    process: subprocess.Popen[str]
    db_path: Path
    log_path: Path
    http_port: int = 0
    grpc_port: int = 0
    public_key: str = PUBLIC_KEY
    secret_key: str = SECRET_KEY
    output: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None
    #: The certificate the server was started with (``--tls-cert``): it serves HTTPS.
    tls_cert: str | None = None
    #: What clients trust to verify it: ``ca.crt`` beside the certificate when there is one
    #: (``tests.support.certificates``), else the certificate itself.
    tls_ca: str | None = None

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL of the server's database."""
        return f"sqlite:///{self.db_path}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<http port>`` (``https://`` with TLS)."""
        return f"{'https' if self.tls_cert else 'http'}://127.0.0.1:{self.http_port}"

    def ssl_context(self) -> ssl.SSLContext | None:
        """A client context trusting the server's certificate (None without TLS)."""
        return None if self.tls_ca is None else ssl.create_default_context(cafile=self.tls_ca)

    @property
    def grpc_target(self) -> str:
        """``127.0.0.1:<grpc port>``."""
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value (Basic) of the default project."""
        token = base64.b64encode(f"{self.public_key}:{self.secret_key}".encode()).decode()
        return f"Basic {token}"

    def log(self) -> str:
        """Everything the server wrote, for failure messages."""
        stderr = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "stdout:\n" + "".join(self.output) + "\nstderr:\n" + stderr[-5000:]

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, then wait for the exit status (SIGKILL if it does not come)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
            raise
        finally:
            self._close_output()

    def kill(self) -> None:
        """SIGKILL: no shutdown at all."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(30)
        self._close_output()

    def _close_output(self) -> None:
        if self.reader is not None:
            self.reader.join(10)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def rss_bytes(self) -> int:
        """Resident memory of the server process and its children, from ``/proc`` (0 once it exited)."""
        return tree_rss(self.pid)


def start_server(
    directory: Path, env: dict[str, str] | None = None, *args: str, command: str = "serve"
) -> ServerProcess:
    """Start ``python -m otel_bridge.cli serve`` (or ``command``: ``relay``) on free ports with a
    fresh SQLite file in ``directory`` and wait until it is ready."""
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "otel-bridge.db"
    log_path = directory / "server.log"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OTEL_BRIDGE_", "OTEL_EXPORTER_"))
    }
    environment.update(
        {
            "OTEL_BRIDGE_PUBLIC_KEY": PUBLIC_KEY,
            "OTEL_BRIDGE_SECRET_KEY": SECRET_KEY,
            "PYTHONUNBUFFERED": "1",
        }
    )
    environment.update(env or {})
    argv = [
        sys.executable,
        "-m",
        "otel_bridge.cli",
        command,
        "--listen-host",
        "127.0.0.1",
        "--http-port",
        "0",
        "--grpc-port",
        "0",
        "--db",
        f"sqlite:///{db_path}",
        *args,
    ]
    log = log_path.open("w")
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=log, text=True, env=environment, cwd=str(directory)
    )
    log.close()
    server = ServerProcess(process, db_path, log_path)
    if "--tls-cert" in args:
        server.tls_cert = args[args.index("--tls-cert") + 1]
        ca = Path(server.tls_cert).with_name("ca.crt")
        server.tls_ca = str(ca) if ca.exists() else server.tls_cert
    ready = threading.Event()

    def read_output() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.output.append(line)
            match = READY.match(line.strip())
            if match:
                server.http_port, server.grpc_port = int(match.group(1)), int(match.group(2))
                ready.set()
        ready.set()  # the process ended: stop waiting

    server.reader = threading.Thread(target=read_output, daemon=True)
    server.reader.start()
    if not ready.wait(START_TIMEOUT) or not server.http_port:
        server.kill()
        raise RuntimeError(f"the server did not become ready\n{server.log()}")
    wait_healthy(server)
    return server


def wait_healthy(server: ServerProcess, timeout: float = 30.0) -> None:
    """Poll ``/healthz`` until it answers 200."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(
                f"{server.base_url}/healthz", timeout=5, context=server.ssl_context()
            ) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or server.process.poll() is not None:
            raise RuntimeError(f"the server is not healthy\n{server.log()}")
        time.sleep(0.1)


class RssSampler(threading.Thread):
    """Samples the resident memory of a process and its children until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        #: The peak of the anonymous part (``RssAnon``): RSS without the pages of files mapped in,
        #: such as SQLite's memory-mapped database.
        self.peak_anonymous = 0
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self.peak_anonymous = max(self.peak_anonymous, tree_rss(self.pid, "RssAnon"))
            self._stopped.wait(self.interval)

    def stop(self) -> int:
        """Stop sampling; the peak in bytes."""
        self._stopped.set()
        self.join()
        return self.peak


def process_tree(pid: int) -> list[int]:
    """``pid`` and its direct children (a decode process, if any; started by any of its threads,
    hence every task's ``children``)."""
    pids = [pid]
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            pids += [int(child) for child in children.read_text().split()]
        except OSError:
            continue
    return pids


def tree_rss(pid: int, field: str = "VmRSS") -> int:
    """RSS in bytes (or another ``/proc/<pid>/status`` field in kB) of ``pid`` and its direct children
    (``process_tree``)."""
    total = 0
    for one in process_tree(pid):
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total
