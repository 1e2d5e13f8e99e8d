"""The writers of three instrumentation libraries: the OpenTelemetry GenAI semantic conventions,
OpenInference and OpenLLMetry (Traceloop)."""

from __future__ import annotations

import json

from otel_bridge.demo.planner import Generation, Message, SessionPlan, ToolCall, Turn
from otel_bridge.demo.writers import Attributes, finish_reason


def _genai_parts(message: Message) -> dict[str, object]:
    if message.tool_name is not None:
        parts: list[dict[str, object]] = [
            {
                "type": "tool_call",
                "id": message.tool_call_id,
                "name": message.tool_name,
                "arguments": json.loads(message.tool_arguments or "{}"),
            }
        ]
    elif message.role == "tool":
        parts = [{"type": "tool_call_response", "id": message.tool_call_id, "result": message.content}]
    else:
        parts = [{"type": "text", "content": message.content}]
    return {"role": message.role, "parts": parts}


class GenAi:
    """OpenTelemetry GenAI semantic conventions (``opentelemetry-instrumentation-openai-v2`` style)."""

    scope = "opentelemetry.instrumentation.openai_v2"
    session_key = "gen_ai.conversation.id"

    def session(self, plan: SessionPlan) -> Attributes:
        """``gen_ai.conversation.id`` and the generic ``user.id``."""
        return {self.session_key: plan.id, "user.id": plan.user_id}

    def root(self, plan: SessionPlan, turn: Turn) -> tuple[str, Attributes]:
        """``invoke_agent``, with its children's usage rolled up (which otel-bridge must not count twice)."""
        calls = turn.generations
        attributes: Attributes = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": plan.scenario.agent,
            "gen_ai.provider.name": calls[-1].provider,
            "gen_ai.request.model": calls[-1].model,
            "gen_ai.input.messages": json.dumps([_genai_parts(Message("user", turn.user))]),
            "gen_ai.usage.input_tokens": sum(c.input_tokens for c in calls),
            "gen_ai.usage.output_tokens": sum(c.output_tokens for c in calls),
        }
        if turn.answer:
            attributes["gen_ai.output.messages"] = json.dumps(
                [{**_genai_parts(Message("assistant", turn.answer)), "finish_reason": "stop"}]
            )
        return f"invoke_agent {plan.scenario.agent}", attributes

    def generation(self, plan: SessionPlan, call: Generation) -> tuple[str, Attributes]:
        """``chat {model}`` with JSON messages and ``gen_ai.usage.*``."""
        system = [m for m in call.input if m.role == "system"]
        attributes: Attributes = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": call.provider,
            "gen_ai.request.model": call.model,
            "gen_ai.request.temperature": call.temperature,
            "gen_ai.request.max_tokens": call.max_tokens,
            "gen_ai.input.messages": json.dumps([_genai_parts(m) for m in call.input if m.role != "system"]),
        }
        if system:
            attributes["gen_ai.system_instructions"] = json.dumps(
                [{"type": "text", "content": m.content} for m in system]
            )
        if call.output is not None:
            attributes.update(
                {
                    "gen_ai.response.model": call.response_model,
                    "gen_ai.response.id": f"chatcmpl-{call.start_ns % 10**12:012d}",
                    "gen_ai.response.finish_reasons": (finish_reason(call),),
                    "gen_ai.output.messages": json.dumps(
                        [{**_genai_parts(call.output), "finish_reason": finish_reason(call)}]
                    ),
                    "gen_ai.usage.input_tokens": call.input_tokens,
                    "gen_ai.usage.output_tokens": call.output_tokens,
                }
            )
            if call.cached_tokens:
                attributes["gen_ai.usage.cache_read.input_tokens"] = call.cached_tokens
        return f"chat {call.model}", attributes

    def tool(self, plan: SessionPlan, call: ToolCall) -> tuple[str, Attributes]:
        """``execute_tool {name}``."""
        attributes: Attributes = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": call.name,
            "gen_ai.tool.description": call.description,
            "gen_ai.tool.type": "function",
            "gen_ai.tool.call.id": call.call_id,
            "gen_ai.tool.call.arguments": call.arguments,
        }
        if call.result:
            attributes["gen_ai.tool.call.result"] = call.result
        return f"execute_tool {call.name}", attributes


class OpenInference:
    """OpenInference (Arize Phoenix, LlamaIndex, smolagents...): indexed ``llm.*`` messages."""

    scope = "openinference.instrumentation.anthropic"
    session_key = "session.id"

    def session(self, plan: SessionPlan) -> Attributes:
        """``session.id`` and ``user.id``, as ``using_session`` / ``using_user`` stamp them."""
        return {self.session_key: plan.id, "user.id": plan.user_id}

    def root(self, plan: SessionPlan, turn: Turn) -> tuple[str, Attributes]:
        """An AGENT span with ``input.value`` / ``output.value``."""
        attributes: Attributes = {
            "openinference.span.kind": "AGENT",
            "agent.name": plan.scenario.agent,
            "input.value": turn.user,
            "input.mime_type": "text/plain",
            "tag.tags": ("demo", plan.scenario.service),
        }
        if turn.answer:
            attributes.update({"output.value": turn.answer, "output.mime_type": "text/plain"})
        return plan.scenario.agent, attributes

    def generation(self, plan: SessionPlan, call: Generation) -> tuple[str, Attributes]:
        """An LLM span: ``llm.input_messages.N.message.*``, ``llm.token_count.*``."""
        attributes: Attributes = {
            "openinference.span.kind": "LLM",
            "llm.provider": call.provider,
            "llm.system": call.provider,
            "llm.model_name": call.response_model if call.output is not None else call.model,
            "llm.invocation_parameters": json.dumps(
                {"temperature": call.temperature, "max_tokens": call.max_tokens}
            ),
        }
        for number, message in enumerate(call.input):
            attributes.update(_openinference_message(f"llm.input_messages.{number}", message))
        if call.output is not None:
            attributes.update(_openinference_message("llm.output_messages.0", call.output))
            attributes.update(
                {
                    "llm.token_count.prompt": call.input_tokens,
                    "llm.token_count.completion": call.output_tokens,
                    "llm.token_count.total": call.input_tokens + call.output_tokens,
                }
            )
            if call.cached_tokens:
                attributes["llm.token_count.prompt_details.cache_read"] = call.cached_tokens
        return "Messages", attributes

    def tool(self, plan: SessionPlan, call: ToolCall) -> tuple[str, Attributes]:
        """A TOOL span."""
        attributes: Attributes = {
            "openinference.span.kind": "TOOL",
            "tool.name": call.name,
            "tool.description": call.description,
            "tool.parameters": call.arguments,
            "input.value": call.arguments,
            "input.mime_type": "application/json",
        }
        if call.result:
            attributes.update({"output.value": call.result, "output.mime_type": "application/json"})
        return call.name, attributes


