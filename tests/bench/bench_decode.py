"""Benchmark: OTLP decode (protobuf and OTLP/JSON) of LLM-sized spans, and decode + translate.

Run from the repository root: ``.venv/bin/python -m tests.bench.bench_decode``.

The request generator (``make_llm_spans``, ``make_llm_request``, ``make_llm_request_json``) is meant
to be reused by the other benchmarks: it builds realistic traces of an LLM application (an agent
turn with chain, retriever, tool and chat spans), each span carrying about 1.5 KB of text in
``gen_ai.input.messages`` / ``gen_ai.output.messages`` or ``input.value`` / ``output.value``,
15-25 attributes, and a couple of events on the chat spans. One trace in four is a Korean
conversation (non-ASCII text costs more to decode).

The machine is shared: read the numbers against the "parse only" lines printed with them.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otel_bridge.model import SpanKind, StatusCode
from otel_bridge.otlp import decode_json, decode_protobuf
from otel_bridge.testing import build_export_request, make_event, make_span, request_to_json

#: The spans of one trace, in the order (name, kind, parent index); index 0 is the root.
_TRACE_SHAPE: tuple[tuple[str, str, int], ...] = (
    ("agent-turn", "agent", -1),
    ("plan", "chain", 0),
    ("chat gpt-4o-mini", "chat", 1),
    ("retrieve documents", "retriever", 0),
    ("tool get_weather", "tool", 0),
    ("chat gpt-4o", "chat", 0),
    ("summarize", "chain", 0),
    ("chat gpt-4o", "chat", 6),
)

_SENTENCE = (
    "the quick brown fox jumps over lazy dog session model token context window answer question history "
    "summary weather Seoul forecast tomorrow rain umbrella retrieval document chunk vector embedding "
    "latency cost invoice customer support refund policy order shipping"
)
_WORDS: tuple[str, ...] = tuple(_SENTENCE.split())
# One trace in four is a Korean conversation: non-ASCII text is slower to decode (UTF-8 → str).
_KOREAN_WORDS: tuple[str, ...] = (
    *_WORDS,
    "한글",
    "창제",
    "연도",
    "세종대왕",
    "질문",
    "답변",
    "날씨",
    "서울",
    "내일",
    "우산",
)

_RESOURCE_ATTRIBUTES: dict[str, Any] = {
    "service.name": "support-agent",
    "service.version": "2.14.0",
    "service.instance.id": "5b1f0e4e-1c7a-4c1b-9a51-0f6f5d1e6c2a",
    "deployment.environment": "production",
    "telemetry.sdk.language": "python",
    "telemetry.sdk.name": "opentelemetry",
    "telemetry.sdk.version": "1.45.2",
    "host.name": "worker-7f9c",
    "process.pid": 4242,
    "process.runtime.name": "cpython",
}


def _text(rng: random.Random, vocabulary: tuple[str, ...], n_chars: int) -> str:
    words: list[str] = []
    size = 0
    while size < n_chars:
        word = rng.choice(vocabulary)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)


def _messages(rng: random.Random, vocabulary: tuple[str, ...], n_chars: int, roles: tuple[str, ...]) -> str:
    share = n_chars // len(roles)
    return json.dumps(
        [
            {"role": role, "parts": [{"type": "text", "content": _text(rng, vocabulary, share)}]}
            for role in roles
        ],
        ensure_ascii=False,
    )


def _attributes(
    rng: random.Random, vocabulary: tuple[str, ...], role: str, session: str, user: str
) -> dict[str, Any]:
    common: dict[str, Any] = {
        "session.id": session,
        "user.id": user,
        "app.request.id": f"req-{rng.getrandbits(48):x}",
    }
    if role == "chat":
        model = rng.choice(("gpt-4o", "gpt-4o-mini", "claude-sonnet-4"))
        input_tokens = rng.randint(200, 4000)
        output_tokens = rng.randint(20, 600)
        return {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": model,
            "gen_ai.response.model": f"{model}-2024-08-06",
            "gen_ai.response.id": f"chatcmpl-{rng.getrandbits(64):x}",
            "gen_ai.request.temperature": 0.2,
            "gen_ai.request.top_p": 0.95,
            "gen_ai.request.max_tokens": 1024,
            "gen_ai.request.stream": False,
            "gen_ai.response.finish_reasons": ["stop"],
            "gen_ai.usage.input_tokens": input_tokens,
            "gen_ai.usage.output_tokens": output_tokens,
            "gen_ai.usage.total_tokens": input_tokens + output_tokens,
            "gen_ai.input.messages": _messages(rng, vocabulary, 760, ("system", "user", "assistant", "user")),
            "gen_ai.output.messages": _messages(rng, vocabulary, 300, ("assistant",)),
            "server.address": "api.openai.com",
            "server.port": 443,
            "gen_ai.conversation.id": session,
            **common,
        }
    if role == "tool":
        return {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": "get_weather",
            "gen_ai.tool.call.id": f"call_{rng.getrandbits(64):x}",
            "gen_ai.tool.type": "function",
            "gen_ai.tool.call.arguments": json.dumps(
                {"city": "Seoul", "days": 2, "note": _text(rng, vocabulary, 300)}
            ),
            "gen_ai.tool.call.result": json.dumps(
                {"forecast": _text(rng, vocabulary, 600)}, ensure_ascii=False
            ),
            "tool.duration_ms": rng.random() * 300,
            "tool.cache_hit": rng.random() < 0.3,
            "tool.retries": 0,
            "tool.tags": ["weather", "external"],
            "tool.config": {"timeout_s": 5.0, "endpoint": "https://weather.example/api"},
            "http.response.status_code": 200,
            **common,
        }
    # agent, chain, retriever: OpenInference-style input/output values.
    return {
        "openinference.span.kind": role.upper(),
        "input.value": json.dumps({"question": _text(rng, vocabulary, 600)}, ensure_ascii=False),
        "input.mime_type": "application/json",
        "output.value": _text(rng, vocabulary, 600),
        "output.mime_type": "text/plain",
        "metadata": json.dumps({"ls_provider": "openai", "ls_run_depth": rng.randint(0, 3)}),
        "llm.token_count.prompt": rng.randint(10, 500),
        "retrieval.top_k": 5,
        "langfuse.trace.tags": ["support", "ko"],
        "langfuse.trace.name": "support-turn",
        "langfuse.environment": "production",
        "langfuse.release": "2.14.0",
        **common,
    }


def make_llm_spans(n_spans: int = 512, seed: int = 7, sessions: str = "session") -> list[Span]:
    """``n_spans`` OTLP spans forming traces of ``_TRACE_SHAPE`` (the last trace may be cut short);
    four traces a session, named ``<sessions>-00000`` on. Every seed gives other ids and other text."""
    rng = random.Random(seed)
    spans: list[Span] = []
    start0 = 1_795_545_060_000_000_000 + (seed % 100_000) * 60_000_000_000
    trace_no = 0
    while len(spans) < n_spans:
        trace_id = rng.getrandbits(128).to_bytes(16, "big")
        span_ids = [rng.getrandbits(64).to_bytes(8, "big") for _ in _TRACE_SHAPE]
        session = f"{sessions}-{trace_no // 4:05d}"
        user = f"user-{trace_no % 37:03d}"
        base = start0 + trace_no * 5_000_000_000
        vocabulary = _KOREAN_WORDS if trace_no % 4 == 3 else _WORDS
        for index, (name, role, parent) in enumerate(_TRACE_SHAPE):
            if len(spans) == n_spans:
                break
            start = base + index * 100_000_000
            end = base + 3_000_000_000 - index * 10_000_000
            events = []
            if role == "chat":
                events = [
                    make_event(
                        "gen_ai.content.prompt", start + 1_000, {"gen_ai.prompt": _text(rng, vocabulary, 60)}
                    ),
                    make_event(
                        "gen_ai.content.completion",
                        end - 1_000,
                        {"gen_ai.completion": _text(rng, vocabulary, 60)},
                    ),
                ]
            failed = role == "tool" and trace_no % 10 == 3
            if failed:
                events.append(
                    make_event(
                        "exception",
                        end - 500,
                        {"exception.type": "TimeoutError", "exception.message": "weather API timed out"},
                    )
                )
            spans.append(
                make_span(
                    name,
                    trace_id=trace_id,
                    span_id=span_ids[index],
                    parent_span_id=span_ids[parent] if parent >= 0 else None,
                    start_time_unix_nano=start,
                    end_time_unix_nano=end,
                    attributes=_attributes(rng, vocabulary, role, session, user),
                    kind=SpanKind.CLIENT if role == "chat" else SpanKind.INTERNAL,
                    status_code=StatusCode.ERROR if failed else StatusCode.UNSET,
                    status_message="weather API timed out" if failed else "",
                    events=events,
                )
            )
        trace_no += 1
    return spans


def make_llm_export_request(
    n_spans: int = 512, seed: int = 7, sessions: str = "session"
) -> ExportTraceServiceRequest:
    """An ``ExportTraceServiceRequest`` of ``n_spans`` LLM-sized spans under one resource and scope."""
    return build_export_request(
        make_llm_spans(n_spans, seed, sessions),
        resource_attributes=_RESOURCE_ATTRIBUTES,
        scope_name="opentelemetry.instrumentation.openai_v2",
        scope_version="2.4b0",
    )


def make_llm_request(n_spans: int = 512, seed: int = 7) -> bytes:
    """The OTLP/HTTP protobuf body of ``make_llm_export_request``."""
    return make_llm_export_request(n_spans, seed).SerializeToString()


def make_llm_request_json(n_spans: int = 512, seed: int = 7) -> bytes:
    """The OTLP/JSON body (spec encoding: hex ids, int64 as strings) of ``make_llm_export_request``."""
    return json.dumps(request_to_json(make_llm_export_request(n_spans, seed)), ensure_ascii=False).encode()


def best_seconds(function: Callable[[], object], repeat: int = 7) -> float:
    """The best wall time of ``repeat`` calls of ``function`` (after one warm-up call)."""
    function()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def run(n_spans: int = 512, repeat: int = 7) -> list[str]:
    """Measure decode (and decode + translate, when available) throughput; return printable lines."""
    body = make_llm_request(n_spans)
    json_body = make_llm_request_json(n_spans)
    lines = [
        f"decode bench: {n_spans} spans/request, protobuf {len(body) / n_spans:.0f} B/span, "
        f"OTLP/JSON {len(json_body) / n_spans:.0f} B/span, best of {repeat}, one thread"
    ]

    def parse_only() -> object:
        return ExportTraceServiceRequest.FromString(body)

    for label, function in (
        ("protobuf parse only (upb)", parse_only),
        ("OTLP/JSON json.loads only", lambda: json.loads(json_body)),
        ("decode_protobuf", lambda: decode_protobuf(body)),
        ("decode_json", lambda: decode_json(json_body)),
    ):
        seconds = best_seconds(function, repeat)
        lines.append(
            f"  {label:<34} {n_spans / seconds:>12,.0f} spans/s  ({seconds * 1e6 / n_spans:.2f} µs/span)"
        )

    try:
        from otel_bridge.translate import translate_spans
    except ImportError:
        lines.append(
            "  decode_protobuf + translate_spans    skipped (otel_bridge.translate.translate_spans missing)"
        )
    else:
        seconds = best_seconds(lambda: translate_spans(decode_protobuf(body).records), repeat)
        lines.append(
            f"  {'decode_protobuf + translate_spans':<34} {n_spans / seconds:>12,.0f} spans/s  "
            f"({seconds * 1e6 / n_spans:.2f} µs/span)"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
