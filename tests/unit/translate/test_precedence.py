"""The precedence lists: built from the convention modules' key constants, and documented in the
README in the order the translator reads them."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

from otel_bridge.translate import conventions, precedence
from tests.support.paths import REPOSITORY

PRECEDENCE_SOURCE = Path(precedence.__file__)
CONVENTIONS_DIRECTORY = Path(conventions.__file__).parent
CONVENTION_SOURCES = sorted(CONVENTIONS_DIRECTORY.glob("*.py"))


def string_literals(source: Path) -> set[str]:
    """The string constants of a module's code: docstrings (of the module, classes and functions)
    are prose, not keys, so they are left out."""
    tree = ast.parse(source.read_text())
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    }


def convention_modules() -> list[ModuleType]:
    """Every module under ``translate/conventions/``."""
    return [
        importlib.import_module(f"{conventions.__name__}.{info.name}")
        for info in pkgutil.iter_modules(conventions.__path__)
    ]


def precedence_lists() -> dict[str, tuple[str, ...]]:
    """Each ordered key list of ``precedence`` by name (the single keys as one-key lists)."""
    found: dict[str, tuple[str, ...]] = {}
    for name in precedence.__all__:
        value = getattr(precedence, name)
        found[name] = (value,) if isinstance(value, str) else value
    return found


def readme_session_keys() -> list[str]:
    """The session keys README.md lists, in its order, from the section "How spans become sessions"."""
    readme = (REPOSITORY / "README.md").read_text()
    section = readme.split("## How spans become sessions", 1)[1].split("\n## ", 1)[0]
    # The list ends at the first key followed by the sentence's full stop.
    listed = re.search(r"read\s+from,\s+in\s+order:(.*?`)\.", section, re.DOTALL)
    assert listed is not None, "README.md no longer says where the session id is read from"
    return re.findall(r"`([^`]+)`", listed.group(1))


class TestKeyOwnership:
    def test_no_key_is_written_both_in_precedence_and_a_convention(self) -> None:
        """A string literal that ``precedence.py`` shares with a convention module is a key stated
        twice: precedence must use the convention's constant."""
        in_precedence = string_literals(PRECEDENCE_SOURCE)
        shared = {
            source.name: sorted(in_precedence & string_literals(source)) for source in CONVENTION_SOURCES
        }
        assert {name: keys for name, keys in shared.items() if keys} == {}

    def test_literal_check_reads_code_not_docstrings(self) -> None:
        """The check above sees a key where it is code, and skips the module's docstring."""
        literals = string_literals(CONVENTIONS_DIRECTORY / "otel.py")
        assert "session.id" in literals
        assert not any(literal.startswith("OpenTelemetry general") for literal in literals)

    def test_every_key_is_a_convention_constant(self) -> None:
        """Every key precedence reads is an ``UPPER_SNAKE`` constant of some convention module, so
        each has one owner that documents it."""
        owned = {
            value
            for module in convention_modules()
            for name, value in vars(module).items()
            if name.isupper() and isinstance(value, str)
        }
        unowned = {
            name: [key for key in keys if key not in owned] for name, keys in precedence_lists().items()
        }
        assert {name: keys for name, keys in unowned.items() if keys} == {}

    def test_no_list_repeats_a_key(self) -> None:
        """A key listed twice in one list would make its second place meaningless."""
        assert [name for name, keys in precedence_lists().items() if len(set(keys)) != len(keys)] == []


class TestDocumentation:
    def test_readme_lists_the_session_keys_in_precedence_order(self) -> None:
        """README.md's session-key list is ``precedence.SESSION_ID_KEYS``, key for key, in order."""
        assert readme_session_keys() == list(precedence.SESSION_ID_KEYS)
