"""The OpenTelemetry Collector files of ``collector-config/``: each parses; every component it names
is a component type of the collector-contrib distribution (the list in this folder, with its version);
every pipeline references defined components and every defined component is used; listen addresses
are loopback unless configured; exporters point at otel-bridge's ports with its auth header, retries
and a sending queue. What this cannot check (no collector binary installs here): each component's
own settings, which only the collector's ``validate`` command knows."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.unit.collector_config.configs import (
    CONFIG_DIR,
    DEPLOYMENTS,
    KINDS,
    ROTEL_DIR,
    contrib_components,
    deployment,
    expand_defaults,
    host_port,
    load,
    module_constants,
)

#: otel-bridge's ports: OTLP/gRPC and OTLP/HTTP (``otel-bridge serve`` and ``otel-bridge relay``).
GRPC_PORT, HTTP_PORT = 4317, 4318
AUTHORIZATION = "Basic ${env:OTEL_BRIDGE_BASIC_AUTH}"
NAMES = sorted(DEPLOYMENTS)
#: One OTTL statement of session-id.yaml: copy SOURCE onto session.id where it is missing.
OTTL_COPY = re.compile(
    r'^set\(attributes\["session\.id"\], (?P<source>(?:resource\.)?attributes\["[^"]+"\])\) '
    r'where attributes\["session\.id"\] == nil and (?P=source) != nil$'
)


def component_type(component_id: str) -> str:
    """``otlp/otel-bridge`` → ``otlp``."""
    return component_id.split("/", 1)[0]


def pipeline_components(config: dict[str, Any]) -> dict[str, set[str]]:
    """Kind → the component ids the pipelines (and ``service.extensions``) use."""
    used: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for pipeline in config["service"]["pipelines"].values():
        for kind in ("receivers", "processors", "exporters"):
            used[kind].update(pipeline.get(kind) or ())
    used["extensions"].update(config["service"].get("extensions") or ())
    return used


def otel_bridge_exporters(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The exporters of ``config`` (all of them send to otel-bridge), by id."""
    exporters: dict[str, dict[str, Any]] = config["exporters"]
    assert exporters, "no exporter"
    return exporters


def test_every_file_is_part_of_a_checked_deployment() -> None:
    """No YAML file in collector-config/ escapes these tests."""
    files = {path.name for path in CONFIG_DIR.glob("*.yaml")}
    assert files == {name for names in DEPLOYMENTS.values() for name in names}


@pytest.mark.parametrize("name", NAMES)
def test_components_exist_in_collector_contrib(name: str) -> None:
    """Every component type named is one the contrib distribution has (old names, which every
    version since accepts); only known sections appear."""
    version, known = contrib_components()
    config = deployment(name)
    assert set(config) <= {*KINDS, "service"}
    for kind in KINDS:
        for component in config.get(kind) or {}:
            assert component_type(component) in known[kind], f"{kind} {component} (contrib {version})"


@pytest.mark.parametrize("name", NAMES)
def test_pipelines_reference_defined_components_and_use_all(name: str) -> None:
    """What the pipelines name is defined, and what is defined is used."""
    config = deployment(name)
    assert config["service"]["pipelines"], "no pipeline"
    used = pipeline_components(config)
    for kind in KINDS:
        defined = set(config.get(kind) or {})
        assert used[kind] <= defined, f"{kind} used but not defined: {used[kind] - defined}"
        assert defined <= used[kind], f"{kind} defined but not used: {defined - used[kind]}"


@pytest.mark.parametrize("name", NAMES)
def test_memory_limiter_first_batch_last(name: str) -> None:
    """Refusal under memory pressure happens before any work, batching after every processor, and a
    batch stays far below otel-bridge's 8 MiB request limit."""
    config = deployment(name)
    for pipeline in config["service"]["pipelines"].values():
        assert pipeline["processors"][0] == "memory_limiter"
        assert pipeline["processors"][-1] == "batch"
    assert 0 < config["processors"]["batch"]["send_batch_max_size"] <= 8192


@pytest.mark.parametrize("name", NAMES)
def test_receivers_listen_on_loopback_unless_configured(name: str) -> None:
    """The collector takes OTLP on 4317/4318 of 127.0.0.1 by default, never on 0.0.0.0 unasked."""
    protocols = deployment(name)["receivers"]["otlp"]["protocols"]
    for protocol, port in (("grpc", GRPC_PORT), ("http", HTTP_PORT)):
        endpoint = protocols[protocol]["endpoint"]
        assert "${env:OTELCOL_LISTEN_HOST:-127.0.0.1}" in endpoint
        assert host_port(expand_defaults(endpoint)) == ("127.0.0.1", port)


