"""The ``demo`` command: check the server, then plan, build and send the sessions one export each,
drawing a progress bar on stderr, and print the report."""

from __future__ import annotations

import random
import sys
import time
from typing import IO

from otel_bridge.config import client_environment
from otel_bridge.demo.export import make_exporter, send_session
from otel_bridge.demo.planner import plan_session
from otel_bridge.demo.probes import check_server
from otel_bridge.demo.report import DemoReport, report_session
from otel_bridge.demo.spans import build_spans
from otel_bridge.demo.target import Target, Transport, resolve_target
from otel_bridge.errors import CommandError

PROGRESS_WIDTH = 30


def progress_bar(done: int, total: int, width: int = PROGRESS_WIDTH) -> str:
    """``\\r[#####     ] 12/40 sessions``."""
    filled = width * done // total if total else width
    return f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total} sessions"


def run(
    target: Target,
    sessions: int,
    seed: int,
    *,
    progress: IO[str] | None = None,
    now_ns: int | None = None,
) -> DemoReport:
    """Check the server, then build and send ``sessions`` sessions; the report of what was sent."""
    check_server(target)
    exporter = make_exporter(target)
    report = DemoReport(seed, target.protocol, target.export_endpoint, target.ui_url, target.api_url)
    now = time.time_ns() if now_ns is None else now_ns
    try:
        _draw(progress, progress_bar(0, sessions))
        for index in range(sessions):
            plan = plan_session(index, seed, now)
            spans = build_spans(plan, seed)
            send_session(exporter, spans, target)
            report.sessions.append(report_session(plan, spans))
            _draw(progress, progress_bar(index + 1, sessions))
    finally:
        _draw(progress, "\n")
        exporter.shutdown()
    return report


def _draw(progress: IO[str] | None, text: str) -> None:
    if progress is not None:
        progress.write(text)
        progress.flush()


def main(
    *,
    sessions: int,
    seed: int | None,
    endpoint: str | None,
    public_key: str | None,
    secret_key: str | None,
    protocol: Transport | None,
    as_json: bool,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """The ``demo`` command: the exit status (0 sent, 1 server unreachable or refused, 2 usage)."""
    stdout, stderr = out or sys.stdout, err or sys.stderr
    if sessions < 1:
        print("otel-bridge demo: --sessions must be at least 1", file=stderr)
        return 2
    chosen_seed = seed if seed is not None else random.SystemRandom().randrange(1_000_000)
    try:
        target = resolve_target(protocol, endpoint, public_key, secret_key, environ=client_environment())
        report = run(target, sessions, chosen_seed, progress=stderr)
    except CommandError as error:
        print(f"otel-bridge demo: {error.message}", file=stderr)
        return error.exit_status
    print(report.to_json() if as_json else report.summary(), file=stdout)
    return 0


__all__ = ["PROGRESS_WIDTH", "main", "progress_bar", "run"]
