"""Capture the golden corpus from REAL instrumentation libraries (run by hand, never in CI).

What it does:

1. starts, on 127.0.0.1 free ports and in threads (stdlib ``http.server``):
   - a fake OpenAI-compatible chat server (``POST /v1/chat/completions``, non-streaming): the reply is
     ``FAKE-REPLY: 안녕하세요, 테스트 응답입니다. (echo: <last user message>)``, ``usage`` is 37 prompt /
     12 completion / 49 total tokens, ``model`` echoes the request, ids are ``chatcmpl-fake-0001``,
     ``-0002``, ... (the counter restarts for every scenario, so re-captures are stable);
   - an OTLP/HTTP receiver that records every ``POST /v1/traces`` and ``/api/public/otel/v1/traces`` body
     (gunzipped when ``Content-Encoding: gzip``);
2. for every scenario, creates once (cached under ``.cache/golden-venvs/<name>``, rebuilt when its pins
   change) a virtualenv with pinned versions and runs ``tests/golden/scenarios/<name>.py`` in it; the
   scenario learns the endpoints from ``GOLDEN_*`` environment variables (see ``scenarios/_common.py``);
3. writes what the library exported as one spec-conformant OTLP/JSON ``ExportTraceServiceRequest``
   (lowerCamelCase keys, lowercase hex ids, int64 as strings, enums as integers; all the scenario's
   requests' ``resourceSpans`` concatenated in arrival order) to
   ``tests/golden/cases/<convention>/<package>-<version>/0001.otlp.json`` plus ``provenance.json``;
4. converts the captures vendored in ``tests/fixtures/`` (``--fixtures DIR`` reads another copy) the same
   way into ``*-fixture`` cases, and writes the hand-built Vercel AI SDK, Pydantic AI, Google ADK and MLflow
   cases (``handbuilt.py``).

It never touches ``checks.json`` (hand-written) nor ``*.expected.json`` (regenerate those with
``pytest tests/golden --update-golden`` and review the diff).

Usage, from the repository root, with the project's virtualenv (it needs ``opentelemetry-proto``)::

    .venv/bin/python tests/golden/capture.py                 # everything
    .venv/bin/python tests/golden/capture.py --list          # the target names
    .venv/bin/python tests/golden/capture.py fixtures        # only tests/fixtures -> *-fixture (offline)
    .venv/bin/python tests/golden/capture.py genai-openai-v2 langfuse-sdk   # some targets only
    .venv/bin/python tests/golden/capture.py --rebuild-venvs openinference-openai
    .venv/bin/python tests/golden/capture.py --setup-only    # only build the virtualenvs

Targets: one per scenario (see ``SCENARIOS``: ``genai-openai-v2``, ``traceloop-openai``,
``openinference-openai``, ``openinference-langchain``, ``openinference-llama-index``, ``langfuse-sdk``,
``pydantic-ai``, ``mlflow-tracing``, ``google-adk``, ``google-adk-semconv``), plus ``fixtures`` and
``handbuilt``. Afterwards: ``.venv/bin/python -m pytest tests/golden --update-golden`` and review the diff.
It needs a package index that ``pip install`` can reach; nothing else leaves the machine.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import gzip
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CASES = HERE / "cases"
SCENARIO_DIR = HERE / "scenarios"
VENVS = REPO / ".cache" / "golden-venvs"
#: The captured OTLP payloads, vendored in the repository (``tests/fixtures/README.md``).
DEFAULT_FIXTURES = HERE.parent / "fixtures"

OTEL_SDK = (
    "opentelemetry-api==1.45.2",
    "opentelemetry-sdk==1.45.2",
    "opentelemetry-exporter-otlp-proto-http==1.45.2",
)

FAKE_USAGE = {"prompt_tokens": 37, "completion_tokens": 12, "total_tokens": 49}
FAKE_REPLY_PREFIX = "FAKE-REPLY: 안녕하세요, 테스트 응답입니다."
FAKE_CREATED = 1767225600  # 2026-01-01T00:00:00Z, fixed so the reply body is deterministic


@dataclass(frozen=True)
class Scenario:
    """One real library run: its virtualenv pins, its scenario script and where its case goes."""

    name: str  # scenarios/<name>.py and .cache/golden-venvs/<name>
    convention: str  # cases/<convention>/
    package: str  # the instrumentation package whose installed version names the case directory
    requirements: tuple[str, ...]
    relevant: tuple[str, ...]  # packages whose exact versions go into provenance.json
    content: str  # what was set to record message content
    session_how: str  # how the scenario sets the session and user ids
    env: dict[str, str] = field(default_factory=dict)
    pip_args: tuple[str, ...] = ()
    case_suffix: str = ""  # appended to the case directory, for a second capture of the same package version

    @property
    def session_id(self) -> str:
        return f"golden-session-{self.name}"

    @property
    def user_id(self) -> str:
        return f"golden-user-{self.name}"


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            name="genai-openai-v2",
            convention="genai",
            package="opentelemetry-instrumentation-openai-v2",
            requirements=(
                *OTEL_SDK,
                "opentelemetry-instrumentation-openai-v2==2.4b0",
                # 1.3b0 breaks the instrumentation's import (tests/fixtures/README.md); 1.1b0 works.
                "opentelemetry-util-genai==1.1b0",
                "openai==2.54.0",
            ),
            relevant=(
                "opentelemetry-instrumentation-openai-v2",
                "opentelemetry-util-genai",
                "opentelemetry-instrumentation",
                "opentelemetry-semantic-conventions",
                "opentelemetry-sdk",
                "opentelemetry-exporter-otlp-proto-http",
                "openai",
            ),
            content=(
                "OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental and "
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=span_only"
            ),
            session_how=(
                "gen_ai.conversation.id set by the app on a middle 'invoke_agent' span "
                "(child of the turn's root, "
                "parent of the chat span); user.id on the root span"
            ),
            env={
                "OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental",
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only",
            },
        ),
        Scenario(
            name="traceloop-openai",
            convention="traceloop",
            package="opentelemetry-instrumentation-openai",
            requirements=(*OTEL_SDK, "opentelemetry-instrumentation-openai==0.62.4", "openai==2.54.0"),
            relevant=(
                "opentelemetry-instrumentation-openai",
                "opentelemetry-semantic-conventions-ai",
                "opentelemetry-instrumentation",
                "opentelemetry-sdk",
                "opentelemetry-exporter-otlp-proto-http",
                "openai",
            ),
            content="TRACELOOP_TRACE_CONTENT=true (the instrumentation's default)",
            session_how=(
                "traceloop.association.properties.session_id / user_id set as span attributes on the turn's "
                "parent span and, through the instrumentation's association-properties context, "
                "on the LLM span"
            ),
            env={"TRACELOOP_TRACE_CONTENT": "true"},
        ),
        Scenario(
            name="openinference-openai",
            convention="openinference",
            package="openinference-instrumentation-openai",
            requirements=(*OTEL_SDK, "openinference-instrumentation-openai==0.1.66", "openai==2.54.0"),
            relevant=(
                "openinference-instrumentation-openai",
                "openinference-instrumentation",
                "openinference-semantic-conventions",
                "opentelemetry-sdk",
                "opentelemetry-exporter-otlp-proto-http",
                "openai",
            ),
            content="nothing (OpenInference records content by default; OPENINFERENCE_HIDE_* unset)",
            session_how=(
                "openinference.instrumentation.using_session / using_user around each turn: "
                "session.id, user.id on every span"
            ),
        ),
        Scenario(
            name="openinference-langchain",
            convention="openinference",
            package="openinference-instrumentation-langchain",
            requirements=(
                *OTEL_SDK,
                "openinference-instrumentation-langchain==0.1.80",
                # langchain-core 1.8.4 needs langchain-protocol>=0.0.22, which the package index lacks.
                "langchain-core==1.8.3",
                "langchain-openai==1.7.4",
                "openai==3.57.0",
            ),
            relevant=(
                "openinference-instrumentation-langchain",
                "openinference-instrumentation",
                "openinference-semantic-conventions",
                "langchain-core",
                "langchain-openai",
                "opentelemetry-sdk",
                "opentelemetry-exporter-otlp-proto-http",
                "openai",
            ),
            content="nothing (OpenInference records content by default; OPENINFERENCE_HIDE_* unset)",
            session_how=(
                "using_session / using_user around each turn: session.id, user.id on every span "
                "the LangChain tracer makes"
            ),
        ),
        Scenario(
            name="openinference-llama-index",
            convention="openinference",
            package="openinference-instrumentation-llama-index",
            requirements=(
                *OTEL_SDK,
                "openinference-instrumentation-llama-index==4.6.1",
                "llama-index-core==0.14.25",
                "llama-index-llms-openai-like==0.8.1",
            ),
            relevant=(
                "openinference-instrumentation-llama-index",
                "openinference-instrumentation",
                "openinference-semantic-conventions",
                "llama-index-core",
                "llama-index-llms-openai-like",
                "llama-index-llms-openai",
                "opentelemetry-sdk",
                "opentelemetry-exporter-otlp-proto-http",
                "openai",
            ),
            content="nothing (OpenInference records content by default; OPENINFERENCE_HIDE_* unset)",
            session_how=(
                "using_session / using_user around each turn: session.id, user.id on every span "
                "the LlamaIndex instrumentation makes"
            ),
        ),
        Scenario(
            name="langfuse-sdk",
            convention="langfuse",
            package="langfuse",
            requirements=(*OTEL_SDK, "langfuse==5.0.4", "openai==2.54.0"),
            relevant=("langfuse", "opentelemetry-sdk", "opentelemetry-exporter-otlp-proto-http", "openai"),
            content="nothing (the Langfuse SDK records input/output by default)",
            session_how=(
                "langfuse.propagate_attributes(session_id=..., user_id=...) inside the @observe'd turn: "
                "session.id, user.id on every span"
            ),
        ),
        Scenario(
            name="pydantic-ai",
            convention="pydantic_ai",
            package="pydantic-ai-slim",
            requirements=(
                *OTEL_SDK,
                "pydantic-ai-slim[openai]==2.68.0",
                "opentelemetry-processor-baggage==0.66b1",
            ),
            relevant=(
                "pydantic-ai-slim",
                "opentelemetry-processor-baggage",
                "opentelemetry-sdk",
                "opentelemetry-exporter-otlp-proto-http",
                "openai",
            ),
            content="nothing (Agent(instrument=InstrumentationSettings(...)) records content by default)",
            session_how=(
                "pydantic-ai has no session id: OTel baggage session.id / user.id copied onto every span by "
                "opentelemetry-processor-baggage's BaggageSpanProcessor "
                "(what Langfuse's and Logfire's docs suggest)"
            ),
        ),
        Scenario(
            name="mlflow-tracing",
            convention="mlflow",
            package="mlflow-tracing",
            requirements=(*OTEL_SDK, "mlflow-tracing==3.17.2", "openai==2.54.0"),
            relevant=(
                "mlflow-tracing",
                "opentelemetry-sdk",
                "opentelemetry-exporter-otlp-proto-http",
                "openai",
            ),
            content="nothing (MLflow records span inputs/outputs by default)",
            session_how=(
                "mlflow.update_current_trace(session_id=..., user=...) (trace metadata "
                "mlflow.trace.session / mlflow.trace.user, which MLflow's OTLP processor does not export) "
                "plus session.id / user.id set by the app on the root span with MLflow's "
                "LiveSpan.set_attribute (JSON-encoded values)"
            ),
        ),
        Scenario(
            name="google-adk",
            convention="google_adk",
            package="google-adk",
            requirements=(
                # google-adk 2.13.0 caps opentelemetry-api/-sdk at <=1.44; its LiteLLM extra wants < 1.106.3.
                "opentelemetry-api==1.44.0",
                "opentelemetry-sdk==1.44.0",
                "opentelemetry-exporter-otlp-proto-http==1.44.0",
                "opentelemetry-processor-baggage==0.66b1",
                "google-adk==2.13.0",
                "litellm==1.106.2",
            ),
            relevant=(
                "google-adk",
                "google-genai",
                "litellm",
                "openai",
                "opentelemetry-processor-baggage",
                "opentelemetry-sdk",
                "opentelemetry-exporter-otlp-proto-http",
            ),
            content=(
                "ADK_TELEMETRY_SCHEMA_VERSION_OPT_IN=1 (legacy span format with call_llm); "
                "ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS unset (default true)"
            ),
            session_how=(
                "ADK session id from InMemorySessionService.create_session(session_id=...): "
                "gen_ai.conversation.id "
                "on invoke_agent, gcp.vertex.agent.session_id on call_llm; ADK has no user id on spans, so "
                "OTel baggage user.id copied onto every span by opentelemetry-processor-baggage's "
                "BaggageSpanProcessor"
            ),
            env={"ADK_TELEMETRY_SCHEMA_VERSION_OPT_IN": "1", "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        ),
        Scenario(
            name="google-adk-semconv",
            convention="google_adk",
            package="google-adk",
            case_suffix="-semconv",
            requirements=(
                "opentelemetry-api==1.44.0",
                "opentelemetry-sdk==1.44.0",
                "opentelemetry-exporter-otlp-proto-http==1.44.0",
                "opentelemetry-processor-baggage==0.66b1",
                "google-adk==2.13.0",
                "litellm==1.106.2",
            ),
            relevant=(
                "google-adk",
                "google-genai",
                "litellm",
                "openai",
                "opentelemetry-processor-baggage",
                "opentelemetry-sdk",
                "opentelemetry-exporter-otlp-proto-http",
            ),
            content=(
                "ADK_TELEMETRY_SCHEMA_VERSION_OPT_IN unset (ADK 2.x default: format 2, GenAI-semconv "
                "aligned, no call_llm span); OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=SPAN_ONLY "
                "(without it format 2 puts no content on spans)"
            ),
            session_how=(
                "ADK session id from InMemorySessionService.create_session(session_id=...); user.id from "
                "OTel baggage copied onto every span by opentelemetry-processor-baggage's "
                "BaggageSpanProcessor"
            ),
            env={
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "SPAN_ONLY",
                "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            },
        ),
    )
}

OTHER_TARGETS = ("fixtures", "handbuilt")


# --------------------------------------------------------------------------------------------- servers


def _quiet(*_args: Any) -> None:
    return None


class FakeLLMHandler(BaseHTTPRequestHandler):
    """A deterministic OpenAI-compatible chat completions endpoint."""

    server: FakeLLMServer
    log_message = _quiet  # type: ignore[assignment]

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?", 1)[0].rstrip("/")
        if not path.endswith("/chat/completions"):
            self.server.unexpected.append(f"POST {self.path}")
            self._send(404, {"error": {"message": f"fake server: no route {self.path}", "type": "not_found"}})
            return
        request = json.loads(raw or b"{}")
        if request.get("stream"):
            self.server.unexpected.append("streaming request")
            self._send(400, {"error": {"message": "fake server: streaming not supported", "type": "invalid"}})
            return
        self._send(200, self.server.reply(request))

    def do_GET(self) -> None:
        self.server.unexpected.append(f"GET {self.path}")
        self._send(404, {"error": {"message": f"fake server: no route {self.path}", "type": "not_found"}})


class FakeLLMServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeLLMHandler)
        self.lock = threading.Lock()
        self.count = 0
        self.unexpected: list[str] = []

    def reset(self) -> None:
        with self.lock:
            self.count = 0
            self.unexpected = []

    def reply(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.count += 1
            n = self.count
        last_user = ""
        for message in request.get("messages", []):
            if message.get("role") == "user":
                content = message.get("content")
                if isinstance(content, list):
                    content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
                last_user = str(content)
        return {
            "id": f"chatcmpl-fake-{n:04d}",
            "object": "chat.completion",
            "created": FAKE_CREATED,
            "model": request.get("model", "unknown"),
            "system_fingerprint": "fp_fake",
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": f"{FAKE_REPLY_PREFIX} (echo: {last_user})",
                        "refusal": None,
                    },
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": dict(FAKE_USAGE),
        }


OTLP_PATHS = ("/v1/traces", "/api/public/otel/v1/traces")


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes


class RecorderHandler(BaseHTTPRequestHandler):
    """Records OTLP/HTTP trace exports and acknowledges them."""

    server: Recorder
    log_message = _quiet  # type: ignore[assignment]

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?", 1)[0]
        if path not in OTLP_PATHS:
            self.server.unexpected.append(f"POST {self.path}")
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        encoding = (self.headers.get("Content-Encoding") or "").lower()
        if encoding == "gzip":
            raw = gzip.decompress(raw)
        elif encoding == "deflate":
            raw = zlib.decompress(raw)
        headers = {k: v for k, v in self.headers.items()}
        for k in list(headers):
            if k.lower() == "authorization":
                headers[k] = "(masked)"
        with self.server.lock:
            self.server.requests.append(Recorded(path, headers, raw))
        is_json = "json" in (self.headers.get("Content-Type") or "")
        body = b"{}" if is_json else b""  # an empty ExportTraceServiceResponse
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if is_json else "application/x-protobuf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.unexpected.append(f"GET {self.path}")
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RecorderHandler)
        self.lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.unexpected: list[str] = []

    def take(self) -> list[Recorded]:
        with self.lock:
            taken, self.requests, self.unexpected = self.requests, [], []
        return taken


def _serve(server: ThreadingHTTPServer) -> str:
    threading.Thread(target=server.serve_forever, name=type(server).__name__, daemon=True).start()
    host = server.server_address[0]
    name = host.decode() if isinstance(host, (bytes, bytearray)) else host
    return f"http://{name}:{server.server_port}"


# ------------------------------------------------------------------------------------------ OTLP/JSON


def _hex_ids_to_b64(data: dict[str, Any]) -> None:
    for span in _spans(data):
        for holder in (span, *span.get("links", [])):
            for key in ("traceId", "spanId", "parentSpanId"):
                if holder.get(key):
                    holder[key] = base64.b64encode(bytes.fromhex(holder[key])).decode()


def _b64_ids_to_hex(data: dict[str, Any]) -> None:
    for span in _spans(data):
        for holder in (span, *span.get("links", [])):
            for key in ("traceId", "spanId", "parentSpanId"):
                if holder.get(key):
                    holder[key] = base64.b64decode(holder[key]).hex()


def _spans(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        span
        for rs in data.get("resourceSpans", [])
        for ss in rs.get("scopeSpans", [])
        for span in ss.get("spans", [])
    ]


def to_otlp_json(body: bytes, content_type: str = "") -> dict[str, Any]:
    """An OTLP request body (protobuf, or OTLP/JSON) as a normalized, spec-conformant OTLP/JSON dict."""
    from google.protobuf import json_format
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    message = ExportTraceServiceRequest()
    if "json" in content_type or body[:1] == b"{":
        data = json.loads(body)
        _hex_ids_to_b64(data)
        json_format.ParseDict(data, message)
    else:
        message.ParseFromString(body)
    result: dict[str, Any] = json_format.MessageToDict(message, use_integers_for_enums=True)
    _b64_ids_to_hex(result)
    return result


def to_protobuf(body: bytes) -> bytes:
    """An OTLP/JSON body (hex ids) as the OTLP protobuf body of the same request."""
    from google.protobuf import json_format
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    data = json.loads(body)
    _hex_ids_to_b64(data)
    return json_format.ParseDict(data, ExportTraceServiceRequest()).SerializeToString()


def merge(requests: list[dict[str, Any]]) -> dict[str, Any]:
    """One ExportTraceServiceRequest holding every request's resourceSpans, in arrival order."""
    return {"resourceSpans": [rs for request in requests for rs in request.get("resourceSpans", [])]}


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def span_count(data: dict[str, Any]) -> int:
    return len(_spans(data))


