"""``otel-bridge demo``: send realistic multi-turn LLM chat sessions to a running otel-bridge.

    otel-bridge demo [--sessions N] [--seed S] [--endpoint URL] [--protocol http|grpc]
                     [--public-key pk-…] [--secret-key sk-…] [--json]

Each session is one conversation of 2–5 turns; each turn is one trace: an agent root span, one or
two generation spans and sometimes a tool span between them. Sessions rotate through the five
conventions otel-bridge reads (GenAI semantic conventions, OpenInference, OpenLLMetry, the Langfuse
SDK, the Vercel AI SDK), so that the Sessions view shows all of them side by side.

Spans go through the OpenTelemetry SDK's own OTLP exporters: protobuf over HTTP by default, gRPC
with ``--protocol grpc``. One export carries one session. With ``--seed`` the content, the trace
and span ids are the same on every run (timestamps are relative to now), so running it twice
stores the same sessions once; without it a random seed is drawn and printed.

One job a module, in the order a run uses them:

==========================  ===================================================================
``target``                  where to send: endpoint and credentials from flags and environment
``probes``                  one empty export: does the server answer and accept the keys?
``scenarios``               the conversations of ``scenarios.json`` (package data), typed
``planner``                 a session decided from the seed: models, tokens, failures, timing
``writers``                 what a convention writer is; ``instrumentation_writers`` and
                            ``sdk_writers`` are the five of them
``spans``                   the SDK spans of a planned session, with seeded ids
``export``                  the OTel SDK's OTLP exporters
``report``                  what was sent, per session and in total
``command``                 ``run`` and the ``demo`` command, with its progress bar
==========================  ===================================================================

The package is imported only by the ``demo`` command: it needs the OTel SDK (a dependency of the
library) and an OTLP exporter package (``opentelemetry-exporter-otlp-proto-http``, or ``-grpc``
for ``--protocol grpc``), imported when the spans are sent.
"""

from __future__ import annotations

from otel_bridge.demo.command import main, progress_bar, run
from otel_bridge.demo.export import send_session
from otel_bridge.demo.planner import CONVENTIONS, SessionPlan, plan_session
from otel_bridge.demo.probes import check_server
from otel_bridge.demo.report import DemoReport, SessionReport
from otel_bridge.demo.spans import build_spans
from otel_bridge.demo.target import DEFAULT_ENDPOINT, Target, resolve_target

__all__ = [
    "CONVENTIONS",
    "DEFAULT_ENDPOINT",
    "DemoReport",
    "SessionPlan",
    "SessionReport",
    "Target",
    "build_spans",
    "check_server",
    "main",
    "plan_session",
    "progress_bar",
    "resolve_target",
    "run",
    "send_session",
]
