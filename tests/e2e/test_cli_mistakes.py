"""A user's mistakes are one line, never a traceback (issue 15): each case of the issue, and the other
bad URLs, unreachable databases, missing folders, occupied ports and bad keys, run as the installed
``otel-bridge`` command in a subprocess; exit status 2 for a command to correct, 1 for the state of
the world; ``--debug`` adds the traceback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cli import Ran, require_script, run_cli


@pytest.fixture(autouse=True)
def _script() -> None:
    require_script()


@pytest.fixture
def occupied_port() -> Iterator[int]:
    """A port on 127.0.0.1 something else listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def one_line(ran: Ran, status: int, *fragments: str) -> str:
    """The single stderr line of a refused command, checked: its status, no traceback, the fragments."""
    assert "Traceback" not in ran.stderr, ran.stderr
    assert len(ran.err_lines) == 1, ran.stderr
    (line,) = ran.err_lines
    assert line.startswith("otel-bridge: "), line
    for fragment in fragments:
        assert fragment in line, line
    assert ran.status == status, (ran.status, line)
    return line


class TestTheCasesOfTheIssue:
    def test_a_url_in_the_retired_host_variable(self, tmp_path: Path) -> None:
        """``OTEL_BRIDGE_HOST=http://127.0.0.1:14318 otel-bridge serve`` was a 35-line socket.gaierror."""
        ran = run_cli(tmp_path, "serve", env={"OTEL_BRIDGE_HOST": "http://127.0.0.1:14318"})
        one_line(ran, 2, "OTEL_BRIDGE_HOST", "OTEL_BRIDGE_LISTEN_HOST", "OTEL_BRIDGE_URL")
        assert not (tmp_path / "otel-bridge.db").exists()

    def test_an_unreachable_postgresql(self, tmp_path: Path) -> None:
        """``serve --db postgresql+psycopg://u:p@127.0.0.1:1/db`` was 141 lines; the password is hidden."""
        ran = run_cli(tmp_path, "serve", "--db", "postgresql+psycopg://u:p@127.0.0.1:1/db")
        line = one_line(ran, 1, "cannot open the database", "127.0.0.1:1", "Connection refused")
        assert ":p@" not in line

    def test_a_database_that_is_not_a_url(self, tmp_path: Path) -> None:
        """``db upgrade --db notaurl`` was an ArgumentError; the line names the flag and the variable."""
        one_line(run_cli(tmp_path, "db", "upgrade", "--db", "notaurl"), 2, "--db/OTEL_BRIDGE_DB='notaurl'")

    def test_a_missing_folder(self, tmp_path: Path) -> None:
        """``db current --db sqlite:////missing-dir/a.db``: "unable to open database file"."""
        url = f"sqlite:///{tmp_path}/missing-dir/a.db"
        one_line(
            run_cli(tmp_path, "db", "current", "--db", url), 1, f"no database at {tmp_path}/missing-dir/a.db"
        )
        one_line(
            run_cli(tmp_path, "db", "upgrade", "--create", "--db", url),
            1,
            f"the folder {tmp_path}/missing-dir does not exist",
        )
        one_line(
            run_cli(tmp_path, "serve", "--db", url), 1, f"the folder {tmp_path}/missing-dir does not exist"
        )
        assert not (tmp_path / "missing-dir").exists()


