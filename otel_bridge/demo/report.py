"""What ``otel-bridge demo`` sent, per session and in total: the numbers the server should show."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import StatusCode

from otel_bridge.demo.planner import SessionPlan


@dataclass
class SessionReport:
    """What was sent for one session (the numbers the server should show)."""

    id: str
    convention: str
    user_id: str
    session_on_child: bool
    traces: int
    spans: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    errors: int


@dataclass
class DemoReport:
    """What ``run`` sent, in total and per session."""

    seed: int
    protocol: str
    endpoint: str
    ui_url: str
    api_url: str
    sessions: list[SessionReport] = field(default_factory=list)

    @property
    def traces(self) -> int:
        """Traces sent."""
        return sum(s.traces for s in self.sessions)

    @property
    def spans(self) -> int:
        """Spans sent."""
        return sum(s.spans for s in self.sessions)

    @property
    def total_tokens(self) -> int:
        """Tokens of every generation sent."""
        return sum(s.total_tokens for s in self.sessions)

    @property
    def errors(self) -> int:
        """Spans sent with status ERROR."""
        return sum(s.errors for s in self.sessions)

    def summary(self) -> str:
        """The closing line."""
        return (
            f"sent {len(self.sessions)} sessions ({self.traces} traces, {self.spans} spans, "
            f"{self.total_tokens} tokens, {self.errors} errors; seed {self.seed}) — "
            f"sessions view: {self.ui_url}  API: {self.api_url}"
        )

    def to_json(self) -> str:
        """The report as one JSON document."""
        document = asdict(self)
        document.update(traces=self.traces, spans=self.spans, total_tokens=self.total_tokens)
        document["errors"] = self.errors
        return json.dumps(document, indent=2)


def report_session(plan: SessionPlan, spans: Sequence[ReadableSpan]) -> SessionReport:
    """The numbers of one session as sent (tokens: the generations', not the agents' roll-ups)."""
    calls = [call for turn in plan.turns for call in turn.generations]
    input_tokens = sum(c.input_tokens for c in calls)
    output_tokens = sum(c.output_tokens for c in calls)
    return SessionReport(
        id=plan.id,
        convention=plan.convention,
        user_id=plan.user_id,
        session_on_child=plan.session_on_child,
        traces=len(plan.turns),
        spans=len(spans),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=input_tokens + output_tokens,
        errors=sum(1 for s in spans if s.status.status_code is StatusCode.ERROR),
    )


__all__ = ["DemoReport", "SessionReport", "report_session"]
