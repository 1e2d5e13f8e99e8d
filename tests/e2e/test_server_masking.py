"""The server masks secrets in spans that arrive unmasked over OTLP (``--mask-secrets``, on by default):
a key set as a span attribute by an application that does not use the library is stored masked."""

from __future__ import annotations

import json

from otel_bridge.testing import build_export_request, make_span
from tests.e2e.conftest import post
from tests.e2e.sdk.harness import api_json
from tests.e2e.server import ServerProcess

KEY = "sk-proj-e2e0000000000000000000000000000"


def test_otlp_spans_are_masked_by_default(server: ServerProcess) -> None:
    span = make_span(
        "chat",
        attributes={
            "session.id": "e2e-masked",
            "input.value": json.dumps({"question": "capital of France?", "api_key": "hunter2"}),
            "note": f"called with {KEY}",
        },
    )
    assert post(server, build_export_request([span]).SerializeToString()).status == 200
    (trace,) = api_json(server, "traces", sessionId="e2e-masked")["data"]
    stored = json.dumps(api_json(server, f"traces/{trace['id']}"))
    assert KEY not in stored and "hunter2" not in stored
    assert "capital of France?" in stored and "[MASKED]" in stored
