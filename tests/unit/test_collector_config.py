"""The OpenTelemetry Collector configurations of ``collector-config/``: parsed, wired, pointed at
otel-bridge with its auth header, and validated by a real collector when one is on ``PATH``."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import REPOSITORY

CONFIG_DIR = REPOSITORY / "collector-config"
SINGLE_NODE = CONFIG_DIR / "single-node.yaml"
LOAD_BALANCED = CONFIG_DIR / "load-balanced.yaml"
FILES = (SINGLE_NODE, LOAD_BALANCED)
SECTIONS = ("receivers", "processors", "exporters", "connectors", "extensions")
#: ``${env:NAME}`` or ``${env:NAME:-default}``, the collector's environment expansion.
ENV_REFERENCE = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
#: What each file's component types must be (the old names every collector version accepts).
KNOWN_TYPES = {
    "receivers": {"otlp"},
    "processors": {"batch", "memory_limiter"},
    "exporters": {"otlphttp", "loadbalancing"},
}


def load(path: Path) -> dict[str, Any]:
    """The parsed YAML document of ``path``."""
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict)
    return document


def component_type(component_id: str) -> str:
    """``otlphttp/otel-bridge`` → ``otlphttp``."""
    return component_id.split("/", 1)[0]


def expand_defaults(value: str) -> str:
    """``value`` with each ``${env:NAME:-default}`` replaced by its default (``""`` without one)."""
    return ENV_REFERENCE.sub(lambda match: match.group(2) or "", value)


class TestPipelineWiring:
    """Both files: every component a pipeline names is defined, and every defined one is used."""

    @pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
    def test_pipeline_references_are_defined(self, path: Path) -> None:
        """Each receiver, processor and exporter of each pipeline has a definition in its section."""
        document = load(path)
        pipelines = document["service"]["pipelines"]
        assert pipelines, "no pipeline"
        for name, pipeline in pipelines.items():
            assert pipeline.get("receivers") and pipeline.get("exporters"), name
            for section in ("receivers", "processors", "exporters"):
                for component in pipeline.get(section) or []:
                    assert component in (document.get(section) or {}), f"{name}: {section} {component}"

    @pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
    def test_every_defined_component_is_used(self, path: Path) -> None:
        """No receiver, processor or exporter is defined without a pipeline using it."""
        document = load(path)
        used = {
            component
            for pipeline in document["service"]["pipelines"].values()
            for section in ("receivers", "processors", "exporters")
            for component in pipeline.get(section) or []
        }
        for section in ("receivers", "processors", "exporters"):
            for component in document.get(section) or {}:
                assert component in used, f"{section} {component} is defined but unused"

    @pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
    def test_component_types_are_known(self, path: Path) -> None:
        """Component types are the ones the README documents (old names, accepted by every version)."""
        document = load(path)
        for section, types in KNOWN_TYPES.items():
            for component in document.get(section) or {}:
                assert component_type(component) in types, f"{section} {component}"
        assert set(document) <= {*SECTIONS, "service"}

    @pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
    def test_batch_runs_last_and_bounds_requests(self, path: Path) -> None:
        """``batch`` is the last processor and caps a batch, so one export stays under the size limits."""
        document = load(path)
        for pipeline in document["service"]["pipelines"].values():
            assert pipeline["processors"][-1] == "batch"
            if "memory_limiter" in pipeline["processors"]:
                assert pipeline["processors"][0] == "memory_limiter"
        assert 0 < document["processors"]["batch"]["send_batch_max_size"] <= 8192

    @pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
    def test_receiver_takes_grpc_and_http(self, path: Path) -> None:
        """Applications can send OTLP/gRPC on 4317 and OTLP/HTTP on 4318 to the collector."""
        protocols = load(path)["receivers"]["otlp"]["protocols"]
        assert protocols["grpc"]["endpoint"].endswith(":4317")
        assert protocols["http"]["endpoint"].endswith(":4318")


class TestSingleNode:
    """``single-node.yaml``: ``otlphttp`` to one otel-bridge with Basic auth from the environment."""

    def exporter(self) -> dict[str, Any]:
        """The one exporter of the file."""
        exporters = load(SINGLE_NODE)["exporters"]
        assert list(exporters) == ["otlphttp/otel-bridge"]
        exporter: dict[str, Any] = exporters["otlphttp/otel-bridge"]
        return exporter

    def test_endpoint_is_the_base_url_of_otel_bridge_http_port(self) -> None:
        """The endpoint comes from ``OTEL_BRIDGE_ENDPOINT``, defaulting to an http URL on port 4318,
        without ``/v1/traces`` (the exporter appends it)."""
        endpoint = self.exporter()["endpoint"]
        assert [m.group(1) for m in ENV_REFERENCE.finditer(endpoint)] == ["OTEL_BRIDGE_ENDPOINT"]
        default = urllib.parse.urlsplit(expand_defaults(endpoint))
        assert default.scheme == "http" and default.port == 4318
        assert default.path in ("", "/")

    def test_authorization_is_basic_from_the_environment(self) -> None:
        """``Authorization: Basic ${env:OTEL_BRIDGE_BASIC_AUTH}``, the form otel-bridge accepts."""
        headers = self.exporter()["headers"]
        assert headers == {"Authorization": "Basic ${env:OTEL_BRIDGE_BASIC_AUTH}"}

    def test_retries_and_queues_on_backpressure(self) -> None:
        """503 + Retry-After from a full ingest queue is retried, with a sending queue meanwhile."""
        exporter = self.exporter()
        assert exporter["retry_on_failure"]["enabled"] is True
        assert exporter["sending_queue"]["enabled"] is True
        assert exporter["compression"] == "gzip"


class TestLoadBalanced:
    """``load-balanced.yaml``: ``loadbalancing`` by trace id over OTLP/gRPC to static replicas."""

    def exporter(self) -> dict[str, Any]:
        """The one exporter of the file."""
        exporters = load(LOAD_BALANCED)["exporters"]
        assert list(exporters) == ["loadbalancing/otel-bridge"]
        exporter: dict[str, Any] = exporters["loadbalancing/otel-bridge"]
        return exporter

    def test_routes_by_trace_id(self) -> None:
        """``routing_key: traceID`` keeps the spans of a trace on one replica."""
        assert self.exporter()["routing_key"] == "traceID"

    def test_static_resolver_lists_several_grpc_replicas(self) -> None:
        """At least two distinct ``host:4317`` replicas, and no other resolver active."""
        resolver = self.exporter()["resolver"]
        assert list(resolver) == ["static"]
        hostnames = resolver["static"]["hostnames"]
        assert len(hostnames) >= 2 and len(set(hostnames)) == len(hostnames)
        for hostname in hostnames:
            host, _, port = hostname.rpartition(":")
            assert host and port == "4317", hostname

    def test_otlp_template_has_auth_and_no_endpoint(self) -> None:
        """The ``otlp`` template carries the Basic auth metadata; the resolver sets the endpoint."""
        protocol = self.exporter()["protocol"]
        assert list(protocol) == ["otlp"]
        template = protocol["otlp"]
        assert "endpoint" not in template
        assert template["headers"] == {"authorization": "Basic ${env:OTEL_BRIDGE_BASIC_AUTH}"}
        assert template["tls"]["insecure"] is True
        assert template["retry_on_failure"]["enabled"] is True


class TestReadme:
    """``collector-config/README.md`` describes both files and keeps its original example."""

    def test_names_both_files_and_their_exporters(self) -> None:
        """The README names each file and the exporter it relies on."""
        readme = (CONFIG_DIR / "README.md").read_text()
        for needle in ("single-node.yaml", "load-balanced.yaml", "loadbalancing", "otlphttp", "traceID"):
            assert needle in readme

    def test_example_snippet_parses_and_matches_single_node(self) -> None:
        """The README's YAML example uses the same exporter settings as ``single-node.yaml``."""
        readme = (CONFIG_DIR / "README.md").read_text()
        snippet = readme.split("```yaml", 1)[1].split("```", 1)[0]
        example = yaml.safe_load(snippet)
        exporter = example["exporters"]["otlphttp/otel-bridge"]
        actual = load(SINGLE_NODE)["exporters"]["otlphttp/otel-bridge"]
        assert exporter["headers"] == actual["headers"]
