"""``otel_bridge.demo.command``: the progress bar, and that the command line registers ``demo``
without importing the demo package."""

from __future__ import annotations

import subprocess
import sys

from otel_bridge.demo.command import progress_bar


class TestProgressBar:
    """The hand-written progress bar."""

    def test_renders_fraction(self) -> None:
        """``\\r[####...   ] i/n sessions``, proportional, full at the end."""
        assert progress_bar(0, 4, width=8) == "\r[        ] 0/4 sessions"
        assert progress_bar(1, 4, width=8) == "\r[##      ] 1/4 sessions"
        assert progress_bar(4, 4, width=8) == "\r[########] 4/4 sessions"


class TestCommandLine:
    """``otel-bridge demo`` is registered without importing ``otel_bridge.demo``."""

    def test_help_does_not_import_the_demo(self) -> None:
        """Building the parser and ``demo --help`` leave the demo module (and the SDK exporters) unloaded."""
        code = (
            "import sys, contextlib, io\n"
            "from otel_bridge import cli\n"
            "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "    cli.main(['demo', '--help'])\n"
            "assert '--sessions' in out.getvalue() and '--protocol' in out.getvalue()\n"
            "print('otel_bridge.demo' in sys.modules)\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "False"

    def test_zero_sessions_is_a_usage_error(self) -> None:
        """``--sessions 0`` exits 2 before contacting anything."""
        from otel_bridge import cli

        assert cli.main(["demo", "--sessions", "0"]) == 2
