"""Hand-built golden payloads for conventions whose producers cannot run here (``capture.py handbuilt``).

- ``cases/vercel_ai/ai-sdk-handbuilt/``: the Vercel AI SDK (TypeScript) ``experimental_telemetry`` spans,
  after
  docs/reference/conventions.md §3.4 and the AI SDK's telemetry docs ("Collected Data": basic LLM span
  information, call LLM span information, tool call spans).
- ``cases/pydantic_ai/pydantic-ai-handbuilt/``: pydantic-ai's instrumentation (version 2+ message format),
  after
  conventions.md §3.5 and pydantic-ai's ``models/instrumented.py`` / ``_agent_graph.py``; pydantic-ai has no
  session id, so the session sits as ``session.id`` on the ``agent run`` span (as an app's span processor
  would put it) and the user as ``user.id`` on the same span.

Ids and timestamps are fixed, so the output is byte-for-byte reproducible. Both follow the shared story of the
captured cases: a two-turn conversation in one session for one user, against the fake LLM that answers
``FAKE-REPLY: 안녕하세요, 테스트 응답입니다. (echo: <last user message>)`` with usage 37 / 12 / 49.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

T0 = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z in ns
MS = 1_000_000
MODEL = "gpt-4o-mini"
SYSTEM = "You are a concise travel assistant. 간결하게 답하세요."
Q1 = "What is the capital of South Korea? 한국의 수도는 어디인가요?"
Q2 = "How many people live there? 인구는 얼마나 되나요?"
REPLY_PREFIX = "FAKE-REPLY: 안녕하세요, 테스트 응답입니다."


def reply(question: str) -> str:
    return f"{REPLY_PREFIX} (echo: {question})"


def hex_id(seed: str, length: int) -> str:
    """A deterministic lowercase hex id of ``length`` characters."""
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def any_value(value: Any) -> dict[str, Any]:
    """A Python value as an OTLP/JSON ``AnyValue``."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, (list, tuple)):
        return {"arrayValue": {"values": [any_value(v) for v in value]}}
    if isinstance(value, dict):
        return {"kvlistValue": {"values": [{"key": k, "value": any_value(v)} for k, v in value.items()]}}
    raise TypeError(f"no AnyValue for {value!r}")


def attributes(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": any_value(v)} for k, v in values.items()]


def span(
    *,
    trace: str,
    sid: str,
    parent: str | None,
    name: str,
    start_ms: int,
    end_ms: int,
    attrs: dict[str, Any],
    kind: int = 1,
) -> dict[str, Any]:
    result: dict[str, Any] = {"traceId": trace, "spanId": sid}
    if parent:
        result["parentSpanId"] = parent
    result.update(
        {
            "name": name,
            "kind": kind,
            "startTimeUnixNano": str(T0 + start_ms * MS),
            "endTimeUnixNano": str(T0 + end_ms * MS),
            "attributes": attributes(attrs),
            "status": {},
        }
    )
    return result


def js(value: Any) -> str:
    """JSON as JavaScript's ``JSON.stringify`` writes it (no spaces, non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------------------------------ Vercel AI SDK

VERCEL_SESSION = "golden-session-vercel-ai"
VERCEL_USER = "golden-user-vercel-ai"
VERCEL_FUNCTION = "travel-chat"
WEATHER_ARGS = {"city": "Seoul"}
WEATHER_RESULT = {"city": "Seoul", "temperatureC": 3, "conditions": "맑음 (clear)"}


def _vercel_basic(operation: str) -> dict[str, Any]:
    """The AI SDK's "basic LLM span information" plus operation ids."""
    return {
        "operation.name": f"{operation} {VERCEL_FUNCTION}",
        "ai.operationId": operation,
        "resource.name": VERCEL_FUNCTION,
        "ai.model.provider": "openai.chat",
        "ai.model.id": MODEL,
        "ai.settings.maxRetries": 2,
        "ai.telemetry.functionId": VERCEL_FUNCTION,
        "ai.telemetry.metadata.sessionId": VERCEL_SESSION,
        "ai.telemetry.metadata.userId": VERCEL_USER,
        "ai.telemetry.metadata.appVersion": "1.4.2",
    }


def _vercel_messages(history: list[tuple[str, str]]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM}]
    for role, text in history:
        messages.append({"role": role, "content": [{"type": "text", "text": text}]})
    return messages


