"""Optional libraries the integration tests drive (LangChain, LlamaIndex, OpenInference): installed by
the ``dev`` extra (``make install``). Missing, a test skips locally, naming the command, and fails
under ``CI=true``, where the dev extra is always installed."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.databases import in_ci
from tests.support.paths import REPOSITORY

__all__ = ["fake_chat_server_module", "require"]


def require(*modules: str) -> None:
    """Skip (fail under CI) unless every module imports."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        problem = f"needs {', '.join(missing)}: run `make install` (the dev extra pins them)"
        if in_ci():
            pytest.fail(f"CI=true: {problem}", pytrace=False)
        pytest.skip(problem)


def fake_chat_server_module() -> ModuleType:
    """``examples/fake_chat_server.py``, the fake OpenAI-compatible server the examples ship, loaded as a
    module (the examples directory is not a package)."""
    name = "otel_bridge_examples_fake_chat_server"
    if name in sys.modules:
        return sys.modules[name]
    path = Path(REPOSITORY, "examples", "fake_chat_server.py")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
