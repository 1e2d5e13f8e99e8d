"""Help written for users (issue 15), read from the installed command: ``otel-bridge --help`` and every
subcommand's, in words and without developer notes; ``serve --help`` lists every setting of
``config.Settings`` with its flag, environment variable and default."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from otel_bridge.config import Settings, describe_settings, env_name, flag_name
from tests.e2e.cli import require_script, run_cli

COMMANDS = [
    (),
    ("serve",),
    ("demo",),
    ("keys",),
    ("keys", "create"),
    ("keys", "list"),
    ("keys", "revoke"),
    ("db",),
    ("db", "upgrade"),
    ("db", "downgrade"),
    ("db", "current"),
]
#: What a developer's docstring leaks into a help text.
DEVELOPER_WORDS = ("``", "CommandError", "ConfigError", "handler", "docstring", "otel_bridge.")


@pytest.fixture(autouse=True)
def _script() -> None:
    require_script()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "otel-bridge")
def test_every_help_is_for_users(tmp_path: Path, command: tuple[str, ...]) -> None:
    ran = run_cli(tmp_path, *command, "--help")
    assert ran.status == 0 and ran.stderr == ""
    text = ran.stdout
    assert text.startswith("usage: otel-bridge")
    for word in DEVELOPER_WORDS:
        assert word not in text, (word, text)
    description = text.split("\n\n")[1]
    assert len(description.split()) >= 5, text  # a sentence, not a bare name


def test_the_top_level_help_says_where_to_start(tmp_path: Path) -> None:
    text = run_cli(tmp_path, "--help").stdout
    for line in ("otel-bridge serve", "otel-bridge demo", "otel-bridge keys list", "--version", "--debug"):
        assert line in text
    assert "sessions" in text.split("\n\n")[1]


def test_serve_help_lists_every_setting_with_variable_and_default(tmp_path: Path) -> None:
    text = " ".join(run_cli(tmp_path, "serve", "--help").stdout.split())  # undo argparse's wrapping
    described = {setting.name: setting for setting in describe_settings()}
    # Every setting but the one the command itself sets (``relay``: which command runs).
    assert set(described) == {field.name for field in dataclasses.fields(Settings)} - {"relay"}
    for name, setting in described.items():
        assert f"{flag_name(name)} " in text, name
        assert f"[${env_name(name)}; default: {setting.default}]" in text, name
    assert "[$OTEL_BRIDGE_HTTP_PORT; default: 4318]" in text
    assert "[$OTEL_BRIDGE_MAX_REQUEST_BYTES; default: 8MiB]" in text
