"""``database_errors``: a database a command cannot use is one line saying what to fix, with exit
status 2 for a URL to correct and 1 for a database that is not there or not reachable."""

from __future__ import annotations

from pathlib import Path

import pytest

from otel_bridge.admin import open_store
from otel_bridge.database_errors import database_errors, redacted_url
from otel_bridge.errors import CommandError, ConfigError
from otel_bridge.store.sql import migrations


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("foo://x", "'foo' databases are not supported"),
        ("sqlite://:x:y", "is not a database URL"),
        ("postgresql+psycopg2://u@h/d", "needs the Python module 'psycopg2', which is not installed"),
    ],
)
def test_a_url_to_correct_is_a_config_error_naming_flag_and_variable(url: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as raised:
        open_store(url)
    assert raised.value.message.startswith("--db/OTEL_BRIDGE_DB=")
    assert fragment in raised.value.message


def test_a_missing_folder_is_a_runtime_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as raised:
        open_store(f"sqlite:///{tmp_path}/nowhere/a.db")
    assert raised.value.exit_status == 1
    assert f"the folder {tmp_path}/nowhere does not exist" in raised.value.message
    assert isinstance(raised.value.__cause__, Exception)  # the driver's error, for --debug


def test_an_unknown_revision_is_a_usage_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.db"
    migrations.upgrade(url)
    with pytest.raises(CommandError) as raised, database_errors(url):
        migrations.downgrade(url, "nonsense")
    assert raised.value.exit_status == 2 and "'nonsense'" in raised.value.message


def test_passwords_are_hidden() -> None:
    assert redacted_url("postgresql+psycopg://u:secret@h/d") == "postgresql+psycopg://u:***@h/d"
    assert redacted_url("sqlite://:x:y") == "sqlite://:x:y"  # unparsable: as given