def _vercel_do_generate(
    *,
    trace: str,
    sid: str,
    parent: str,
    start_ms: int,
    end_ms: int,
    messages: list[Any],
    n: int,
    text: str | None,
    tool_calls: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    finish = "tool-calls" if tool_calls else "stop"
    attrs = _vercel_basic("ai.generateText.doGenerate")
    attrs.update(
        {
            "ai.prompt.format": "messages",
            "ai.prompt.messages": js(messages),
            "ai.prompt.tools": [
                js(
                    {
                        "type": "function",
                        "name": "getWeather",
                        "description": "Current weather in a city",
                        "inputSchema": {
                            "type": "object",
                            "properties": {"city": {"type": "string"}},
                            "required": ["city"],
                            "additionalProperties": False,
                            "$schema": "http://json-schema.org/draft-07/schema#",
                        },
                    }
                )
            ],
            "ai.prompt.toolChoice": js({"type": "auto"}),
            "gen_ai.system": "openai.chat",
            "gen_ai.request.model": MODEL,
            "gen_ai.request.temperature": 0.2,
            "gen_ai.request.max_tokens": 64,
        }
    )
    if text is not None:
        attrs["ai.response.text"] = text
    if tool_calls:
        attrs["ai.response.toolCalls"] = js(tool_calls)
    attrs.update(
        {
            "ai.response.finishReason": finish,
            "ai.response.id": f"chatcmpl-fake-{n:04d}",
            "ai.response.model": MODEL,
            "ai.response.timestamp": "2026-01-01T00:00:00.000Z",
            "ai.response.providerMetadata": js({"openai": {"reasoningTokens": 0, "cachedPromptTokens": 0}}),
            "ai.usage.promptTokens": 37,
            "ai.usage.completionTokens": 12,
            "gen_ai.response.finish_reasons": [finish],
            "gen_ai.response.id": f"chatcmpl-fake-{n:04d}",
            "gen_ai.response.model": MODEL,
            "gen_ai.usage.input_tokens": 37,
            "gen_ai.usage.output_tokens": 12,
        }
    )
    return span(
        trace=trace,
        sid=sid,
        parent=parent,
        name="ai.generateText.doGenerate",
        start_ms=start_ms,
        end_ms=end_ms,
        attrs=attrs,
        kind=3,
    )


def vercel_ai() -> dict[str, Any]:
    """Two ``generateText`` calls (turns); the second one calls a tool and takes two steps."""
    spans: list[dict[str, Any]] = []

    # Turn 1: generateText -> doGenerate.
    t1 = hex_id("vercel-trace-1", 32)
    root1, gen1 = hex_id("vercel-1-root", 16), hex_id("vercel-1-gen", 16)
    outer = _vercel_basic("ai.generateText")
    outer.update(
        {
            "ai.prompt": js({"system": SYSTEM, "messages": [{"role": "user", "content": Q1}]}),
            "ai.settings.maxOutputTokens": 64,
            "ai.response.finishReason": "stop",
            "ai.response.text": reply(Q1),
            "ai.usage.promptTokens": 37,
            "ai.usage.completionTokens": 12,
        }
    )
    spans.append(
        span(trace=t1, sid=root1, parent=None, name="ai.generateText", start_ms=0, end_ms=420, attrs=outer)
    )
    spans.append(
        _vercel_do_generate(
            trace=t1,
            sid=gen1,
            parent=root1,
            start_ms=5,
            end_ms=410,
            n=1,
            messages=_vercel_messages([("user", Q1)]),
            text=reply(Q1),
            tool_calls=None,
        )
    )

    # Turn 2: generateText -> doGenerate (tool call) -> ai.toolCall -> doGenerate (text).
    t2 = hex_id("vercel-trace-2", 32)
    root2 = hex_id("vercel-2-root", 16)
    gen2a, tool2, gen2b = (
        hex_id("vercel-2-gen-a", 16),
        hex_id("vercel-2-tool", 16),
        hex_id("vercel-2-gen-b", 16),
    )
    history = [("user", Q1), ("assistant", reply(Q1)), ("user", Q2)]
    call = {
        "toolCallType": "function",
        "toolCallId": "call_fake_0001",
        "toolName": "getWeather",
        "input": js(WEATHER_ARGS),
    }
    step2_messages = [
        *_vercel_messages(history),
        {
            "role": "assistant",
            "content": [
                {
                    "type": "tool-call",
                    "toolCallId": "call_fake_0001",
                    "toolName": "getWeather",
                    "input": WEATHER_ARGS,
                }
            ],
        },
        {
            "role": "tool",
            "content": [
                {
                    "type": "tool-result",
                    "toolCallId": "call_fake_0001",
                    "toolName": "getWeather",
                    "output": {"type": "json", "value": WEATHER_RESULT},
                }
            ],
        },
    ]
    outer2 = _vercel_basic("ai.generateText")
    outer2.update(
        {
            "ai.prompt": js({"system": SYSTEM, "messages": [{"role": r, "content": t} for r, t in history]}),
            "ai.settings.maxOutputTokens": 64,
            "ai.response.finishReason": "stop",
            "ai.response.text": reply(Q2),
            "ai.usage.promptTokens": 74,
            "ai.usage.completionTokens": 24,
        }
    )
    spans.append(
        span(
            trace=t2, sid=root2, parent=None, name="ai.generateText", start_ms=5000, end_ms=6200, attrs=outer2
        )
    )
    spans.append(
        _vercel_do_generate(
            trace=t2,
            sid=gen2a,
            parent=root2,
            start_ms=5005,
            end_ms=5400,
            n=2,
            messages=_vercel_messages(history),
            text=None,
            tool_calls=[call],
        )
    )
    tool_attrs = {
        "operation.name": f"ai.toolCall {VERCEL_FUNCTION}",
        "ai.operationId": "ai.toolCall",
        "resource.name": VERCEL_FUNCTION,
        "ai.telemetry.functionId": VERCEL_FUNCTION,
        "ai.telemetry.metadata.sessionId": VERCEL_SESSION,
        "ai.telemetry.metadata.userId": VERCEL_USER,
        "ai.telemetry.metadata.appVersion": "1.4.2",
        "ai.toolCall.name": "getWeather",
        "ai.toolCall.id": "call_fake_0001",
        "ai.toolCall.args": js(WEATHER_ARGS),
        "ai.toolCall.result": js(WEATHER_RESULT),
    }
    spans.append(
        span(
            trace=t2,
            sid=tool2,
            parent=root2,
            name="ai.toolCall",
            start_ms=5401,
            end_ms=5450,
            attrs=tool_attrs,
        )
    )
    spans.append(
        _vercel_do_generate(
            trace=t2,
            sid=gen2b,
            parent=root2,
            start_ms=5451,
            end_ms=6190,
            n=3,
            messages=step2_messages,
            text=reply(Q2),
            tool_calls=None,
        )
    )

    # The JS SDK's BatchSpanProcessor exports children as they end: order by end time, like it would.
    spans.sort(key=lambda s: int(s["endTimeUnixNano"]))
    resource = {
        "service.name": "golden-vercel-ai",
        "telemetry.sdk.language": "nodejs",
        "telemetry.sdk.name": "opentelemetry",
        "telemetry.sdk.version": "2.0.1",
        "deployment.environment.name": "golden",
    }
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": attributes(resource)},
                "scopeSpans": [{"scope": {"name": "ai"}, "spans": spans}],
            }
        ]
    }


