"""A trace page's timeline and details pane: each observation of the tree with its bar drawn to scale
against the trace's span, the axis under them, and the one selected observation's details.

Bars are SVG ``<rect>`` geometry in a fixed coordinate system (``SCALE`` wide) that the stylesheet
stretches to the column, so positions are exact whatever the page width, with no script and no inline
style. Only the selected observation's payloads are prepared (``ObservationDetails``): a trace of 500
observations renders 500 bars, not 500 payloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from otel_bridge.model import Observation, ObservationLevel
from otel_bridge.translate.payloads import resolve_payload
from otel_bridge.ui.formatting import duration
from otel_bridge.ui.links import trace_url
from otel_bridge.ui.views import PayloadView, TreeRow, json_view, payload_view, text, to_json

#: The timeline's width in its own coordinates.
SCALE = 1000.0
#: The narrowest bar drawn (in ``SCALE`` units), so that an instant still shows.
MIN_BAR = 2.0
#: Axis ticks at these fractions of the trace's span.
TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True, slots=True)
class Bar:
    """Where an observation's bar sits on the timeline (``SCALE`` units)."""

    x: float
    width: float


@dataclass(frozen=True, slots=True)
class WaterfallRow:
    """A tree row, its bar, the link that selects it, and its start and duration as text (made here
    once: a trace of 500 rows would otherwise format and link them in the template, 500 times each)."""

    row: TreeRow
    bar: Bar
    href: str
    at: str
    took: str

    @property
    def observation(self) -> Observation:
        """The row's observation."""
        return self.row.observation

    @property
    def css_level(self) -> str:
        """``error``, ``warning`` or ``debug`` for a row styled so; empty for a normal one."""
        level = self.row.observation.level
        return "" if level == ObservationLevel.DEFAULT else level.value.lower()


@dataclass(frozen=True, slots=True)
class Tick:
    """One label of the time axis, at ``fraction`` of the trace's span."""

    fraction: float
    seconds: float

    @property
    def x(self) -> float:
        """Its position in ``SCALE`` units."""
        return round(self.fraction * SCALE, 2)


def waterfall(
    trace_id: str, rows: Sequence[TreeRow], start: datetime, end: datetime
) -> tuple[list[WaterfallRow], list[Tick]]:
    """The rows of trace ``trace_id`` with bars over ``[start, end]`` (widened to every observation's
    span), and the axis."""
    first = min([start, *(r.observation.start_time for r in rows)])
    last = max([end, *(r.observation.end_time for r in rows)])
    span = max((last - first).total_seconds(), 1e-9)
    drawn = []
    for row in rows:
        offset = (row.observation.start_time - first).total_seconds() / span * SCALE
        width = max(row.duration_seconds / span * SCALE, MIN_BAR)
        x = min(max(offset, 0.0), SCALE - MIN_BAR)
        bar = Bar(round(x, 2), round(min(width, SCALE - x), 2))
        href = trace_url(trace_id, row.observation.id)
        drawn.append(
            WaterfallRow(row, bar, href, duration(row.offset_seconds), duration(row.duration_seconds))
        )
    return drawn, [Tick(fraction, fraction * span) for fraction in TICKS]


@dataclass(frozen=True, slots=True)
class ObservationDetails:
    """What the details pane shows of the selected observation: its payloads as chat or text, and
    their JSON (the chat view's source, pretty-printed)."""

    observation: Observation
    orphan: bool
    input: PayloadView
    output: PayloadView
    input_json: PayloadView
    output_json: PayloadView
    metadata: PayloadView
    model_parameters: PayloadView

    @property
    def duration_seconds(self) -> float:
        """From start to end."""
        return (self.observation.end_time - self.observation.start_time).total_seconds()

    @property
    def time_to_first_token(self) -> float | None:
        """From start to the first token, for a streamed generation."""
        started = self.observation.completion_start_time
        return None if started is None else (started - self.observation.start_time).total_seconds()


def _json_of(value: object) -> PayloadView:
    resolved = resolve_payload(value)
    if resolved is None or resolved in ("", [], {}):
        return PayloadView("none")
    return PayloadView("json", text(to_json(resolved)))


def details(row: TreeRow) -> ObservationDetails:
    """The details pane of ``row``'s observation."""
    o = row.observation
    return ObservationDetails(
        observation=o,
        orphan=row.orphan,
        input=payload_view(o.input),
        output=payload_view(o.output),
        input_json=_json_of(o.input),
        output_json=_json_of(o.output),
        metadata=json_view(o.metadata),
        model_parameters=json_view(o.model_parameters),
    )


__all__ = [
    "MIN_BAR",
    "SCALE",
    "Bar",
    "ObservationDetails",
    "Tick",
    "WaterfallRow",
    "details",
    "waterfall",
]
