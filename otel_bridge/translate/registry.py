"""The convention registry: which conventions extract fields, in what order, and which rule picks
an observation's type (docs/architecture.md rule 4; Langfuse's ``ObservationTypeMapper``).

To support a new convention: write ``conventions/<name>.py`` exposing ``CONVENTION``, add it to
``CONVENTIONS`` in ``conventions/__init__.py`` (whose order is the extraction order), give its type
rules priorities that place them in the chain, and put any trace-claim keys it owns into the lists of
``precedence.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from otel_bridge.model import ObservationType
from otel_bridge.translate.draft import ObservationDraft
from otel_bridge.translate.view import SpanView

TypeDetector = Callable[[SpanView, ObservationDraft], "ObservationType | None"]

# Type rule priorities (lower runs first), docs/architecture.md rule 4.
PRIORITY_LANGFUSE = 10
PRIORITY_OPENINFERENCE = 20
PRIORITY_GENAI_OPERATION = 30
PRIORITY_VERCEL_OPERATION = 40
PRIORITY_TRACELOOP_KIND = 50
PRIORITY_TOOL_ATTRIBUTES = 60
PRIORITY_FRAMEWORK = 70
PRIORITY_HAS_MODEL = 90


@dataclass(frozen=True, slots=True)
class TypeRule:
    """One step of the type chain: returns a type, or None to pass to the next rule.

    ``keys``, when given, are the attributes the rule reads: it can only answer for a span carrying
    one of them, so it is skipped for shapes without any (decided once per shape)."""

    priority: int
    name: str
    detect: TypeDetector
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Convention:
    """One convention's module, as the translator sees it.

    ``applies`` is a cheap check (a few dict lookups, or the scope name) that lets the translator
    skip a convention entirely; ``extract`` offers values to the draft.
    """

    name: str
    applies: Callable[[SpanView], bool]
    extract: Callable[[SpanView, ObservationDraft], None]
    type_rules: tuple[TypeRule, ...] = field(default=())


class ObservationTypeRegistry:
    """Type rules sorted by priority; the first rule that answers picks the type, else SPAN."""

    def __init__(self, rules: Sequence[TypeRule]) -> None:
        self.rules = tuple(sorted(rules, key=lambda rule: rule.priority))

    def classify(self, span: SpanView, draft: ObservationDraft) -> ObservationType:
        """The observation type of ``span``."""
        memo = span.shape.memo
        rules: tuple[TypeRule, ...] | None = memo.get(self)
        if rules is None:
            # Computed once per shape: the rules that read a key this shape lacks cannot answer.
            keys = set(span.shape.keys)
            rules = memo[self] = tuple(
                rule for rule in self.rules if not rule.keys or not keys.isdisjoint(rule.keys)
            )
        for rule in rules:
            detected = rule.detect(span, draft)
            if detected is not None:
                return detected
        return ObservationType.SPAN


def has_model(span: SpanView, draft: ObservationDraft) -> ObservationType | None:
    """Last resort before SPAN: a span that names a model is a generation."""
    return ObservationType.GENERATION if draft.model else None


HAS_MODEL_RULE = TypeRule(PRIORITY_HAS_MODEL, "has a model", has_model)