# ------------------------------------------------------------------------------------------------ pydantic-ai

PYDANTIC_SESSION = "golden-session-pydantic-ai"
PYDANTIC_USER = "golden-user-pydantic-ai"
AGENT = "travel_agent"


def _parts_messages(history: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Messages in the OTel GenAI ``parts`` format that pydantic-ai's instrumentation v2+ writes."""
    out = []
    for role, text in history:
        message: dict[str, Any] = {"role": role, "parts": [{"type": "text", "content": text}]}
        if role == "assistant":
            message["finish_reason"] = "stop"
        out.append(message)
    return out


def pydantic_ai() -> dict[str, Any]:
    """Two ``agent.run`` calls (turns), each an ``agent run`` span with one ``chat gpt-4o-mini`` child."""
    spans: list[dict[str, Any]] = []
    turns = [(Q1, [("user", Q1)]), (Q2, [("user", Q1), ("assistant", reply(Q1)), ("user", Q2)])]
    for i, (question, history) in enumerate(turns, start=1):
        trace = hex_id(f"pydantic-trace-{i}", 32)
        agent_id, chat_id = hex_id(f"pydantic-{i}-agent", 16), hex_id(f"pydantic-{i}-chat", 16)
        base = (i - 1) * 5000
        answer = reply(question)
        input_messages = _parts_messages(history)
        output_messages = _parts_messages([("assistant", answer)])
        chat_attrs = {
            "gen_ai.operation.name": "chat",
            "gen_ai.system": "openai",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": MODEL,
            "server.address": "127.0.0.1",
            "server.port": 8000,
            "model_request_parameters": js(
                {
                    "function_tools": [],
                    "builtin_tools": [],
                    "output_mode": "text",
                    "output_object": None,
                    "output_tools": [],
                    "allow_text_output": True,
                }
            ),
            "gen_ai.request.temperature": 0.2,
            "gen_ai.request.max_tokens": 64,
            "logfire.span_type": "span",
            "logfire.msg": f"chat {MODEL}",
            "gen_ai.system_instructions": js([{"type": "text", "content": SYSTEM}]),
            "gen_ai.input.messages": js(input_messages),
            "gen_ai.output.messages": js(output_messages),
            "gen_ai.usage.input_tokens": 37,
            "gen_ai.usage.output_tokens": 12,
            "gen_ai.response.model": MODEL,
            "gen_ai.response.id": f"chatcmpl-fake-{i:04d}",
            "gen_ai.response.finish_reasons": ["stop"],
            "logfire.json_schema": js(
                {
                    "type": "object",
                    "properties": {
                        "gen_ai.input.messages": {"type": "array"},
                        "gen_ai.output.messages": {"type": "array"},
                        "gen_ai.system_instructions": {"type": "array"},
                        "model_request_parameters": {"type": "object"},
                    },
                }
            ),
        }
        all_messages = [{"role": "system", "parts": [{"type": "text", "content": SYSTEM}]}]
        all_messages += input_messages + output_messages
        agent_attrs = {
            "model_name": MODEL,
            "agent_name": AGENT,
            "gen_ai.agent.name": AGENT,
            "logfire.msg": f"{AGENT} run",
            "logfire.span_type": "span",
            "session.id": PYDANTIC_SESSION,
            "user.id": PYDANTIC_USER,
            "final_result": answer,
            "gen_ai.usage.input_tokens": 37,
            "gen_ai.usage.output_tokens": 12,
            "pydantic_ai.all_messages": js(all_messages),
            "pydantic_ai.new_message_index": 0 if i == 1 else 2,
            "logfire.json_schema": js(
                {
                    "type": "object",
                    "properties": {
                        "pydantic_ai.all_messages": {"type": "array"},
                        "final_result": {"type": "object"},
                    },
                }
            ),
        }
        spans.append(
            span(
                trace=trace,
                sid=chat_id,
                parent=agent_id,
                name=f"chat {MODEL}",
                start_ms=base + 10,
                end_ms=base + 400,
                attrs=chat_attrs,
                kind=3,
            )
        )
        spans.append(
            span(
                trace=trace,
                sid=agent_id,
                parent=None,
                name="agent run",
                start_ms=base,
                end_ms=base + 410,
                attrs=agent_attrs,
            )
        )
    resource = {
        "service.name": "golden-pydantic-ai",
        "telemetry.sdk.language": "python",
        "telemetry.sdk.name": "opentelemetry",
        "telemetry.sdk.version": "1.45.2",
        "deployment.environment.name": "golden",
    }
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": attributes(resource)},
                "scopeSpans": [{"scope": {"name": "pydantic-ai", "version": "2.68.0"}, "spans": spans}],
            }
        ]
    }


