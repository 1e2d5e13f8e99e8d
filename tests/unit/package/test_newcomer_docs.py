"""What a newcomer follows (issue 15): the README's install lines work for a package that is not on
PyPI, its OpenTelemetry quickstart is a complete program with its ``pip install`` line and a gRPC
variant, ``make run`` passes flags, the build declares its license as setuptools wants it (no
deprecation banner), and the README, otel-bridge's defaults and the collector configurations agree
on ports and bind addresses. (``tests/e2e/test_quickstart.py`` runs the quickstart for real.)"""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest

from otel_bridge.config import Settings
from tests.support.paths import REPOSITORY
from tests.unit.collector_config.configs import CONFIG_DIR, expand_defaults, host_port, load

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself depends on tomli before 3.11
    tomllib = pytest.importorskip("tomli")

README = (REPOSITORY / "README.md").read_text()


def section(title: str) -> str:
    """The README's section under ``## title``, up to the next one."""
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def blocks(text: str, language: str) -> list[str]:
    """The fenced code blocks of ``language`` in ``text``."""
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


class TestOpenTelemetryQuickstart:
    QUICKSTART = section("Quickstart: an OpenTelemetry app")

    def test_it_says_what_to_install(self) -> None:
        shell = "\n".join(blocks(self.QUICKSTART, "sh"))
        assert "pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http" in shell
        assert "pip install opentelemetry-exporter-otlp-proto-grpc" in shell

    def test_the_program_is_complete(self) -> None:
        """One program, from imports to the flush, short enough to read at a glance."""
        (program,) = blocks(self.QUICKSTART, "python")
        tree = ast.parse(program)
        imported = {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names
        }
        assert {"TracerProvider", "BatchSpanProcessor", "OTLPSpanExporter"} <= imported
        assert "session.id" in program and "provider.shutdown()" in program
        assert len([line for line in program.splitlines() if line.strip()]) <= 25

    def test_the_grpc_variant_sets_the_protocol_and_the_printed_grpc_address(self) -> None:
        shell = "\n".join(blocks(self.QUICKSTART, "sh"))
        assert (
            "export OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_ENDPOINT=http://$OTEL_BRIDGE_GRPC_ENDPOINT"
            in shell
        )
        (program,) = blocks(self.QUICKSTART, "python")
        assert "opentelemetry.exporter.otlp.proto.grpc.trace_exporter" in program


class TestInstallLines:
    def test_no_line_installs_otel_bridge_from_pypi(self) -> None:
        """Every ``pip install`` of otel-bridge names a folder, a git URL or a built wheel."""
        installs = re.findall(r"pip install ([^`\n]*otel[-_]bridge[^`\n]*)", README)
        assert installs
        for target in installs:
            assert re.search(r"\./otel-bridge|@ git\+|dist/otel_bridge-", target), target


class TestBuild:
    PYPROJECT = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())

    def test_license_is_an_spdx_string_for_a_setuptools_that_reads_it(self) -> None:
        """A ``license`` table makes setuptools ≥ 77 print a deprecation banner on every install."""
        assert self.PYPROJECT["project"]["license"] == "Apache-2.0"
        assert not any(c.startswith("License ::") for c in self.PYPROJECT["project"].get("classifiers", []))
        (setuptools,) = [r for r in self.PYPROJECT["build-system"]["requires"] if r.startswith("setuptools")]
        minimum = re.fullmatch(r"setuptools>=(\d+)", setuptools)
        assert minimum is not None and int(minimum.group(1)) >= 77

    def test_make_run_passes_args_to_serve(self) -> None:
        done = subprocess.run(
            ["make", "-n", "run", "ARGS=--http-port 5318 --grpc-port 5317"],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
        )
        assert re.search(r"otel-bridge serve --http-port 5318 --grpc-port 5317$", done.stdout, re.MULTILINE)
        assert 'make run ARGS="--http-port 5318 --grpc-port 5317"' in README


class TestPortsAgree:
    def test_the_readme_states_the_servers_defaults(self) -> None:
        defaults = Settings()
        running = section("Running the server")
        assert f"listens on {defaults.listen_host} (`--listen-host`)" in running
        assert f"HTTP on {defaults.http_port} (`--http-port`" in running
        assert f"gRPC on {defaults.grpc_port} (`--grpc-port`)" in running

    def test_the_readme_states_where_the_agent_listens_and_how_otel_bridge_moves_aside(self) -> None:
        receivers = load(CONFIG_DIR / "agent.yaml")["receivers"]["otlp"]["protocols"]
        grpc = host_port(expand_defaults(receivers["grpc"]["endpoint"]))
        http = host_port(expand_defaults(receivers["http"]["endpoint"]))
        assert grpc[0] == http[0] == "127.0.0.1"
        collectors = section("Quickstart: a collector pipeline")
        assert f"The agent listens on `{grpc[0]}:{grpc[1]}`/`{http[1]}`" in collectors
        defaults = Settings()
        assert (grpc[1], http[1]) == (defaults.grpc_port, defaults.http_port)  # hence other ports:
        moved = re.search(r"`--grpc-port (\d+) --http-port (\d+)`", collectors)
        assert moved is not None and moved.groups() != (str(grpc[1]), str(http[1]))
        agent_comment = (CONFIG_DIR / "agent.yaml").read_text()
        assert f"--grpc-port {moved.group(1)} --http-port {moved.group(2)}" in agent_comment
        assert f"OTEL_BRIDGE_GRPC_ENDPOINT=127.0.0.1:{moved.group(1)}" in agent_comment

    def test_the_remote_setup_listens_on_every_interface_only_there(self) -> None:
        """otel-bridge on another host needs ``--listen-host 0.0.0.0``; the README says so where it
        says to run it there, and the server's default stays loopback."""
        collectors = section("Quickstart: a collector pipeline")
        assert "otel-bridge serve --listen-host 0.0.0.0" in collectors
        assert Settings().listen_host == "127.0.0.1"
