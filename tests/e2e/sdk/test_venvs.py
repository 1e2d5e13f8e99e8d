"""The client-virtualenv cache of ``venvs.py``: built once and reused, rebuilt when the pins change, safe
when builders race or were interrupted, and a failed build fails in CI (with pip's output) or skips
locally when no package index is reachable. Uses tiny virtualenvs (``pip install --no-index pip``, no
network) in a temporary cache directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.sdk import venvs
from tests.e2e.sdk.venvs import STAMP, VenvSpec, VenvUnavailable, ensure_venv, ensure_venv_or_fail
from tests.support.paths import REPOSITORY

REPO = REPOSITORY
TINY = VenvSpec("tiny", ("--no-index", "pip"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache directory for the virtualenvs of one test."""
    monkeypatch.setenv("OTEL_BRIDGE_SDK_VENVS", str(tmp_path))
    return tmp_path


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir() if p.name.startswith((".tmp-", ".old-")))


class TestVenvCache:
    def test_racing_builders_build_once_and_later_calls_reuse_it(self, cache: Path) -> None:
        """Two processes ask for one virtualenv at once: one builds, both get it, later calls reuse it."""
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); "
            "from tests.e2e.sdk.venvs import VenvSpec, ensure_venv; "
            "print(ensure_venv(VenvSpec('tiny', ('--no-index', 'pip'))))"
        )
        env = {**os.environ, "OTEL_BRIDGE_SDK_VENVS": str(cache)}
        racers = [
            subprocess.Popen(
                [sys.executable, "-c", code, str(REPO)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in range(2)
        ]
        outputs = [racer.communicate(timeout=300) for racer in racers]
        assert [racer.returncode for racer in racers] == [0, 0], outputs
        assert {out.strip() for out, _ in outputs} == {str(cache / "tiny")}
        assert sum("[sdk-venvs] built" in err for _, err in outputs) == 1, outputs
        assert leftovers(cache) == []
        stamp = cache / "tiny" / STAMP
        before = stamp.stat().st_mtime_ns
        assert ensure_venv(TINY) == cache / "tiny"
        assert stamp.stat().st_mtime_ns == before
        assert json.loads(stamp.read_text())["requirements"] == list(TINY.requirements)

    def test_changed_pins_rebuild_and_interrupted_builds_are_cleaned(self, cache: Path) -> None:
        """A virtualenv stamped with other pins is replaced; a killed run's half-built one is removed."""
        stale = cache / "tiny"
        stale.mkdir()
        (stale / STAMP).write_text(json.dumps({"requirements": ["langfuse==0.0.1"]}))
        interrupted = cache / ".tmp-tiny-killed"
        (interrupted / "bin").mkdir(parents=True)
        venv = ensure_venv(TINY)
        assert venv == stale
        assert json.loads((venv / STAMP).read_text()) == TINY.stamp()
        assert (
            subprocess.run(
                [str(venvs.venv_python(venv)), "-c", "import pip"], check=False, timeout=60
            ).returncode
            == 0
        )
        assert leftovers(cache) == []

    def test_failed_build_fails_in_ci_with_pips_output(
        self, cache: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With CI=true an uninstallable pin fails the test, quoting pip, and leaves nothing half-built."""
        monkeypatch.setenv("CI", "true")
        broken = VenvSpec("broken", ("--no-index", "otel-bridge-no-such-package==0"))
        with pytest.raises(pytest.fail.Exception) as failed:
            ensure_venv_or_fail(broken)
        assert "otel-bridge-no-such-package" in str(failed.value)
        assert "No matching distribution" in str(failed.value)
        assert not (cache / "broken").exists()
        assert leftovers(cache) == []

    def test_unreachable_index_skips_locally(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without CI, pip's network failure skips with a clear message; other pip failures still fail."""
        monkeypatch.delenv("CI", raising=False)
        offline = "ERROR: Could not find a version ... (from versions: none)\nNewConnectionError(...)"

        def unreachable(spec: VenvSpec, *, rebuild: bool = False) -> Path:
            raise VenvUnavailable("pip install: exit 1", offline)

        monkeypatch.setattr(venvs, "ensure_venv", unreachable)
        with pytest.raises(pytest.skip.Exception, match="no package index reachable"):
            ensure_venv_or_fail(TINY)

        def broken(spec: VenvSpec, *, rebuild: bool = False) -> Path:
            raise VenvUnavailable("pip install: exit 1", "ERROR: ResolutionImpossible")

        monkeypatch.setattr(venvs, "ensure_venv", broken)
        with pytest.raises(pytest.fail.Exception, match="ResolutionImpossible"):
            ensure_venv_or_fail(TINY)