@pytest.mark.parametrize("name", NAMES)
def test_exporters_point_at_otel_bridge_with_its_auth_and_retries(name: str) -> None:
    """Each exporter reaches otel-bridge's gRPC port (``otlp``, ``loadbalancing``) or HTTP base URL
    (``otlphttp``, no /v1/traces: the exporter appends it), sends the Basic auth header from the
    environment, gzips, retries and queues."""
    for component, exporter in otel_bridge_exporters(deployment(name)).items():
        kind = component_type(component)
        settings = exporter["protocol"]["otlp"] if kind == "loadbalancing" else exporter
        if kind == "otlp":
            assert host_port(expand_defaults(exporter["endpoint"]))[1] == GRPC_PORT
        elif kind == "otlphttp":
            url = expand_defaults(exporter["endpoint"])
            assert url.startswith("http") and host_port(url)[1] == HTTP_PORT
            assert url.rstrip("/").count("/") == 2, f"{url}: a base URL, without a path"
        else:
            assert kind == "loadbalancing" and "endpoint" not in settings  # the resolver sets it
        assert {key.lower(): value for key, value in settings["headers"].items()} == {
            "authorization": AUTHORIZATION
        }
        assert settings["compression"] == "gzip"
        assert settings["retry_on_failure"]["enabled"] is True
        assert settings["sending_queue"]["enabled"] is True


def test_agent_queue_persists_on_disk() -> None:
    """The agent's sending queue lives in the ``file_storage`` extension, which the service runs."""
    config = deployment("agent")
    storage = config["exporters"]["otlp/otel-bridge"]["sending_queue"]["storage"]
    assert component_type(storage) == "file_storage"
    assert storage in config["service"]["extensions"]
    assert config["extensions"][storage]["create_directory"] is True


@pytest.mark.parametrize("name", ["gateway-static", "gateway-dns"])
def test_gateway_routes_by_trace_id_to_replicas(name: str) -> None:
    """``routing_key: traceID``, and exactly one resolver that names otel-bridge's gRPC port: several
    distinct static replicas, or a DNS name."""
    exporter = deployment(name)["exporters"]["loadbalancing/otel-bridge"]
    assert exporter["routing_key"] == "traceID"
    resolver = exporter["resolver"]
    if name == "gateway-static":
        assert list(resolver) == ["static"]
        hostnames = resolver["static"]["hostnames"]
        assert len(hostnames) >= 2 and len(set(hostnames)) == len(hostnames)
        assert {host_port(hostname)[1] for hostname in hostnames} == {GRPC_PORT}
    else:
        assert list(resolver) == ["dns"]
        assert expand_defaults(resolver["dns"]["hostname"]) and resolver["dns"]["port"] == GRPC_PORT


def test_session_id_overlay_copies_onto_session_id_like_the_rotel_processor() -> None:
    """The overlay adds ``transform/session-id`` between the memory limiter and batch; each statement
    copies one source onto ``session.id`` only where it is missing; the sources, in order, are the
    ones ``rotel/session_id.py`` reads."""
    config = deployment("session-id")
    assert config["service"]["pipelines"]["traces"]["processors"] == [
        "memory_limiter",
        "transform/session-id",
        "batch",
    ]
    (group,) = config["processors"]["transform/session-id"]["trace_statements"]
    assert group["context"] == "span"
    sources = []
    for statement in group["statements"]:
        match = OTTL_COPY.match(statement)
        assert match, statement
        sources.append(match.group("source"))
    rotel = module_constants(ROTEL_DIR / "session_id.py")
    assert rotel["TARGET"] == "session.id"
    assert sources == [
        *(f'attributes["{key}"]' for key in rotel["SPAN_SOURCES"]),
        f'resource.attributes["{rotel["RESOURCE_SOURCE"]}"]',
    ]


def test_overlay_changes_only_what_it_says() -> None:
    """session-id.yaml holds only the processor and the pipeline's processor list."""
    overlay = load(CONFIG_DIR / "session-id.yaml")
    assert set(overlay) == {"processors", "service"}
    assert list(overlay["processors"]) == ["transform/session-id"]
    assert overlay["service"] == {
        "pipelines": {"traces": {"processors": overlay["service"]["pipelines"]["traces"]["processors"]}}
    }


def test_readme_describes_every_file() -> None:
    """collector-config/README.md names every file of the folder and of rotel/."""
    readme = (CONFIG_DIR / "README.md").read_text()
    files = [*CONFIG_DIR.glob("*.yaml"), *ROTEL_DIR.glob("*.env"), *ROTEL_DIR.glob("*.py")]
    for path in files:
        assert f"`{path.name}`" in readme, path.name
