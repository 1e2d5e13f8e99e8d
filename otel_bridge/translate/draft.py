"""``ObservationDraft``: the mutable scratch pad conventions fill, in priority order.

Conventions run from the most explicit (Langfuse's own keys) to the most generic; each *offers*
values, and the first offer for a field wins (Phoenix's ``setdefault`` merge). The translator turns
the finished draft into the frozen ``Observation`` and ``TraceClaims``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from otel_bridge.model import ObservationLevel, ObservationType

#: Usage keys every convention normalizes to (see ``otel_bridge.model.Usage``).
USAGE_KEYS = ("input", "output", "total", "cached", "reasoning")


class ObservationDraft:
    """Fields of an observation (and trace claims) under construction. ``None`` means "not yet"."""

    __slots__ = (
        "completion_start_time",
        "cost",
        "events_used",
        "explicit_trace_input",
        "explicit_trace_output",
        "input",
        "level",
        "metadata",
        "model",
        "model_parameters",
        "name",
        "output",
        "prompt_name",
        "prompt_version",
        "status_message",
        "trace_metadata",
        "trace_name",
        "type",
        "usage",
    )

    def __init__(self) -> None:
        self.type: ObservationType | None = None
        self.name: str | None = None
        self.model: str | None = None
        self.model_parameters: dict[str, Any] = {}
        self.input: Any = None
        self.output: Any = None
        self.usage: dict[str, int] = {}
        self.cost: dict[str, float] = {}
        self.completion_start_time: datetime | None = None
        self.level: ObservationLevel | None = None
        self.status_message: str | None = None
        self.prompt_name: str | None = None
        self.prompt_version: int | None = None
        self.metadata: dict[str, Any] = {}
        self.trace_metadata: dict[str, Any] = {}
        # A trace name claimed by a convention whose value needs decoding (MLflow); explicit
        # ``langfuse.trace.name`` still wins.
        self.trace_name: str | None = None
        self.explicit_trace_input: Any = None
        self.explicit_trace_output: Any = None
        # Indexes into the span's events that a convention turned into input/output.
        self.events_used: set[int] = set()

    def offer_io(self, input_: Any, output: Any) -> None:
        """Offer input and output; each side is taken only if still empty and the offer is not."""
        if self.input is None and input_ is not None:
            self.input = input_
        if self.output is None and output is not None:
            self.output = output

    def offer_usage(self, **counts: int | None) -> None:
        """Offer token counts by normalized name (``input``, ``output``, ``total``, ``cached``,
        ``reasoning``, or any other detail name); each name is taken once."""
        usage = self.usage
        for key, value in counts.items():
            if value is not None and key not in usage:
                usage[key] = value

    def offer_cost(self, **amounts: float | None) -> None:
        """Offer explicit costs in USD (``input``, ``output``, ``total``); each name is taken once."""
        cost = self.cost
        for key, value in amounts.items():
            if value is not None and key not in cost:
                cost[key] = value

    def offer_parameters(self, parameters: dict[str, Any] | None) -> None:
        """Offer model parameters; a parameter already set keeps its value."""
        if parameters:
            for key, value in parameters.items():
                self.model_parameters.setdefault(key, value)
