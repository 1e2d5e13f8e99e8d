"""Masking: the default ``mask_secrets`` (credential shapes and credential-named keys), a span's
attributes through ``mask_record``, the in-process exporter (``mask=`` default, custom, None) and the
server's decode path (``--mask-secrets``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from otel_bridge.config import Settings
from otel_bridge.errors import ConfigError
from otel_bridge.ingest.workers import prepare_export
from otel_bridge.model import SpanEvent
from otel_bridge.sdk import BridgeSpanExporter, InMemorySink, observe
from otel_bridge.store.memory import InMemoryStore
from otel_bridge.testing import build_export_request, make_span
from otel_bridge.translate.masking import MASKED, mask_record, mask_secrets, secret_key_name
from otel_bridge.translate.payloads import resolve_payload
from tests.support.spans import record
from tests.unit.sdk.sdk_helpers import GlobalPipeline

#: One credential of each documented shape (made up; none is a real key).
SECRETS = {
    "openai": "sk-abcdefghijklmnopqrstuvwxyz012345",
    "openai-project": "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx_0123456789",
    "groq": "gsk_abcdefghijklmnopqrstuvwxyz0123456789ABCD",
    "langfuse-public": "pk-lf-0123456789abcdef0123",
    "langfuse-secret": "sk-lf-0123456789abcdef0123",
    "google": "AIzaSyA1234567890abcdefghijklmnopqrstu",
    "slack": "xoxb-123456789012-abcdefghijklmnop",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
}


class TestMaskSecrets:
    @pytest.mark.parametrize("kind", sorted(SECRETS))
    def test_each_credential_shape_is_masked_in_running_text(self, kind: str) -> None:
        """A credential inside a sentence is replaced by the marker; the words around it stay."""
        text = f"please use {SECRETS[kind]} for this call"
        assert mask_secrets(text) == f"please use {MASKED} for this call"

    def test_bearer_token(self) -> None:
        assert mask_secrets("Authorization: Bearer abc.def-ghi_jkl") == f"Authorization: {MASKED}"

    @pytest.mark.parametrize(
        "text", ["sk-learn is a library", "the ask-me page", "AIza", "tokens: 12", "Bearer", "eyJ short"]
    )
    def test_ordinary_text_is_left_alone(self, text: str) -> None:
        assert mask_secrets(text) is text

    @pytest.mark.parametrize(
        "key",
        ["api_key", "apiKey", "X-Api-Key", "authorization", "password", "client_secret", "access_token"],
    )
    def test_credential_named_keys(self, key: str) -> None:
        """Any string under a credential-named key is masked, whatever it looks like."""
        assert mask_secrets({key: "hunter2", "question": "hi"}) == {key: MASKED, "question": "hi"}

    @pytest.mark.parametrize("key", ["max_tokens", "token_count", "prompt", "monkey", "keyboard"])
    def test_other_keys_are_not_credentials(self, key: str) -> None:
        assert not secret_key_name(key)

    def test_nested_values_and_non_strings(self) -> None:
        """Lists and nested objects are walked; numbers under a credential-named key are counts, kept."""
        value = {"messages": [{"content": f"key {SECRETS['groq']}"}], "token": 42, "n": [1, 2]}
        assert mask_secrets(value) == {"messages": [{"content": f"key {MASKED}"}], "token": 42, "n": [1, 2]}

    def test_nothing_to_mask_returns_the_same_object(self) -> None:
        value = {"a": ["b", {"c": 1}]}
        assert mask_secrets(value) is value


class TestMaskRecord:
    def test_attributes_json_documents_and_events(self) -> None:
        """Plain strings, JSON documents (by their values), credential-named attribute keys and event
        attributes are masked; other attributes keep their values and types."""
        span = record(
            attrs={
                "input.value": json.dumps({"api_key": "hunter2", "question": "capital of France?"}),
                "http.request.header.authorization": "Basic dXNlcjpwYXNz",
                "note": f"key={SECRETS['openai']}",
                "llm.token_count.prompt": 12,
                "tags": ["a", SECRETS["slack"]],
            },
        )
        span = type(span)(**{**span.__dict__, "events": (SpanEvent("log", 1, {"line": SECRETS["jwt"]}),)})
        masked = mask_record(span, mask_secrets)
        attrs = masked.attributes
        assert json.loads(str(attrs["input.value"])) == {"api_key": MASKED, "question": "capital of France?"}
        assert attrs["http.request.header.authorization"] == MASKED
        assert attrs["note"] == f"key={MASKED}"
        assert attrs["llm.token_count.prompt"] == 12
        assert attrs["tags"] == ["a", MASKED]
        assert masked.events[0].attributes == {"line": MASKED}

    def test_unchanged_record_is_the_same_object(self) -> None:
        span = record(attrs={"input.value": '{"q": "hello"}', "n": 1})
        assert mask_record(span, mask_secrets) is span

    def test_a_failing_mask_masks_the_value(self) -> None:
        """A mask that raises must not let the value through."""

        def broken(value: Any) -> Any:
            raise RuntimeError("bug")

        assert mask_record(record(attrs={"a": "text"}), broken).attributes["a"] == MASKED


class TestInProcess:
    def test_key_passed_to_an_observed_function_is_not_sent(self, pipeline: GlobalPipeline) -> None:
        """The test pipeline's ``BridgeSpanExporter`` masks by default: a Groq key passed as an argument
        is nowhere in what is sent, and the rest of the input is."""
        key = SECRETS["groq"]

        @observe
        def ask(question: str, api_key: str, client_options: dict[str, str]) -> str:
            return "Paris"

        ask("capital of France?", key, {"base_url": "http://x", "note": f"uses {key}"})
        sent = json.dumps([t.observation.__repr__() for t in pipeline.sink.translations])
        assert key not in sent
        (observation,) = pipeline.sink.observations
        assert resolve_payload(observation.input) == {
            "question": "capital of France?",
            "api_key": MASKED,
            "client_options": {"base_url": "http://x", "note": f"uses {MASKED}"},
        }
        assert resolve_payload(observation.output) == "Paris"

    def test_key_set_as_a_span_attribute_is_not_sent(self, pipeline: GlobalPipeline) -> None:
        from opentelemetry import trace

        with trace.get_tracer("tests").start_as_current_span("call") as span:
            span.set_attribute("openai.api_key", SECRETS["openai"])
            span.set_attribute("prompt", f"my key is {SECRETS['openai']}")
        sent = repr(pipeline.sink.translations)
        assert SECRETS["openai"] not in sent
        assert "my key is" in sent

    @pytest.mark.parametrize(
        ("mask", "expected"),
        [
            (None, "sk-abcdefghijklmnopqrstuvwxyz012345"),
            (lambda value: "custom" if isinstance(value, str) else value, "custom"),
        ],
    )
    def test_custom_mask_and_none(self, mask: Any, expected: str) -> None:
        """``mask=fn`` replaces the default; ``mask=None`` sends values as they are."""
        sink = InMemorySink()
        exporter = BridgeSpanExporter(sink, mask=mask)
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor

        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        with provider.get_tracer("t").start_as_current_span("s") as span:
            span.set_attribute("langfuse.observation.input", json.dumps(SECRETS["openai"]))
        (observation,) = sink.observations
        assert resolve_payload(observation.input) == expected


class TestServer:
    def _stored_text(self, mask: bool) -> str:
        span = make_span(
            "chat",
            attributes={
                "input.value": json.dumps({"question": "hi", "api_key": "hunter2"}),
                "session.id": "s-mask",
                "note": SECRETS["google"],
            },
        )
        body = build_export_request([span]).SerializeToString()
        store = InMemoryStore()
        project = store.create_project("p").project.id
        prepared = prepare_export(store.preparer, project, body, "protobuf", mask=mask)
        assert prepared.batch is not None
        store.write_prepared([prepared.batch])
        return repr(store.list_observations(project))

    def test_masked_before_translation(self) -> None:
        """With masking (the server's default), neither the credential-named value nor the Google key
        is in what goes to the store, and the question is."""
        text = self._stored_text(mask=True)
        assert "hunter2" not in text and SECRETS["google"] not in text
        assert "hi" in text and MASKED in text

    def test_off(self) -> None:
        text = self._stored_text(mask=False)
        assert "hunter2" in text and SECRETS["google"] in text

    def test_setting_defaults_on_and_parses(self) -> None:
        assert Settings.load({}).mask_secrets is True
        assert Settings.load({"OTEL_BRIDGE_MASK_SECRETS": "false"}).mask_secrets is False
        with pytest.raises(ConfigError, match="OTEL_BRIDGE_MASK_SECRETS"):
            Settings.load({"OTEL_BRIDGE_MASK_SECRETS": "maybe"})