# ------------------------------------------------------------------------------------------- venvs


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(scenario: Scenario, rebuild: bool) -> Path:
    """The scenario's cached virtualenv, (re)built when missing, asked for, or its pins changed."""
    venv = VENVS / scenario.name
    stamp = venv / "golden-requirements.txt"
    wanted = "\n".join((*scenario.pip_args, *scenario.requirements)) + "\n"
    if not rebuild and stamp.exists() and stamp.read_text() == wanted and venv_python(venv).exists():
        return venv
    if venv.exists():
        shutil.rmtree(venv)
    print(f"[{scenario.name}] creating {venv.relative_to(REPO)}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            str(venv_python(venv)),
            "-m",
            "pip",
            "install",
            "--quiet",
            *scenario.pip_args,
            *scenario.requirements,
        ],
        check=True,
    )
    stamp.write_text(wanted)
    return venv


def freeze(venv: Path) -> dict[str, str]:
    out = subprocess.run(
        [str(venv_python(venv)), "-m", "pip", "freeze", "--all"], check=True, capture_output=True, text=True
    ).stdout
    versions = {}
    for line in out.splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
            versions[_norm(name)] = version.strip()
    return versions


def venv_python_version(venv: Path) -> str:
    return subprocess.run(
        [str(venv_python(venv)), "-c", "import platform; print(platform.python_version())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


# ------------------------------------------------------------------------------------------ capture


def transport_of(requests: list[Recorded]) -> str:
    kinds = []
    for r in requests:
        ctype = next((v for k, v in r.headers.items() if k.lower() == "content-type"), "")
        enc = next((v for k, v in r.headers.items() if k.lower() == "content-encoding"), "")
        kind = "OTLP/HTTP " + ("JSON" if "json" in ctype else "protobuf") + (f" ({enc})" if enc else "")
        kind += f" POST {r.path}"
        if kind not in kinds:
            kinds.append(kind)
    return "; ".join(kinds)


def capture(
    scenario: Scenario, *, llm: FakeLLMServer, recorder: Recorder, llm_url: str, otlp_url: str, rebuild: bool
) -> Path:
    venv = ensure_venv(scenario, rebuild)
    versions = freeze(venv)
    version = versions[_norm(scenario.package)]
    llm.reset()
    recorder.take()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OTEL_", "LANGFUSE_", "OPENAI_", "TRACELOOP_"))
    }
    env.update(
        {
            "GOLDEN_LLM_BASE_URL": f"{llm_url}/v1",
            "GOLDEN_OTLP_BASE_URL": otlp_url,
            "GOLDEN_OTLP_TRACES_ENDPOINT": f"{otlp_url}/v1/traces",
            "GOLDEN_SESSION_ID": scenario.session_id,
            "GOLDEN_USER_ID": scenario.user_id,
            "GOLDEN_SERVICE_NAME": f"golden-{scenario.name}",
            "OTEL_SERVICE_NAME": f"golden-{scenario.name}",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            **scenario.env,
        }
    )
    script = SCENARIO_DIR / f"{scenario.name}.py"
    print(
        f"[{scenario.name}] running {script.relative_to(REPO)} with {scenario.package} {version}", flush=True
    )
    proc = subprocess.run(  # noqa: PLW1510 (the exit code is checked below, with stderr)
        [str(venv_python(venv)), str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=SCENARIO_DIR,
    )
    if proc.stdout.strip():
        print(proc.stdout.rstrip())
    if proc.returncode != 0:
        raise RuntimeError(f"[{scenario.name}] scenario failed (exit {proc.returncode}):\n{proc.stderr}")
    if proc.stderr.strip():
        print(f"[{scenario.name}] stderr:\n{proc.stderr.rstrip()}", flush=True)
    unexpected = llm.unexpected + recorder.unexpected
    requests = recorder.take()
    if not requests:
        raise RuntimeError(f"[{scenario.name}] nothing was exported")
    if unexpected:
        print(f"[{scenario.name}] WARNING unexpected requests: {unexpected}", flush=True)
    decoded = [
        to_otlp_json(r.body, next((v for k, v in r.headers.items() if k.lower() == "content-type"), ""))
        for r in requests
    ]
    case_dir = CASES / scenario.convention / f"{scenario.package}-{version}{scenario.case_suffix}"
    for old in case_dir.glob("*.otlp.json"):
        old.unlink()
    merged = merge(decoded)
    write_json(case_dir / "0001.otlp.json", merged)
    provenance = {
        "kind": "captured",
        "convention": scenario.convention,
        "instrumentation": {"package": scenario.package, "version": version},
        "packages": {p: versions[_norm(p)] for p in scenario.relevant if _norm(p) in versions},
        "pins": list(scenario.requirements),
        "python": venv_python_version(venv),
        "platform": platform.platform(),
        "captured_on": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"),
        "capture_script": "tests/golden/capture.py",
        "scenario": f"tests/golden/scenarios/{scenario.name}.py",
        "transport": transport_of(requests),
        "requests": [
            {
                "path": r.path,
                "content_type": next((v for k, v in r.headers.items() if k.lower() == "content-type"), ""),
                "content_encoding": next(
                    (v for k, v in r.headers.items() if k.lower() == "content-encoding"), ""
                ),
                "user_agent": next((v for k, v in r.headers.items() if k.lower() == "user-agent"), ""),
                "langfuse_headers": {
                    k: v for k, v in r.headers.items() if k.lower().startswith("x-langfuse")
                },
                "decompressed_bytes": len(r.body),
                "spans": span_count(d),
            }
            for r, d in zip(requests, decoded, strict=True)
        ],
        "content_capture": scenario.content,
        "environment": scenario.env,
        "session": {
            "session_id": scenario.session_id,
            "user_id": scenario.user_id,
            "how": scenario.session_how,
        },
        "llm_server": {
            "kind": "fake OpenAI-compatible /v1/chat/completions (capture.py FakeLLMServer), non-streaming",
            "reply": f"{FAKE_REPLY_PREFIX} (echo: <last user message>)",
            "usage": FAKE_USAGE,
            "calls": llm.count,
        },
    }
    write_json(case_dir / "provenance.json", provenance)
    if not (case_dir / "checks.json").exists():
        print(
            f"[{scenario.name}] NOTE: {case_dir.relative_to(REPO)}/checks.json is missing: write it by hand"
        )
    print(
        f"[{scenario.name}] wrote {case_dir.relative_to(REPO)} "
        f"({len(requests)} requests, {span_count(merged)} spans)"
    )
    return case_dir


# ----------------------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class FixtureCase:
    folder: str
    convention: str
    case: str
    packages: dict[str, str]
    transport: str
    session_how: str
    content: str
    notes: str = ""


FIXTURE_CASES = (
    FixtureCase(
        folder="genai_semconv",
        convention="genai",
        case="opentelemetry-instrumentation-openai-v2-2.4b0-fixture",
        packages={"opentelemetry-instrumentation-openai-v2": "2.4b0", "opentelemetry-util-genai": "1.1b0"},
        transport=(
            "OTLP/HTTP protobuf (gzip) for requests 1-2, protobuf for 3, one OTLP/JSON body (4), "
            "POST /v1/traces"
        ),
        session_how=(
            "gen_ai.conversation.id only on the middle 'agent-turn' span, not on the root nor the LLM span; "
            "no user id"
        ),
        content=(
            "requests 1-2 without content capture (legacy semconv); 3-4 with "
            "OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental, "
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=span_only"
        ),
        notes=(
            "Three sessions: genai-A (traces 1-2, no content), genai-B (trace 3), "
            "genai-C (trace 4, sent as OTLP/JSON)."
        ),
    ),
    FixtureCase(
        folder="openllmetry_openai",
        convention="traceloop",
        case="opentelemetry-instrumentation-openai-0.62.4-fixture",
        packages={"opentelemetry-instrumentation-openai": "0.62.4"},
        transport=(
            "OTLP/HTTP protobuf, POST /v1/traces, SimpleSpanProcessor: one span per request, "
            "children before parents"
        ),
        session_how=(
            "traceloop.association.properties.session_id / user_id on the workflow span and the LLM span "
            "(traceloop-sdk style @workflow, decorators emulated)"
        ),
        content=(
            "traceloop content on (default); content as gen_ai.input.messages / "
            "gen_ai.output.messages with parts"
        ),
    ),
    FixtureCase(
        folder="openinference_langchain",
        convention="openinference",
        case="openinference-instrumentation-langchain-0.1.80-fixture",
        packages={"openinference-instrumentation-langchain": "0.1.80"},
        transport="OTLP/gRPC (two Export calls)",
        session_how="using_session / using_user: session.id, user.id on every span",
        content="OpenInference default (content recorded)",
    ),
    FixtureCase(
        folder="langfuse_v3plus",
        convention="langfuse",
        case="langfuse-5.0.4-fixture",
        packages={"langfuse": "5.0.4"},
        transport=(
            "OTLP/HTTP protobuf (gzip), POST /api/public/otel/v1/traces, x-langfuse-ingestion-version: 4"
        ),
        session_how="propagate_attributes(session_id=..., user_id=...): session.id, user.id on every span",
        content="Langfuse SDK default (input/output recorded)",
        notes="Two sessions (A with three turns, B with one), two users.",
    ),
)


def import_fixtures(fixtures: Path) -> None:
    for fx in FIXTURE_CASES:
        folder = fixtures / fx.folder
        if not folder.is_dir():
            print(f"[fixtures] WARNING {folder} not found, skipped")
            continue
        index = [
            json.loads(line) for line in (folder / "index.jsonl").read_text().splitlines() if line.strip()
        ]
        bodies = sorted(folder.glob("*.bin"))
        decoded = [to_otlp_json(b.read_bytes()) for b in bodies]
        case_dir = CASES / fx.convention / fx.case
        for old in case_dir.glob("*.otlp.json"):
            old.unlink()
        merged = merge(decoded)
        write_json(case_dir / "0001.otlp.json", merged)
        requests = []
        for body, data, entry in zip(bodies, decoded, index, strict=True):
            headers = {k.lower(): v for k, v in entry.get("headers", {}).items()}
            requests.append(
                {
                    "source": f"tests/fixtures/{fx.folder}/{body.name}",
                    "transport": entry.get("transport"),
                    "path": entry.get("path"),
                    "content_type": headers.get("content-type", "application/grpc"),
                    "content_encoding": headers.get("content-encoding", ""),
                    "user_agent": headers.get("user-agent", ""),
                    "langfuse_headers": {k: v for k, v in headers.items() if k.startswith("x-langfuse")},
                    "decompressed_bytes": body.stat().st_size,
                    "spans": span_count(data),
                    "received_at_unix": entry.get("t"),
                }
            )
        received = [r["received_at_unix"] for r in requests if r["received_at_unix"]]
        provenance = {
            "kind": "captured (shared fixture)",
            "convention": fx.convention,
            "source": f"tests/fixtures/{fx.folder} (README.md table, index.jsonl, KEYS.md)",
            "packages": fx.packages,
            "exporter": sorted({r["user_agent"] for r in requests}),
            "python": "3 (exact version not recorded in the fixture)",
            "captured_on": (
                dt.datetime.fromtimestamp(min(received), dt.timezone.utc).strftime("%Y-%m-%d")
                if received
                else None
            ),
            "transport": fx.transport,
            "requests": requests,
            "content_capture": fx.content,
            "session": {"how": fx.session_how},
            "llm_server": "fake OpenAI-compatible server, reply with a Korean sentence, usage 37/12/49",
            "notes": fx.notes,
        }
        write_json(case_dir / "provenance.json", provenance)
        print(
            f"[fixtures] wrote {case_dir.relative_to(REPO)} "
            f"({len(bodies)} requests, {span_count(merged)} spans)"
        )


# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("targets", nargs="*", help="scenario names, 'fixtures', 'handbuilt' (default: all)")
    parser.add_argument("--list", action="store_true", help="print the target names and exit")
    parser.add_argument("--rebuild-venvs", action="store_true", help="recreate the targets' virtualenvs")
    parser.add_argument("--setup-only", action="store_true", help="only build the virtualenvs")
    parser.add_argument(
        "--fixtures",
        type=Path,
        default=DEFAULT_FIXTURES,
        help="the captured fixtures to convert (default: tests/fixtures)",
    )
    args = parser.parse_args(argv)
    all_targets = [*SCENARIOS, *OTHER_TARGETS]
    if args.list:
        print("\n".join(all_targets))
        return 0
    targets = args.targets or all_targets
    unknown = [t for t in targets if t not in all_targets]
    if unknown:
        parser.error(f"unknown targets {unknown}; choose from {all_targets}")

    failures: dict[str, str] = {}
    scenarios = [SCENARIOS[t] for t in targets if t in SCENARIOS]
    if args.setup_only:
        for s in scenarios:
            try:
                ensure_venv(s, args.rebuild_venvs)
            except subprocess.CalledProcessError as exc:
                failures[s.name] = f"pip failed: {exc}"
    else:
        llm, recorder = FakeLLMServer(), Recorder()
        llm_url, otlp_url = _serve(llm), _serve(recorder)
        print(f"fake LLM at {llm_url}, OTLP recorder at {otlp_url}", flush=True)
        try:
            for s in scenarios:
                try:
                    capture(
                        s,
                        llm=llm,
                        recorder=recorder,
                        llm_url=llm_url,
                        otlp_url=otlp_url,
                        rebuild=args.rebuild_venvs,
                    )
                except (RuntimeError, subprocess.SubprocessError, KeyError) as exc:
                    failures[s.name] = str(exc)
                    print(f"[{s.name}] FAILED: {exc}", flush=True)
        finally:
            llm.shutdown()
            recorder.shutdown()
        if "fixtures" in targets:
            import_fixtures(args.fixtures)
        if "handbuilt" in targets:
            sys.path.insert(0, str(HERE))
            handbuilt = importlib.import_module("handbuilt")  # tests/golden/handbuilt.py, beside this script
            for case_dir in handbuilt.write_all(CASES):
                print(f"[handbuilt] wrote {case_dir.relative_to(REPO)}")
    for name, why in failures.items():
        print(f"FAILED {name}: {why.splitlines()[0] if why else ''}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
