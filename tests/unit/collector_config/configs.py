"""The files of ``collector-config/`` as the tests read them: the collector deployments (YAML files
merged in order, as ``otelcol-contrib --config a.yaml --config b.yaml`` merges them), the collector-
contrib component list they are checked against, and the collector's ``${env:…}`` expansion."""

from __future__ import annotations

import ast
import re
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.support.paths import REPOSITORY

__all__ = [
    "CONFIG_DIR",
    "DEPLOYMENTS",
    "ENV_REFERENCE",
    "HERE",
    "KINDS",
    "ROTEL_DIR",
    "contrib_components",
    "deployment",
    "expand_defaults",
    "host_port",
    "load",
    "module_constants",
]

CONFIG_DIR = REPOSITORY / "collector-config"
ROTEL_DIR = CONFIG_DIR / "rotel"
HERE = Path(__file__).resolve().parent
#: The component kinds of a collector configuration (its top-level sections besides ``service``).
KINDS = ("receivers", "processors", "exporters", "extensions", "connectors")
#: What each collector deployment is started with, in merge order.
DEPLOYMENTS: Mapping[str, tuple[str, ...]] = {
    "agent": ("agent.yaml",),
    "session-id": ("agent.yaml", "session-id.yaml"),
    "gateway-static": ("gateway-static.yaml",),
    "gateway-dns": ("gateway-dns.yaml",),
    "relay": ("relay.yaml",),
}
#: ``${env:NAME}`` or ``${env:NAME:-default}``, the collector's environment expansion.
ENV_REFERENCE = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def load(path: Path) -> dict[str, Any]:
    """The parsed YAML mapping of ``path``."""
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict), f"{path.name} is not a YAML mapping"
    return document


def _merge(base: dict[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """The collector's merge of two configurations: mappings merge key by key, anything else (lists
    included) is replaced by the overlay's value."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def deployment(name: str) -> dict[str, Any]:
    """The configuration a collector started with the files of deployment ``name`` runs."""
    merged: dict[str, Any] = {}
    for file_name in DEPLOYMENTS[name]:
        merged = _merge(merged, load(CONFIG_DIR / file_name))
    return merged


def contrib_components() -> tuple[str, dict[str, set[str]]]:
    """The contrib version and its component types by kind, from the test data."""
    data = load(HERE / "otelcol-contrib-0.80.0-components.yaml")
    return str(data["buildinfo"]["version"]), {kind: set(data.get(kind) or ()) for kind in KINDS}


def expand_defaults(value: str) -> str:
    """``value`` with each ``${env:NAME:-default}`` replaced by its default (``""`` without one)."""
    return ENV_REFERENCE.sub(lambda match: match.group(2) or "", value)


def host_port(endpoint: str) -> tuple[str, int]:
    """The host and port of ``host:port`` or of a URL."""
    parts = urllib.parse.urlsplit(endpoint if "://" in endpoint else f"//{endpoint}")
    assert parts.hostname and parts.port, f"no host and port in {endpoint!r}"
    return parts.hostname, parts.port


def module_constants(path: Path) -> dict[str, Any]:
    """The module-level constants (literal assignments) of a Python file, read without importing it."""
    constants: dict[str, Any] = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return constants
