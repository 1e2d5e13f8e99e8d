"""``configure()``, ``flush()`` and ``shutdown()``: settings from arguments and the environment, and
the processors wired into a tracer provider (the global one in a fresh interpreter)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider

from otel_bridge.errors import ConfigError
from otel_bridge.sdk import configure, flush, session, shutdown
from tests.unit.sdk.sdk_helpers import IngestionEndpoint

VARIABLES = (
    "OTEL_BRIDGE_HOST",
    "OTEL_BRIDGE_URL",
    "LANGFUSE_BASE_URL",
    "OTEL_BRIDGE_PUBLIC_KEY",
    "OTEL_BRIDGE_SECRET_KEY",
    "LANGFUSE_HOST",
    "LANGFUSE_PUBLIC_KEY",
    "LANGFUSE_SECRET_KEY",
)


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No settings from the outer environment; whatever a test configured is shut down after it."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield
    shutdown()


def one_span(provider: TracerProvider, name: str = "work") -> None:
    with session("s-cfg"), provider.get_tracer("tests").start_as_current_span(name):
        pass


class TestConfigure:
    @pytest.mark.parametrize(
        ("missing", "named"),
        [
            ({}, "OTEL_BRIDGE_URL or LANGFUSE_BASE_URL or LANGFUSE_HOST"),
            ({"url": "http://h"}, "OTEL_BRIDGE_PUBLIC_KEY or LANGFUSE_PUBLIC_KEY"),
            ({"url": "http://h", "public_key": "pk"}, "OTEL_BRIDGE_SECRET_KEY or LANGFUSE_SECRET_KEY"),
        ],
    )
    def test_missing_setting_names_the_variables(self, missing: dict[str, Any], named: str) -> None:
        """A missing URL or key raises ``ConfigError`` naming both variables that could set it."""
        with pytest.raises(ConfigError, match=named):
            configure(tracer_provider=TracerProvider(), **missing)

    def test_arguments_send_to_the_endpoint(self, endpoint: IngestionEndpoint) -> None:
        """With arguments only, a span ended under the given provider reaches the host on ``flush()``,
        with the keys as Basic credentials and the session stamped."""
        provider = TracerProvider()
        assert (
            configure(url=endpoint.host, public_key="pk-a", secret_key="sk-a", tracer_provider=provider)
            is provider
        )
        one_span(provider)
        assert flush() is True
        (request,) = endpoint.received
        assert request.credentials == "pk-a:sk-a"
        trace_create = endpoint.events()[0]
        assert (trace_create["type"], trace_create["body"]["sessionId"]) == ("trace-create", "s-cfg")

    def test_precedence(self, endpoint: IngestionEndpoint, monkeypatch: pytest.MonkeyPatch) -> None:
        """Argument beats ``OTEL_BRIDGE_*``, which beats ``LANGFUSE_*``."""
        monkeypatch.setenv("OTEL_BRIDGE_URL", endpoint.host)
        monkeypatch.setenv("LANGFUSE_HOST", "http://127.0.0.1:9")  # must not be used
        monkeypatch.setenv("OTEL_BRIDGE_PUBLIC_KEY", "pk-bridge")
        monkeypatch.setenv("LANGFUSE_PUBLIC_KEY", "pk-langfuse")
        monkeypatch.setenv("LANGFUSE_SECRET_KEY", "sk-langfuse")
        provider = configure(secret_key="sk-argument", tracer_provider=TracerProvider())
        one_span(provider)
        flush()
        assert endpoint.received[0].credentials == "pk-bridge:sk-argument"

    def test_configuring_twice_adds_nothing(self, endpoint: IngestionEndpoint) -> None:
        """A second ``configure()`` of one provider does not send every span twice."""
        provider = TracerProvider()
        for _ in range(2):
            configure(url=endpoint.host, public_key="pk", secret_key="sk", tracer_provider=provider)
        one_span(provider)
        flush()
        assert [event["type"] for event in endpoint.events()] == ["trace-create", "span-create"]

    def test_shutdown_stops_sending(self, endpoint: IngestionEndpoint) -> None:
        """``shutdown()`` sends what had ended, and nothing ended afterwards."""
        provider = TracerProvider()
        configure(url=endpoint.host, public_key="pk", secret_key="sk", tracer_provider=provider)
        one_span(provider, "before")
        shutdown()
        one_span(provider, "after")
        flush()
        names = [event["body"]["name"] for event in endpoint.events() if event["type"] == "span-create"]
        assert names == ["before"]


GLOBAL_APP = """
import json, sys
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from otel_bridge.sdk import configure, flush, observe, session

own = InMemorySpanExporter()
if sys.argv[1] == "existing":
    existing = TracerProvider()
    existing.add_span_processor(SimpleSpanProcessor(own))
    trace.set_tracer_provider(existing)
provider = configure(service_name="svc")

@observe
def work():
    return "done"

with session("s-global"):
    work()
flush()
print(json.dumps({
    "is_global": trace.get_tracer_provider() is provider,
    "existing_kept": sys.argv[1] != "existing" or provider is existing,
    "service": provider.resource.attributes.get("service.name"),
    "own_exporter_spans": [dict(s.attributes)["session.id"] for s in own.get_finished_spans()],
}))
"""


def run_app(endpoint: IngestionEndpoint, mode: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update({"OTEL_BRIDGE_URL": endpoint.host, "LANGFUSE_PUBLIC_KEY": "pk", "LANGFUSE_SECRET_KEY": "sk"})
    done = subprocess.run(
        [sys.executable, "-c", GLOBAL_APP, mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


class TestConfigureGlobal:
    def test_sets_a_new_global_provider(self, endpoint: IngestionEndpoint) -> None:
        """Without a global SDK provider, ``configure()`` creates one named ``service_name``, makes it
        global, and ``@observe`` spans reach the host."""
        result = run_app(endpoint, "new")
        assert result["is_global"] is True
        assert result["service"] == "svc"
        assert [event["body"].get("sessionId") for event in endpoint.events()[:1]] == ["s-global"]

    def test_adds_to_an_existing_global_provider(self, endpoint: IngestionEndpoint) -> None:
        """An existing global SDK provider is kept: its own exporter still gets the spans (with the
        session stamped), and the bridge's exporter gets them too."""
        result = run_app(endpoint, "existing")
        assert (result["is_global"], result["existing_kept"]) == (True, True)
        assert result["own_exporter_spans"] == ["s-global"]
        assert any(event["type"] == "span-create" for event in endpoint.events())
