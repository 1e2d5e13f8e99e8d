"""Benchmark: forwarding, through real processes.

Run from the repository root: ``.venv/bin/python -m tests.bench bench_forward`` (or ``make bench``).

``OTEL_BRIDGE_BENCH_FORWARD_SPANS`` LLM-sized spans (default 30,720; ``bench_e2e``'s bodies: 512-span
OTLP/HTTP protobuf requests from 4 clients) are ingested twice in one run, each time by a fresh
``otel-bridge serve`` on a fresh SQLite database: once without forwarding, once forwarding over the OTel
endpoint to a second ``otel-bridge serve`` standing in as the Langfuse server (on the same machine: it
takes its share of the cores, as a local Langfuse would). Printed: ingest throughput with forwarding
off and on and their ratio, and the forwarding throughput, from the first send until the target has
accepted every span (the quiet period of 0.5 s included).
"""

from __future__ import annotations

import os
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.bench.bench_e2e import drive, http_sender, make_bodies
from tests.e2e.forward.harness import TARGET_PUBLIC_KEY, TARGET_SECRET_KEY, start_forwarder, start_target
from tests.e2e.server import start_server

SPANS_ENV = "OTEL_BRIDGE_BENCH_FORWARD_SPANS"


def _metric(base_url: str, name: str) -> float:
    with urllib.request.urlopen(base_url + "/metrics", timeout=30) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def run() -> list[str]:
    """Ingest with forwarding off and on; printable lines."""
    n_spans = int(os.environ.get(SPANS_ENV, "30720"))
    bodies = make_bodies(n_spans)
    lines = [
        f"forwarding: {n_spans:,} spans in {len(bodies)} OTLP/HTTP requests, 4 clients, fresh SQLite each"
    ]
    with tempfile.TemporaryDirectory(prefix="otel-bridge-bench-") as directory:
        plain = start_server(Path(directory) / "plain")
        try:
            off = drive(plain, bodies, http_sender(plain))
        finally:
            plain.stop()
        target = start_target(Path(directory) / "target")
        source = start_forwarder(
            Path(directory) / "source",
            target.base_url,
            "--forward-max-backlog",
            "1000000",
            env={"LANGFUSE_PUBLIC_KEY": TARGET_PUBLIC_KEY, "LANGFUSE_SECRET_KEY": TARGET_SECRET_KEY},
        )
        try:
            started = time.perf_counter()
            on = drive(source, bodies, http_sender(source))
            deadline = time.monotonic() + 600
            while _metric(source.base_url, "otel_bridge_forward_spans_total") < on.spans:
                if time.monotonic() > deadline:
                    raise RuntimeError("forwarding did not finish within 10 minutes")
                time.sleep(0.1)
            forwarded_seconds = time.perf_counter() - started
            accepted = _metric(target.base_url, 'otel_bridge_spans_accepted_total{transport="http"}')
        finally:
            source.stop()
            target.stop()
    off_rate, on_rate = off.spans / off.seconds, on.spans / on.seconds
    lines += [
        f"  ingest, forwarding off  {off_rate:>10,.0f} spans/s  ({off.seconds:.1f} s, {off.refused} retried)",
        f"  ingest, forwarding on   {on_rate:>10,.0f} spans/s  ({on.seconds:.1f} s, {on.refused} retried)",
        f"  ratio on / off          {on_rate / off_rate:>10.2f}",
        f"  forwarding throughput   {on.spans / forwarded_seconds:>10,.0f} spans/s  "
        f"(all {on.spans:,} delivered {forwarded_seconds:.1f} s after the first send; "
        f"the target counted {accepted:,.0f} spans accepted)",
    ]
    return lines