def _openinference_message(prefix: str, message: Message) -> Attributes:
    attributes: Attributes = {f"{prefix}.message.role": message.role}
    if message.tool_name is not None:
        call = f"{prefix}.message.tool_calls.0.tool_call"
        attributes.update(
            {
                f"{call}.id": message.tool_call_id or "",
                f"{call}.function.name": message.tool_name,
                f"{call}.function.arguments": message.tool_arguments or "{}",
            }
        )
    else:
        attributes[f"{prefix}.message.content"] = message.content
    if message.role == "tool" and message.tool_call_id:
        attributes[f"{prefix}.message.tool_call_id"] = message.tool_call_id
    return attributes


class OpenLlmetry:
    """OpenLLMetry / Traceloop: association properties, indexed ``gen_ai.prompt.N.*``."""

    scope = "opentelemetry.instrumentation.mistralai"
    session_key = "traceloop.association.properties.session_id"

    def session(self, plan: SessionPlan) -> Attributes:
        """``Traceloop.set_association_properties({"session_id": ..., "user_id": ...})``."""
        return {self.session_key: plan.id, "traceloop.association.properties.user_id": plan.user_id}

    def root(self, plan: SessionPlan, turn: Turn) -> tuple[str, Attributes]:
        """An ``@agent`` entity span."""
        attributes: Attributes = {
            "traceloop.span.kind": "agent",
            "traceloop.workflow.name": plan.scenario.agent,
            "traceloop.entity.name": plan.scenario.agent,
            "traceloop.entity.path": "",
            "traceloop.entity.input": json.dumps({"args": [turn.user], "kwargs": {}}),
        }
        if turn.answer:
            attributes["traceloop.entity.output"] = json.dumps(turn.answer)
        return f"{plan.scenario.agent}.agent", attributes

    def generation(self, plan: SessionPlan, call: Generation) -> tuple[str, Attributes]:
        """``mistralai.chat`` with ``gen_ai.prompt.N.*`` / ``gen_ai.completion.0.*``."""
        attributes: Attributes = {
            "llm.request.type": "chat",
            "gen_ai.system": "MistralAI",
            "gen_ai.request.model": call.model,
            "gen_ai.request.temperature": call.temperature,
            "gen_ai.request.max_tokens": call.max_tokens,
            "llm.is_streaming": False,
        }
        for number, message in enumerate(call.input):
            prefix = f"gen_ai.prompt.{number}"
            attributes[f"{prefix}.role"] = message.role
            if message.tool_name is not None:
                attributes.update(
                    {
                        f"{prefix}.tool_calls.0.id": message.tool_call_id or "",
                        f"{prefix}.tool_calls.0.name": message.tool_name,
                        f"{prefix}.tool_calls.0.arguments": message.tool_arguments or "{}",
                    }
                )
            else:
                attributes[f"{prefix}.content"] = message.content
            if message.role == "tool" and message.tool_call_id:
                attributes[f"{prefix}.tool_call_id"] = message.tool_call_id
        if call.output is not None:
            attributes.update(
                {
                    "gen_ai.response.model": call.response_model,
                    "gen_ai.completion.0.role": "assistant",
                    "gen_ai.completion.0.finish_reason": finish_reason(call),
                    "gen_ai.usage.prompt_tokens": call.input_tokens,
                    "gen_ai.usage.completion_tokens": call.output_tokens,
                    "llm.usage.total_tokens": call.input_tokens + call.output_tokens,
                }
            )
            if call.output.tool_name is not None:
                attributes.update(
                    {
                        "gen_ai.completion.0.tool_calls.0.id": call.output.tool_call_id or "",
                        "gen_ai.completion.0.tool_calls.0.name": call.output.tool_name,
                        "gen_ai.completion.0.tool_calls.0.arguments": call.output.tool_arguments or "{}",
                    }
                )
            else:
                attributes["gen_ai.completion.0.content"] = call.output.content
        return "mistralai.chat", attributes

    def tool(self, plan: SessionPlan, call: ToolCall) -> tuple[str, Attributes]:
        """An ``@tool`` entity span."""
        attributes: Attributes = {
            "traceloop.span.kind": "tool",
            "traceloop.workflow.name": plan.scenario.agent,
            "traceloop.entity.name": call.name,
            "traceloop.entity.path": plan.scenario.agent,
            "traceloop.entity.input": json.dumps({"args": [], "kwargs": json.loads(call.arguments)}),
        }
        if call.result:
            attributes["traceloop.entity.output"] = json.dumps(call.result)
        return f"{call.name}.tool", attributes


__all__ = ["GenAi", "OpenInference", "OpenLlmetry"]
