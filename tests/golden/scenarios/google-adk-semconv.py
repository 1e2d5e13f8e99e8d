"""Google ADK in its default telemetry format (2, GenAI-semconv aligned): ``invoke_workflow`` →
``invoke_agent`` → ``generate_content``, no ``call_llm`` span, content as ``gen_ai.input.messages`` /
``gen_ai.output.messages`` with ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=SPAN_ONLY``. The same app
as ``google-adk.py``, which capture.py runs here without ``ADK_TELEMETRY_SCHEMA_VERSION_OPT_IN``.
"""

from __future__ import annotations

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).with_name("google-adk.py")), run_name="__main__")