# ------------------------------------------------------------------------------------------------------ write

PROVENANCE = {
    "vercel_ai/ai-sdk-handbuilt": {
        "kind": "hand-built",
        "convention": "vercel_ai",
        "producer": (
            "Vercel AI SDK (TypeScript) experimental_telemetry, scope 'ai' (hand-built: no Python producer)"
        ),
        "sources": [
            "docs/reference/conventions.md §3.4 (Vercel AI SDK), §1.5-1.8 (Langfuse's handling)",
            "AI SDK docs, telemetry 'Collected Data': generateText / doGenerate / ai.toolCall span "
            "attributes",
        ],
        "builder": "tests/golden/handbuilt.py vercel_ai()",
        "transport": (
            "as the JS OTLP/HTTP exporter would send it (one OTLP/JSON body); ids and times are fixed"
        ),
        "session": {
            "session_id": VERCEL_SESSION,
            "user_id": VERCEL_USER,
            "how": "experimental_telemetry.metadata {sessionId, userId} -> "
            "ai.telemetry.metadata.sessionId/userId "
            "on every span of the call",
        },
        "content_capture": "recordInputs/recordOutputs default (on)",
        "notes": "Turn 2 takes two steps: doGenerate (finishReason tool-calls) -> ai.toolCall getWeather -> "
        "doGenerate (text). The outer ai.generateText spans carry ai.model.id and the summed ai.usage.* "
        "(74/24 in turn 2) but no gen_ai.* keys.",
    },
    "pydantic_ai/pydantic-ai-handbuilt": {
        "kind": "hand-built",
        "convention": "pydantic_ai",
        "producer": (
            "pydantic-ai Agent(instrument=True), instrumentation version 2+ message format, "
            "scope 'pydantic-ai'"
        ),
        "sources": [
            "docs/reference/conventions.md §3.5 (Pydantic Logfire / pydantic-ai), §1.6 steps 9, 11, 16, 20",
            "pydantic-ai pydantic_ai_slim/pydantic_ai/models/instrumented.py (chat span attributes)",
        ],
        "builder": "tests/golden/handbuilt.py pydantic_ai()",
        "transport": "as the Python OTLP/HTTP exporter would send it; ids and times are fixed",
        "session": {
            "session_id": PYDANTIC_SESSION,
            "user_id": PYDANTIC_USER,
            "how": "pydantic-ai has no session id: session.id and user.id on the 'agent run' span only",
        },
        "content_capture": "InstrumentationSettings(include_content=True) default",
    },
}


