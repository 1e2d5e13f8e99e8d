"""Forwarding settings: flags, ``OTEL_BRIDGE_FORWARD_*``, the ``LANGFUSE_*`` fallbacks, the errors
that name the variable, and the command line ``collector-config/relay.yaml`` documents."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from otel_bridge.cli import build_parser
from otel_bridge.config import Settings
from otel_bridge.errors import ConfigError

RELAY_YAML = Path(__file__).parents[3] / "collector-config" / "relay.yaml"


def test_forwarding_is_off_by_default() -> None:
    assert Settings.load({}).forward_url is None


def test_environment_variables_and_langfuse_fallbacks() -> None:
    env = {
        "OTEL_BRIDGE_FORWARD_URL": "https://cloud.langfuse.com",
        "OTEL_BRIDGE_FORWARD_QUIET_SECONDS": "1.5",
        "OTEL_BRIDGE_FORWARD_BATCH_BYTES": "1MiB",
        "LANGFUSE_PUBLIC_KEY": "pk-lf-a",
        "LANGFUSE_SECRET_KEY": "sk-lf-b",
    }
    settings = Settings.load(env)
    assert (settings.forward_public_key, settings.forward_secret_key) == ("pk-lf-a", "sk-lf-b")
    assert settings.forward_quiet_seconds == 1.5 and settings.forward_batch_bytes == 1024 * 1024
    explicit = Settings.load({**env, "OTEL_BRIDGE_FORWARD_PUBLIC_KEY": "pk-lf-own"})
    assert explicit.forward_public_key == "pk-lf-own"


def test_relay_takes_langfuse_host_as_its_target() -> None:
    env = {"LANGFUSE_HOST": "https://lf.example", "LANGFUSE_PUBLIC_KEY": "pk", "LANGFUSE_SECRET_KEY": "sk"}
    assert Settings.load(env, relay=True).forward_url == "https://lf.example"
    assert Settings.load(env).forward_url is None  # serve forwards only when asked


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OTEL_BRIDGE_FORWARD_URL": "https://x"}, "OTEL_BRIDGE_FORWARD_PUBLIC_KEY"),
        (
            {"OTEL_BRIDGE_FORWARD_URL": "ftp://x", "LANGFUSE_PUBLIC_KEY": "p", "LANGFUSE_SECRET_KEY": "s"},
            "http",
        ),
        (
            {
                "OTEL_BRIDGE_FORWARD_URL": "https://x",
                "OTEL_BRIDGE_FORWARD_PROTOCOL": "grpc",
                "LANGFUSE_PUBLIC_KEY": "p",
                "LANGFUSE_SECRET_KEY": "s",
            },
            "OTEL_BRIDGE_FORWARD_PROTOCOL",
        ),
        (
            {
                "OTEL_BRIDGE_FORWARD_URL": "https://x",
                "OTEL_BRIDGE_FORWARD_MAX_BACKLOG": "0",
                "LANGFUSE_PUBLIC_KEY": "p",
                "LANGFUSE_SECRET_KEY": "s",
            },
            "OTEL_BRIDGE_FORWARD_MAX_BACKLOG",
        ),
    ],
)
def test_bad_forwarding_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.load(env)


def test_relay_without_a_target_says_how_to_give_one() -> None:
    with pytest.raises(ConfigError, match="relay needs a target"):
        Settings.load({}, relay=True)


def test_the_relay_command_of_relay_yaml_parses() -> None:
    text = RELAY_YAML.read_text()
    match = re.search(r"#\s+(otel-bridge relay .*?)(?:\n#\s*\n)", text, re.S)
    assert match is not None
    command = " ".join(line.lstrip("# ").rstrip("\\ ") for line in match.group(1).splitlines())
    command = command.split("#")[0]
    args = build_parser().parse_args(shlex.split(command.replace("…", "x"))[1:])
    assert args.command == "relay" and args.forward_url == "https://cloud.langfuse.com"
    assert args.forward_public_key and args.forward_secret_key
