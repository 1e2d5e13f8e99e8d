"""The commands find the server's database (issue 15): ``keys`` and ``db`` take the same ``--db`` /
``OTEL_BRIDGE_DB`` as ``serve`` and never make a new database unless asked (``--create``); the hints
``serve`` prints are run exactly as printed, from another folder, against the running server;
``keys list``, ``keys revoke``, ``--version``; ``--replace`` of a missing project is an error."""

from __future__ import annotations

import base64
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import otel_bridge
from tests.e2e.cli import require_script, run_cli, run_line
from tests.e2e.server import ServerProcess, start_server

#: No fixed keys: the server generates the default project's pair on first start.
GENERATED_KEYS = {
    "OTEL_BRIDGE_PUBLIC_KEY": "",
    "OTEL_BRIDGE_SECRET_KEY": "",
    "OTEL_BRIDGE_AUTH_CACHE_SECONDS": "0",
}


@pytest.fixture(autouse=True)
def _script() -> None:
    require_script()


def sessions_status(server: ServerProcess, public_key: str, secret_key: str) -> int:
    """The status of ``GET /api/public/sessions`` with this key pair."""
    token = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode()
    request = urllib.request.Request(
        f"{server.base_url}/api/public/sessions", headers={"Authorization": f"Basic {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def printed_pair(output: str) -> tuple[str, str]:
    """The public and secret key a ``keys create`` printed."""
    public = re.search(r"^public key: (\S+)", output, re.MULTILINE)
    secret = re.search(r"^secret key: (\S+)", output, re.MULTILINE)
    assert public and secret, output
    return public.group(1), secret.group(1)


class TestNoNewDatabaseUnlessAsked:
    @pytest.mark.parametrize(
        "args",
        [
            ("keys", "create", "--project", "team"),
            ("keys", "list"),
            ("keys", "revoke", "--project", "team"),
            ("db", "upgrade"),
            ("db", "current"),
            ("db", "downgrade"),
        ],
    )
    def test_an_empty_folder_is_refused_and_stays_empty(self, tmp_path: Path, args: tuple[str, ...]) -> None:
        ran = run_cli(tmp_path, *args)
        assert ran.status == 1, ran.stderr
        assert len(ran.err_lines) == 1 and f"no database at {tmp_path}/otel-bridge.db" in ran.stderr
        assert "--db/OTEL_BRIDGE_DB" in ran.stderr
        assert list(tmp_path.iterdir()) == []

    def test_create_makes_it(self, tmp_path: Path) -> None:
        created = run_cli(tmp_path, "keys", "create", "--project", "team", "--create")
        assert created.status == 0, created.stderr
        assert (tmp_path / "otel-bridge.db").is_file()
        listed = run_cli(tmp_path, "keys", "list")
        assert listed.status == 0 and "team" in listed.stdout
        upgraded = run_cli(tmp_path / "..", "db", "upgrade", "--create", "--db", f"sqlite:///{tmp_path}/b.db")
        assert upgraded.status == 0 and (tmp_path / "b.db").is_file()

    def test_an_empty_database_file_is_not_the_servers(self, tmp_path: Path) -> None:
        """A file without otel-bridge's tables (a typo'd path someone touched) is refused too."""
        (tmp_path / "empty.db").touch()
        ran = run_cli(tmp_path, "keys", "list", "--db", "sqlite:///empty.db")
        assert ran.status == 1 and "has no otel-bridge tables" in ran.stderr


class TestTheServersDatabase:
    def test_keys_and_db_read_the_variable_serve_reads(self, tmp_path: Path) -> None:
        server = start_server(tmp_path / "server")
        try:
            elsewhere = tmp_path / "elsewhere"
            elsewhere.mkdir()
            env = {"OTEL_BRIDGE_DB": server.db_url}
            listed = run_cli(elsewhere, "keys", "list", env=env)
            assert listed.status == 0, listed.stderr
            assert re.search(rf"^default\s+\S+\s+{server.public_key}\s", listed.stdout, re.MULTILINE), (
                listed.stdout
            )
            current = run_cli(elsewhere, "db", "current", env=env)
            assert current.status == 0 and "at revision" in current.stdout
            assert list(elsewhere.iterdir()) == []
        finally:
            server.stop()

    def test_the_restart_hint_works_as_printed(self, tmp_path: Path) -> None:
        """Second start: the secret is not known any more, and serve prints how to get a new pair. That
        line, run in another folder, gives a pair the running server accepts."""
        first = start_server(tmp_path / "server", GENERATED_KEYS)
        assert "keys generated now" in "".join(first.output)
        first.stop()
        server = start_server(tmp_path / "server", GENERATED_KEYS)
        try:
            banner = "".join(server.output)
            hint = re.search(r"get a new pair with: (otel-bridge keys create .*)$", banner, re.MULTILINE)
            assert hint is not None, banner
            elsewhere = tmp_path / "elsewhere"
            elsewhere.mkdir()
            ran = run_line(elsewhere, hint.group(1))
            assert ran.status == 0, ran.stderr
            public_key, secret_key = printed_pair(ran.stdout)
            assert sessions_status(server, public_key, secret_key) == 200
            assert list(elsewhere.iterdir()) == []
        finally:
            server.stop()

    def test_revoke_then_the_printed_command_gives_a_new_pair(self, tmp_path: Path) -> None:
        server = start_server(tmp_path / "server", {"OTEL_BRIDGE_AUTH_CACHE_SECONDS": "0"})
        try:
            assert sessions_status(server, server.public_key, server.secret_key) == 200
            revoked = run_cli(tmp_path, "keys", "revoke", "--project", "default", "--db", server.db_url)
            assert revoked.status == 0, revoked.stderr
            assert sessions_status(server, server.public_key, server.secret_key) == 401
            listed = run_cli(tmp_path, "keys", "list", "--db", server.db_url)
            assert re.search(r"^default\s+\S+\s+\(revoked\)", listed.stdout, re.MULTILINE), listed.stdout
            command = revoked.stdout.strip().splitlines()[-1].strip()
            assert command.startswith("otel-bridge keys create --replace --project default --db ")
            replaced = run_line(tmp_path / "server", command)
            assert replaced.status == 0, replaced.stderr
            assert sessions_status(server, *printed_pair(replaced.stdout)) == 200
        finally:
            server.stop()


class TestKeysCommands:
    def test_replace_of_a_missing_project_is_an_error(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path}/a.db"
        assert run_cli(tmp_path, "keys", "create", "--create", "--project", "team", "--db", url).status == 0
        ran = run_cli(tmp_path, "keys", "create", "--replace", "--project", "tema", "--db", url)
        assert ran.status == 2 and "there is no project 'tema'" in ran.stderr
        listed = run_cli(tmp_path, "keys", "list", "--db", url)
        assert "tema" not in listed.stdout and "team" in listed.stdout

    def test_revoke_of_a_missing_project_is_an_error(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path}/a.db"
        assert run_cli(tmp_path, "db", "upgrade", "--create", "--db", url).status == 0
        ran = run_cli(tmp_path, "keys", "revoke", "--project", "team", "--db", url)
        assert ran.status == 2 and "there is no project 'team'" in ran.stderr

    def test_version(self, tmp_path: Path) -> None:
        ran = run_cli(tmp_path, "--version")
        assert (ran.status, ran.stdout.strip()) == (0, f"otel-bridge {otel_bridge.__version__}")