def write_all(cases: Path) -> list[Path]:
    """Write every hand-built case under ``cases``; return their directories."""
    written = []
    for rel, build in (
        ("vercel_ai/ai-sdk-handbuilt", vercel_ai),
        ("pydantic_ai/pydantic-ai-handbuilt", pydantic_ai),
        ("google_adk/google-adk-handbuilt", google_adk),
        ("mlflow/mlflow-handbuilt", mlflow_),
    ):
        case_dir = cases / rel
        case_dir.mkdir(parents=True, exist_ok=True)
        for name, data in (("0001.otlp.json", build()), ("provenance.json", PROVENANCE[rel])):
            (case_dir / name).write_text(
                json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        written.append(case_dir)
    return written


# ------------------------------------------------------------------------------------------------ Google ADK

ADK_SESSION = "golden-session-google-adk-handbuilt"
ADK_USER = "golden-user-google-adk-handbuilt"
ADK_MODEL = "gemini-2.5-flash"
ADK_AGENT = "travel_agent"
ADK_DESCRIPTION = "Answers travel questions."
ADK_INSTRUCTION = (
    f'{SYSTEM}\n\nYou are an agent. Your internal name is "{ADK_AGENT}". '
    f'The description about you is "{ADK_DESCRIPTION}".'
)
ADK_TOOL = {
    "function_declarations": [
        {
            "description": "Current weather in a city",
            "name": "get_weather",
            "parameters": {
                "properties": {"city": {"type": "STRING"}},
                "required": ["city"],
                "type": "OBJECT",
            },
        }
    ]
}
ADK_CALL_ID = "adk-fc-0001"


def py_json(value: Any) -> str:
    """JSON as ADK's ``safe_json_serialize`` writes it (``json.dumps``: ", " / ": ", non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False)


def _adk_text(role: str, text: str) -> dict[str, Any]:
    return {"parts": [{"text": text}], "role": role}


def _adk_call_llm(
    *,
    trace: str,
    sid: str,
    parent: str,
    start_ms: int,
    end_ms: int,
    invocation: str,
    event: str,
    contents: list[dict[str, Any]],
    content: dict[str, Any],
    usage: dict[str, int],
) -> dict[str, Any]:
    """ADK's legacy-format ``call_llm`` span (``trace_call_llm``): a pydantic dump of the request
    (``json.dumps``) and of the response (``model_dump_json``, compact)."""
    request = {
        "model": ADK_MODEL,
        "config": {
            "system_instruction": ADK_INSTRUCTION,
            "temperature": 0.2,
            "max_output_tokens": 64,
            "tools": [ADK_TOOL],
            "labels": {"adk_agent_name": ADK_AGENT},
        },
        "contents": contents,
    }
    response = {
        "model_version": ADK_MODEL,
        "content": content,
        "partial": False,
        "finish_reason": "STOP",
        "usage_metadata": usage,
    }
    thoughts = usage.get("thoughts_token_count", 0)
    attrs: dict[str, Any] = {
        "gen_ai.system": "gcp.vertex.agent",
        "gen_ai.request.model": ADK_MODEL,
        "gcp.vertex.agent.invocation_id": invocation,
        "gcp.vertex.agent.session_id": ADK_SESSION,
        "gcp.vertex.agent.event_id": event,
        "gcp.vertex.agent.llm_request": py_json(request),
        "gen_ai.request.max_tokens": 64,
        "gcp.vertex.agent.llm_response": js(response),
        "gen_ai.usage.input_tokens": usage["prompt_token_count"],
        "gen_ai.usage.output_tokens": usage["candidates_token_count"] + thoughts,
    }
    if "cached_content_token_count" in usage:
        attrs["gen_ai.usage.cache_read.input_tokens"] = usage["cached_content_token_count"]
    if thoughts:
        attrs["gen_ai.usage.reasoning.output_tokens"] = thoughts
    attrs["gen_ai.response.finish_reasons"] = ["stop"]
    return span(
        trace=trace, sid=sid, parent=parent, name="call_llm", start_ms=start_ms, end_ms=end_ms, attrs=attrs
    )


def google_adk() -> dict[str, Any]:
    """Two runs of an ADK ``LlmAgent`` (Gemini) in one session, ADK's legacy span format; the second run calls
    a function tool: ``call_llm`` (function_call) → ``execute_tool get_weather`` → ``call_llm`` (text)."""
    spans: list[dict[str, Any]] = []
    usage = {"candidates_token_count": 12, "prompt_token_count": 37, "total_token_count": 49}
    weather_response = {"city": "Seoul", "temperatureC": 3, "conditions": "맑음 (clear)"}

    def run(i: int, base: int, end: int) -> tuple[str, str, str]:
        trace = hex_id(f"adk-trace-{i}", 32)
        root, agent = hex_id(f"adk-{i}-invocation", 16), hex_id(f"adk-{i}-agent", 16)
        # ADK's root 'invocation' span has no attributes; user.id is the app's (ADK has no user on spans).
        spans.append(
            span(
                trace=trace,
                sid=root,
                parent=None,
                name="invocation",
                start_ms=base,
                end_ms=end,
                attrs={"user.id": ADK_USER},
            )
        )
        spans.append(
            span(
                trace=trace,
                sid=agent,
                parent=root,
                name=f"invoke_agent {ADK_AGENT}",
                start_ms=base + 2,
                end_ms=end - 1,
                attrs={
                    "gen_ai.operation.name": "invoke_agent",
                    "gen_ai.agent.description": ADK_DESCRIPTION,
                    "gen_ai.agent.name": ADK_AGENT,
                    "gen_ai.conversation.id": ADK_SESSION,
                },
            )
        )
        return trace, agent, f"e-{hex_id(f'adk-{i}-invocation-id', 8)}"

    # Run 1: one call_llm.
    trace, agent, invocation = run(1, 0, 420)
    spans.append(
        _adk_call_llm(
            trace=trace,
            sid=hex_id("adk-1-llm", 16),
            parent=agent,
            start_ms=10,
            end_ms=410,
            invocation=invocation,
            event=hex_id("adk-1-event", 8),
            contents=[_adk_text("user", Q1)],
            content=_adk_text("model", reply(Q1)),
            usage=usage,
        )
    )

    # Run 2: call_llm (function call, with thinking) -> execute_tool -> call_llm (text, prompt partly cached).
    trace, agent, invocation = run(2, 5000, 6300)
    history = [_adk_text("user", Q1), _adk_text("model", reply(Q1)), _adk_text("user", Q2)]
    call_part = {"function_call": {"id": ADK_CALL_ID, "args": {"city": "Seoul"}, "name": "get_weather"}}
    spans.append(
        _adk_call_llm(
            trace=trace,
            sid=hex_id("adk-2-llm-a", 16),
            parent=agent,
            start_ms=5010,
            end_ms=5400,
            invocation=invocation,
            event=hex_id("adk-2-event-a", 8),
            contents=history,
            content={"parts": [call_part], "role": "model"},
            usage={**usage, "thoughts_token_count": 6, "total_token_count": 55},
        )
    )
    tool_event = hex_id("adk-2-event-tool", 8)
    spans.append(
        span(
            trace=trace,
            sid=hex_id("adk-2-tool", 16),
            parent=agent,
            name="execute_tool get_weather",
            start_ms=5401,
            end_ms=5450,
            attrs={
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.description": "Current weather in a city",
                "gen_ai.tool.name": "get_weather",
                "gen_ai.tool.type": "FunctionTool",
                "gen_ai.agent.name": ADK_AGENT,
                "gcp.vertex.agent.llm_request": "{}",
                "gcp.vertex.agent.llm_response": "{}",
                "gcp.vertex.agent.tool_call_args": py_json({"city": "Seoul"}),
                "gen_ai.tool.call.id": ADK_CALL_ID,
                "gcp.vertex.agent.event_id": tool_event,
                "gcp.vertex.agent.tool_response": py_json(weather_response),
            },
        )
    )
    response_part = {
        "function_response": {"id": ADK_CALL_ID, "name": "get_weather", "response": weather_response}
    }
    spans.append(
        _adk_call_llm(
            trace=trace,
            sid=hex_id("adk-2-llm-b", 16),
            parent=agent,
            start_ms=5451,
            end_ms=6280,
            invocation=invocation,
            event=hex_id("adk-2-event-b", 8),
            contents=[
                *history,
                {"parts": [call_part], "role": "model"},
                {"parts": [response_part], "role": "user"},
            ],
            content=_adk_text("model", reply(Q2)),
            usage={**usage, "cached_content_token_count": 16},
        )
    )

    spans.sort(key=lambda s: int(s["endTimeUnixNano"]))  # BatchSpanProcessor: in the order spans end
    resource = {
        "service.name": "golden-google-adk",
        "telemetry.sdk.language": "python",
        "telemetry.sdk.name": "opentelemetry",
        "telemetry.sdk.version": "1.37.0",
        "deployment.environment.name": "golden",
    }
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": attributes(resource)},
                "scopeSpans": [{"scope": {"name": "gcp.vertex.agent", "version": "1.18.0"}, "spans": spans}],
            }
        ]
    }


# ---------------------------------------------------------------------------------------------------- MLflow

MLFLOW_SESSION = "golden-session-mlflow-handbuilt"
MLFLOW_USER = "golden-user-mlflow-handbuilt"


def dumped(value: Any) -> str:
    """An attribute value JSON-encoded as MLflow's ``dump_span_attribute_value`` does (here with
    ``json.dumps``'s default ASCII escapes; 3.17.2 keeps non-ASCII: both must decode alike)."""
    return json.dumps(value)


def mlflow_() -> dict[str, Any]:
    """Two MLflow traces (turns) in the older MLflow 3 shape: a ``CHAIN`` root with a ``CHAT_MODEL`` child
    carrying ``mlflow.chat.messages`` (the history plus the reply; removed in MLflow 3.3.0) and
    ``mlflow.chat.tokenUsage`` (with cached tokens). Session and user sit on the root as plain
    ``session.id`` / ``user.id``, as MLflow's Databricks UC-table processor writes them from the trace
    metadata (raw OTel attributes, not JSON-encoded)."""
    spans: list[dict[str, Any]] = []
    turns = [(Q1, [("user", Q1)]), (Q2, [("user", Q1), ("assistant", reply(Q1)), ("user", Q2)])]
    for i, (question, history) in enumerate(turns, start=1):
        trace = hex_id(f"mlflow-trace-{i}", 32)
        request_id = f"tr-{trace}"
        root, chat = hex_id(f"mlflow-{i}-root", 16), hex_id(f"mlflow-{i}-chat", 16)
        base = (i - 1) * 5000
        answer = reply(question)
        messages = [{"role": "system", "content": SYSTEM}] + [{"role": r, "content": t} for r, t in history]
        completion = {
            "id": f"chatcmpl-fake-{i:04d}",
            "object": "chat.completion",
            "created": 1767225600,
            "model": MODEL,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 37, "completion_tokens": 12, "total_tokens": 49},
        }
        spans.append(
            span(
                trace=trace,
                sid=chat,
                parent=root,
                name="Completions",
                start_ms=base + 10,
                end_ms=base + 400,
                kind=1,
                attrs={
                    "mlflow.traceRequestId": dumped(request_id),
                    "mlflow.spanType": dumped("CHAT_MODEL"),
                    "mlflow.spanInputs": dumped(
                        {"model": MODEL, "messages": messages, "temperature": 0.2, "max_tokens": 64}
                    ),
                    "model": dumped(MODEL),
                    "temperature": dumped(0.2),
                    "max_tokens": dumped(64),
                    "mlflow.chat.messages": dumped([*messages, {"role": "assistant", "content": answer}]),
                    "mlflow.message.format": dumped("openai"),
                    "mlflow.llm.model": dumped(MODEL),
                    "mlflow.chat.tokenUsage": dumped(
                        {
                            "input_tokens": 37,
                            "output_tokens": 12,
                            "total_tokens": 49,
                            "cache_read_input_tokens": 5,
                        }
                    ),
                    "mlflow.spanOutputs": dumped(completion),
                },
            )
        )
        spans.append(
            span(
                trace=trace,
                sid=root,
                parent=None,
                name="travel_turn",
                start_ms=base,
                end_ms=base + 410,
                attrs={
                    "mlflow.traceRequestId": dumped(request_id),
                    "mlflow.spanType": dumped("CHAIN"),
                    "mlflow.spanFunctionName": dumped("travel_turn"),
                    "mlflow.spanInputs": dumped({"question": question}),
                    "mlflow.spanOutputs": dumped(answer),
                    "user.id": MLFLOW_USER,
                    "session.id": MLFLOW_SESSION,
                },
            )
        )
    resource = {
        "telemetry.sdk.language": "python",
        "telemetry.sdk.name": "mlflow",
        "telemetry.sdk.version": "3.2.0",
        "service.name": "golden-mlflow",
    }
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": attributes(resource)},
                "scopeSpans": [{"scope": {"name": "mlflow.tracing.provider"}, "spans": spans}],
            }
        ]
    }


