"""The writers of two vendors' SDKs: the Langfuse Python SDK and the Vercel AI SDK."""

from __future__ import annotations

import json

from otel_bridge.demo.planner import Generation, Message, SessionPlan, ToolCall, Turn
from otel_bridge.demo.writers import Attributes, finish_reason


def _plain(message: Message) -> dict[str, object]:
    """``{role, content}`` (tool calls OpenAI style)."""
    if message.tool_name is not None:
        return {
            "role": message.role,
            "content": None,
            "tool_calls": [
                {
                    "id": message.tool_call_id,
                    "type": "function",
                    "function": {"name": message.tool_name, "arguments": message.tool_arguments},
                }
            ],
        }
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    return {"role": message.role, "content": message.content}


class LangfuseSdk:
    """The Langfuse Python SDK (v3+): ``langfuse.*`` keys, JSON values."""

    scope = "langfuse-sdk"
    session_key = "langfuse.session.id"

    def session(self, plan: SessionPlan) -> Attributes:
        """``langfuse.session.id`` and ``langfuse.user.id`` (the server-side compatible keys)."""
        return {self.session_key: plan.id, "langfuse.user.id": plan.user_id}

    def root(self, plan: SessionPlan, turn: Turn) -> tuple[str, Attributes]:
        """An ``agent`` observation that names the trace and tags it."""
        attributes: Attributes = {
            "langfuse.observation.type": "agent",
            "langfuse.trace.name": f"{plan.scenario.agent} turn",
            "langfuse.trace.tags": ("demo", plan.scenario.service),
            "langfuse.environment": "demo",
            "langfuse.release": "2025.10.1",
            "langfuse.observation.input": json.dumps(turn.user),
            "langfuse.observation.metadata.turn": str(turn.index + 1),
        }
        if turn.answer:
            attributes["langfuse.observation.output"] = json.dumps(turn.answer)
        return plan.scenario.agent, attributes

    def generation(self, plan: SessionPlan, call: Generation) -> tuple[str, Attributes]:
        """A ``generation`` observation with model, parameters and ``usage_details``."""
        attributes: Attributes = {
            "langfuse.observation.type": "generation",
            "langfuse.observation.model.name": call.response_model if call.output else call.model,
            "langfuse.observation.model.parameters": json.dumps(
                {"temperature": call.temperature, "max_output_tokens": call.max_tokens}
            ),
            "langfuse.observation.input": json.dumps([_plain(m) for m in call.input]),
            "langfuse.environment": "demo",
        }
        if call.output is not None:
            attributes["langfuse.observation.output"] = json.dumps(_plain(call.output))
            usage = {"input": call.input_tokens, "output": call.output_tokens}
            if call.cached_tokens:
                usage["input_cached_tokens"] = call.cached_tokens
            attributes["langfuse.observation.usage_details"] = json.dumps(usage)
        if call.error:
            attributes["langfuse.observation.level"] = "ERROR"
            attributes["langfuse.observation.status_message"] = call.error
        return "gemini.generate_content", attributes

    def tool(self, plan: SessionPlan, call: ToolCall) -> tuple[str, Attributes]:
        """A ``tool`` observation."""
        attributes: Attributes = {
            "langfuse.observation.type": "tool",
            "langfuse.observation.input": call.arguments,
            "langfuse.environment": "demo",
        }
        if call.result:
            attributes["langfuse.observation.output"] = call.result
        return call.name, attributes


class VercelAi:
    """The Vercel AI SDK's ``experimental_telemetry`` (scope ``ai``): ``generateText`` with tools."""

    scope = "ai"
    session_key = "ai.telemetry.metadata.sessionId"

    def session(self, plan: SessionPlan) -> Attributes:
        """``experimental_telemetry.metadata`` with ``sessionId`` and ``userId``."""
        return {self.session_key: plan.id, "ai.telemetry.metadata.userId": plan.user_id}

    def _common(self, plan: SessionPlan, operation: str) -> Attributes:
        return {
            "ai.operationId": operation,
            "operation.name": f"{operation} {plan.scenario.agent}",
            "ai.telemetry.functionId": plan.scenario.agent,
            "resource.name": plan.scenario.agent,
        }

    def root(self, plan: SessionPlan, turn: Turn) -> tuple[str, Attributes]:
        """The outer ``ai.generateText`` call (the agent loop, ``maxSteps``)."""
        calls = turn.generations
        attributes: Attributes = {
            **self._common(plan, "ai.generateText"),
            "ai.model.id": calls[-1].model,
            "ai.model.provider": calls[-1].provider,
            "ai.settings.maxSteps": 5,
            "ai.prompt": json.dumps({"system": plan.scenario.system, "prompt": turn.user}),
            "ai.usage.inputTokens": sum(c.input_tokens for c in calls),
            "ai.usage.outputTokens": sum(c.output_tokens for c in calls),
        }
        if turn.answer:
            attributes.update({"ai.response.text": turn.answer, "ai.response.finishReason": "stop"})
        return "ai.generateText", attributes

    def generation(self, plan: SessionPlan, call: Generation) -> tuple[str, Attributes]:
        """One provider call, ``ai.generateText.doGenerate``."""
        messages = [
            {"role": m["role"], "content": m["content"]}
            if m["role"] == "system"
            else {"role": m["role"], "content": [{"type": "text", "text": m.get("content") or ""}]}
            for m in (_plain(x) for x in call.input)
        ]
        attributes: Attributes = {
            **self._common(plan, "ai.generateText.doGenerate"),
            "ai.model.id": call.model,
            "ai.model.provider": call.provider,
            "ai.prompt.format": "messages",
            "ai.prompt.messages": json.dumps(messages),
            "ai.settings.temperature": call.temperature,
            "ai.settings.maxOutputTokens": call.max_tokens,
            "gen_ai.system": call.provider,
            "gen_ai.request.model": call.model,
            "gen_ai.request.temperature": call.temperature,
        }
        if call.output is not None:
            attributes.update(
                {
                    "ai.response.finishReason": finish_reason(call).replace("tool_calls", "tool-calls"),
                    "ai.response.model": call.response_model,
                    "ai.usage.inputTokens": call.input_tokens,
                    "ai.usage.outputTokens": call.output_tokens,
                    "ai.usage.totalTokens": call.input_tokens + call.output_tokens,
                    "gen_ai.response.model": call.response_model,
                    "gen_ai.response.finish_reasons": (finish_reason(call),),
                    "gen_ai.usage.input_tokens": call.input_tokens,
                    "gen_ai.usage.output_tokens": call.output_tokens,
                }
            )
            if call.output.tool_name is not None:
                attributes["ai.response.toolCalls"] = json.dumps(
                    [
                        {
                            "toolCallType": "function",
                            "toolCallId": call.output.tool_call_id,
                            "toolName": call.output.tool_name,
                            "args": call.output.tool_arguments,
                        }
                    ]
                )
            else:
                attributes["ai.response.text"] = call.output.content
            if call.cached_tokens:
                attributes["ai.usage.cachedInputTokens"] = call.cached_tokens
        return "ai.generateText.doGenerate", attributes

    def tool(self, plan: SessionPlan, call: ToolCall) -> tuple[str, Attributes]:
        """An ``ai.toolCall`` span."""
        attributes: Attributes = {
            **self._common(plan, "ai.toolCall"),
            "ai.toolCall.name": call.name,
            "ai.toolCall.id": call.call_id,
            "ai.toolCall.args": call.arguments,
        }
        if call.result:
            attributes["ai.toolCall.result"] = call.result
        return "ai.toolCall", attributes


__all__ = ["LangfuseSdk", "VercelAi"]