class TestBadUrls:
    @pytest.mark.parametrize(
        ("url", "fragment"),
        [
            ("foo://x", "'foo' databases are not supported"),
            ("postgres://u@h/d", "'postgres' databases are not supported"),
            ("sqlite://:x:y", "is not a database URL"),
        ],
    )
    def test_unsupported_or_malformed_database_urls(self, tmp_path: Path, url: str, fragment: str) -> None:
        one_line(
            run_cli(tmp_path, "db", "upgrade", "--create", "--db", url), 2, "--db/OTEL_BRIDGE_DB", fragment
        )

    def test_a_listen_host_that_is_a_url(self, tmp_path: Path) -> None:
        ran = run_cli(tmp_path, "serve", "--listen-host", "http://127.0.0.1:14318")
        one_line(ran, 2, "--listen-host/OTEL_BRIDGE_LISTEN_HOST", "is a URL")

    def test_a_listen_host_that_does_not_resolve(self, tmp_path: Path) -> None:
        ran = run_cli(
            tmp_path, "serve", "--listen-host", "no-such-host.invalid", "--db", f"sqlite:///{tmp_path}/a.db"
        )
        one_line(ran, 2, "cannot listen on 'no-such-host.invalid'", "--listen-host/OTEL_BRIDGE_LISTEN_HOST")

    def test_a_port_that_is_not_a_number(self, tmp_path: Path) -> None:
        ran = run_cli(tmp_path, "serve", env={"OTEL_BRIDGE_HTTP_PORT": "http"})
        one_line(ran, 2, "--http-port/OTEL_BRIDGE_HTTP_PORT='http': not an integer")

    def test_an_unknown_revision(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path}/a.db"
        assert run_cli(tmp_path, "db", "upgrade", "--create", "--db", url).status == 0
        one_line(run_cli(tmp_path, "db", "downgrade", "--revision", "nonsense", "--db", url), 2, "'nonsense'")


class TestOccupiedPorts:
    def test_http(self, tmp_path: Path, occupied_port: int) -> None:
        ran = run_cli(tmp_path, "serve", "--http-port", str(occupied_port), "--grpc-port", "0")
        one_line(ran, 1, f"127.0.0.1:{occupied_port} for HTTP", "in use", "--http-port/OTEL_BRIDGE_HTTP_PORT")

    def test_grpc(self, tmp_path: Path, occupied_port: int) -> None:
        ran = run_cli(tmp_path, "serve", "--http-port", "0", "--grpc-port", str(occupied_port))
        one_line(ran, 1, f"127.0.0.1:{occupied_port} for gRPC", "in use", "--grpc-port/OTEL_BRIDGE_GRPC_PORT")


class TestBadKeys:
    @pytest.mark.parametrize(
        ("args", "fragment"),
        [
            (
                ("--public-key", "nope", "--secret-key", "sk-lf-1"),
                "--public-key/OTEL_BRIDGE_PUBLIC_KEY must start",
            ),
            (("--public-key", "pk-lf-1"), "--secret-key/OTEL_BRIDGE_SECRET_KEY is not"),
        ],
    )
    def test_malformed_default_project_keys(
        self, tmp_path: Path, args: tuple[str, ...], fragment: str
    ) -> None:
        one_line(run_cli(tmp_path, "serve", *args), 2, fragment)

    def test_keys_of_another_project(self, tmp_path: Path) -> None:
        """The default project's keys set to a pair another project holds."""
        url = f"sqlite:///{tmp_path}/a.db"
        created = run_cli(tmp_path, "keys", "create", "--create", "--project", "team", "--db", url)
        assert created.status == 0, created.stderr
        public = next(
            line.split()[-1] for line in created.stdout.splitlines() if line.startswith("public key:")
        )
        ran = run_cli(tmp_path, "serve", "--db", url, "--public-key", public, "--secret-key", "sk-lf-other")
        one_line(ran, 2, "belongs to another project", "choose other keys")

    def test_demo_with_keys_a_server_refuses_or_no_server(self, tmp_path: Path, occupied_port: int) -> None:
        """Nothing answers OTLP on the occupied port's neighbour: one line, exit status 1."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]
        ran = run_cli(
            tmp_path,
            "demo",
            "--endpoint",
            f"http://127.0.0.1:{free}",
            "--public-key",
            "pk-lf-1",
            "--secret-key",
            "sk-lf-1",
        )
        assert ran.status == 1 and "Traceback" not in ran.stderr
        assert any(line.startswith("otel-bridge demo: cannot reach otel-bridge") for line in ran.err_lines), (
            ran.stderr
        )


class TestDebug:
    def test_debug_adds_the_traceback_before_the_line(self, tmp_path: Path) -> None:
        url = "postgresql+psycopg://u:p@127.0.0.1:1/db"
        for args in (("--debug", "serve", "--db", url), ("serve", "--debug", "--db", url)):
            ran = run_cli(tmp_path, *args)
            assert ran.status == 1
            assert "Traceback (most recent call last)" in ran.stderr
            assert "OperationalError" in ran.stderr  # the database's own error, as the cause
            assert ran.err_lines[-1].startswith("otel-bridge: cannot open the database")
