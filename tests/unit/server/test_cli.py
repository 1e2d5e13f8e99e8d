"""The command line: the database of the ``db`` and ``keys`` commands comes from ``config``, and
``CommandError``/``ConfigError`` become one line on stderr and an exit status."""

from __future__ import annotations

from pathlib import Path

import pytest

from otel_bridge import cli


class TestDatabaseOption:
    def test_environment_names_the_database(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without ``--db``, ``OTEL_BRIDGE_DB`` is the database; ``--db`` beats it."""
        from_env, from_flag = tmp_path / "env.db", tmp_path / "flag.db"
        monkeypatch.setenv("OTEL_BRIDGE_DB", f"sqlite:///{from_env}")
        assert cli.main(["db", "upgrade", "--create"]) == 0
        assert cli.main(["db", "upgrade", "--create", "--db", f"sqlite:///{from_flag}"]) == 0
        assert from_env.exists() and from_flag.exists()
        assert str(from_env) in capsys.readouterr().out

    def test_bad_url_is_a_usage_error(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A database that is not a URL: exit status 2 and a line naming the variable."""
        monkeypatch.setenv("OTEL_BRIDGE_DB", "otel.db")
        assert cli.main(["db", "current"]) == 2
        assert capsys.readouterr().err.startswith(
            "otel-bridge: --db/OTEL_BRIDGE_DB='otel.db' is not a SQLAlchemy URL"
        )


class TestKeysCreate:
    def test_existing_project_needs_replace(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A second ``keys create`` of one project is refused with status 2 and says how to replace it."""
        db = f"sqlite:///{tmp_path / 'keys.db'}"
        assert cli.main(["keys", "create", "--project", "team", "--db", db, "--create"]) == 0
        assert "public key: pk-lf-" in capsys.readouterr().out
        assert cli.main(["keys", "create", "--project", "team", "--db", db]) == 2
        assert "pass --replace" in capsys.readouterr().err


class TestUnexpectedErrors:
    @pytest.fixture
    def failing_demo(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``demo`` replaced by a handler with a bug."""

        def broken(_args: object) -> int:
            raise RuntimeError("a bug")

        monkeypatch.setattr(cli, "_demo", broken)

    @pytest.mark.usefixtures("failing_demo")
    def test_a_bug_is_one_line_asking_for_debug(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["demo"]) == 1
        err = capsys.readouterr().err
        assert err == (
            "otel-bridge: unexpected error: RuntimeError: a bug (run again with --debug for the traceback, "
            "and please report it)\n"
        )

    @pytest.mark.usefixtures("failing_demo")
    def test_with_debug_the_bug_propagates(self) -> None:
        with pytest.raises(RuntimeError, match="a bug"):
            cli.main(["demo", "--debug"])

    def test_ctrl_c_is_quiet(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        def interrupted(_args: object) -> int:
            raise KeyboardInterrupt

        monkeypatch.setattr(cli, "_demo", interrupted)
        assert cli.main(["demo"]) == 130
        assert capsys.readouterr().err == ""


def test_mask_secrets_flag() -> None:
    """``serve`` masks by default (the setting's default, flag not given); ``--no-mask-secrets`` turns
    it off and ``--mask-secrets`` on, over ``OTEL_BRIDGE_MASK_SECRETS``."""
    from otel_bridge.cli import build_parser
    from otel_bridge.config import Settings

    parser = build_parser()
    assert parser.parse_args(["serve"]).mask_secrets is None
    assert parser.parse_args(["serve", "--no-mask-secrets"]).mask_secrets is False
    off = parser.parse_args(["serve", "--no-mask-secrets"]).mask_secrets
    assert Settings.load({"OTEL_BRIDGE_MASK_SECRETS": "true"}, mask_secrets=off).mask_secrets is False
    on = parser.parse_args(["serve", "--mask-secrets"]).mask_secrets
    assert Settings.load({"OTEL_BRIDGE_MASK_SECRETS": "false"}, mask_secrets=on).mask_secrets is True