PROVENANCE.update(
    {
        "google_adk/google-adk-handbuilt": {
            "kind": "hand-built",
            "convention": "google_adk",
            "producer": (
                "Google ADK LlmAgent (Gemini) built-in tracing, legacy span format (ADK 1.x; "
                "ADK_TELEMETRY_SCHEMA_VERSION_OPT_IN=1 on 2.x), scope 'gcp.vertex.agent'"
            ),
            "sources": [
                "docs/reference/conventions.md §3.7 (Google ADK), §0.4, §1.6 step 8",
                "google/adk-python src/google/adk/telemetry/tracing.py (trace_agent_invocation, "
                "trace_call_llm, "
                "trace_tool_call, _build_llm_request_for_trace) and telemetry/_token_usage.py, as installed "
                "with google-adk 2.13.0",
                "the captured cases/google_adk/google-adk-2.13.0 (same call_llm shape; here without the "
                "generate_content child that ADK 2.x adds)",
            ],
            "builder": "tests/golden/handbuilt.py google_adk()",
            "transport": "as the Python OTLP/HTTP exporter would send it; ids and times are fixed",
            "session": {
                "session_id": ADK_SESSION,
                "user_id": ADK_USER,
                "how": "ADK session id: gen_ai.conversation.id on invoke_agent, gcp.vertex.agent.session_id "
                "on call_llm; ADK has no user id on spans, so user.id sits on the 'invocation' root only, "
                "as an app's span processor would put it",
            },
            "content_capture": "ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS default (true)",
            "notes": "Run 2 calls a function tool: call_llm (function_call get_weather, 6 thoughts tokens) "
            "-> execute_tool get_weather (llm_request/llm_response '{}', tool_call_args, tool_response) -> "
            "call_llm (function_response in the request, 16 cached prompt tokens).",
        },
        "mlflow/mlflow-handbuilt": {
            "kind": "hand-built",
            "convention": "mlflow",
            "producer": "MLflow tracing (older MLflow 3 attribute set), scope 'mlflow.tracing.provider'",
            "sources": [
                "docs/reference/conventions.md §3.6 (MLflow tracing)",
                "mlflow/mlflow mlflow/tracing/constant.py (SpanAttributeKey: CHAT_MESSAGES before 3.3.0, "
                "CHAT_USAGE, MODEL, USER_ID/SESSION_ID) and mlflow/tracing/processor/uc_table.py "
                "(session/user copied to the root span), as installed with mlflow-tracing 3.17.2",
                "the captured cases/mlflow/mlflow-tracing-3.17.2 (span names, JSON encoding, "
                "spanInputs/Outputs)",
            ],
            "builder": "tests/golden/handbuilt.py mlflow_()",
            "transport": "as MLflow's OTLP/HTTP exporter would send it; ids and times are fixed",
            "session": {
                "session_id": MLFLOW_SESSION,
                "user_id": MLFLOW_USER,
                "how": "plain session.id / user.id on the root span only (what MLflow's UC-table processor "
                "writes from mlflow.trace.session / mlflow.trace.user; its OTLP processor writes nothing)",
            },
            "content_capture": "MLflow default (span inputs/outputs recorded)",
            "notes": "mlflow.chat.messages was removed in MLflow 3.3.0 (mlflow/mlflow#16762); the exact "
            "release each other key appeared in was not verified.",
        },
    }
)


if __name__ == "__main__":
    for path in write_all(Path(__file__).resolve().parent / "cases"):
        print(path)
