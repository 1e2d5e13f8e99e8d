"""The rotel environment files of ``collector-config/rotel/``, sourced by bash as the README says
(agent.env, then an overlay): every variable they set is one rotel 0.0.1a15 reads (the list in this
folder, from its ``--help``); rotel listens on loopback; it exports to otel-bridge's ports with the
auth header; the session-id overlay loads the processor shipped beside it. The end-to-end tests
(``tests/e2e/collectors``) run the same files with the real rotel binary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.collectors.rotel import rotel_environment
from tests.unit.collector_config.configs import HERE, ROTEL_DIR, host_port

#: The overlays, each sourced after agent.env.
OVERLAYS = ("", "http.env", "session-id.env", "relay.env")
TOKEN = "cGstbGYtdGVzdDpzay1sZi10ZXN0"
#: What the files read from the environment, as a deployment sets it.
VARIABLES = {"OTEL_BRIDGE_BASIC_AUTH": TOKEN}
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def known_variables() -> set[str]:
    """rotel-agent's environment variables (test data)."""
    lines = (HERE / "rotel-0.0.1a15-env.txt").read_text().splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def sourced(overlay: str) -> dict[str, str]:
    """The ``ROTEL_*`` variables after sourcing agent.env and ``overlay``."""
    return rotel_environment(["agent.env", *([overlay] if overlay else [])], VARIABLES)


def test_every_file_is_checked() -> None:
    """Every .env file of rotel/ is agent.env or one of the overlays."""
    assert {path.name for path in ROTEL_DIR.glob("*.env")} == {"agent.env", *filter(None, OVERLAYS)}


@pytest.mark.parametrize("path", sorted(ROTEL_DIR.glob("*.env")), ids=lambda p: p.name)
def test_every_variable_is_one_rotel_reads(path: Path) -> None:
    """A misspelt variable would be silently ignored by rotel: each one set is in rotel's list."""
    text = path.read_text()
    names = set(ASSIGNMENT.findall(text))
    assert names, "sets nothing"
    assert names <= known_variables(), names - known_variables()


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda name: name or "agent.env")
def test_rotel_listens_on_loopback_and_exports_to_otel_bridge(overlay: str) -> None:
    """OTLP in on 127.0.0.1:4317/4318 (the SDKs' defaults); OTLP out to otel-bridge's gRPC port, or
    its HTTP port with http.env, gzipped, with ``authorization=Basic <token>`` and retries."""
    environment = sourced(overlay)
    assert host_port(environment["ROTEL_OTLP_GRPC_ENDPOINT"]) == ("127.0.0.1", 4317)
    assert host_port(environment["ROTEL_OTLP_HTTP_ENDPOINT"]) == ("127.0.0.1", 4318)
    assert environment["ROTEL_EXPORTER"] == "otlp"
    protocol = environment["ROTEL_OTLP_EXPORTER_PROTOCOL"]
    assert protocol == ("http" if overlay == "http.env" else "grpc")
    endpoint = environment["ROTEL_OTLP_EXPORTER_ENDPOINT"]
    assert endpoint.startswith("http://")
    assert host_port(endpoint)[1] == (4318 if protocol == "http" else 4317)
    assert ("relay" in endpoint) == (overlay == "relay.env")
    assert environment["ROTEL_OTLP_EXPORTER_CUSTOM_HEADERS"] == f"authorization=Basic {TOKEN}"
    assert environment["ROTEL_OTLP_EXPORTER_COMPRESSION"] == "gzip"
    assert environment["ROTEL_OTLP_EXPORTER_RETRY_MAX_ELAPSED_TIME"] == "300s"


def test_session_id_overlay_loads_the_processor_beside_it() -> None:
    """With ``OTEL_BRIDGE_ROTEL_DIR`` at this folder, the processor path is session_id.py here, which
    defines ``process_spans``."""
    environment = rotel_environment(
        ["agent.env", "session-id.env"], {**VARIABLES, "OTEL_BRIDGE_ROTEL_DIR": str(ROTEL_DIR)}
    )
    processor = environment["ROTEL_OTLP_WITH_TRACE_PROCESSOR"]
    assert processor == str(ROTEL_DIR / "session_id.py")
    assert "def process_spans(resource_spans)" in (ROTEL_DIR / "session_id.py").read_text()
