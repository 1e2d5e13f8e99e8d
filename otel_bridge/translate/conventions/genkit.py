"""Firebase Genkit (scope ``genkit-tracer``): ``genkit:*``. Keys only: the one key otel-bridge reads
is read centrally (``precedence``), so this module has no ``CONVENTION``.

Source: firebase/genkit ``js/core/src/tracing/instrumentation.ts`` (``runInNewSpan`` sets
``genkit:name``, ``genkit:type``, ``genkit:path``, ``genkit:input``, ``genkit:output``,
``genkit:metadata:*``); Langfuse's observation-name chain (docs/reference/conventions.md §1.5 and
§3.7).

Decisions:
- ``genkit:name`` (the action's name) names the observation, after ``gen_ai.tool.name``, as in
  Langfuse. Everything else Genkit sets stays in ``metadata.attributes``: otel-bridge does not
  translate Genkit's input, output, usage or model (a gap against Langfuse, which does).
"""

from __future__ import annotations

#: The name of the Genkit action (flow, model, tool...) the span runs.
NAME = "genkit:name"

__all__ = ["NAME"]
