"""OpenTelemetry GenAI semantic conventions, the numbers: ``gen_ai.usage.*`` token counts and cost, and
``gen_ai.request.*`` model parameters. Part of the ``genai`` convention (``genai.py``), which calls
``usage_and_parameters`` for every span with ``gen_ai.*`` attributes.

Sources: ``open-telemetry/semantic-conventions-genai`` ``model/gen-ai/registry.yaml`` (current keys)
and ``model/gen-ai/deprecated/registry-deprecated.yaml`` (``gen_ai.usage.prompt_tokens`` /
``completion_tokens``); docs/reference/conventions.md §1.7 and §3.3.
"""

from __future__ import annotations

from otel_bridge.translate.draft import ObservationDraft
from otel_bridge.translate.view import Shape, SpanView, as_float, as_int

USAGE_PREFIX = "gen_ai.usage."
USAGE_COST = "gen_ai.usage.cost"  # not in the registry; Langfuse reads it as the total cost
REQUEST_PREFIX = "gen_ai.request."
REQUEST_MODEL = "gen_ai.request.model"

#: Normalized usage name → ``gen_ai.usage.<suffix>`` keys, current spelling first.
USAGE_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("input", ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")),
    ("output", ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")),
    ("total", ("gen_ai.usage.total_tokens",)),
    ("cached", ("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens")),
    (
        "cache_creation",
        (
            "gen_ai.usage.cache_creation.input_tokens",
            "gen_ai.usage.cache_creation_input_tokens",
            "gen_ai.usage.cache_write_input_tokens",
        ),
    ),
    ("reasoning", ("gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens")),
)
#: ``gen_ai.usage.*`` key → (normalized name, rank); a lower rank wins, detail keys rank last.
USAGE_KEY_RANKS = {key: (name, rank) for name, keys in USAGE_KEYS for rank, key in enumerate(keys)}
DETAIL_RANK = 99
USAGE_CUT = len(USAGE_PREFIX)
REQUEST_CUT = len(REQUEST_PREFIX)


def usage_and_parameters(span: SpanView, draft: ObservationDraft, with_usage: bool) -> None:
    """``gen_ai.request.*`` and ``gen_ai.usage.*`` (their keys are listed once per shape).

    Usage: the named counts of ``USAGE_KEYS`` (current keys beat deprecated ones; a loser stays in
    metadata), other numeric counts (modalities...) as details by their suffix, ``gen_ai.usage.cost``
    as the total cost. Parameters: every ``gen_ai.request.*`` but the model, prefix stripped. A value
    an earlier convention already set wins, and the key that lost stays in metadata.
    """
    used = span.used
    usage = draft.usage
    parameters = draft.model_parameters
    found: dict[str, int] = {}
    chosen: dict[str, tuple[int, str]] = {}  # usage name → (rank, key) of the count taken
    attributes = span.attributes
    plan = _usage_plan(span.shape)
    for key, name in plan.parameters:
        value = attributes[key]
        if value is not None and name not in parameters:
            parameters[name] = value
            used.add(key)
    if not with_usage:
        return
    for key, name, rank in plan.usage:
        value = attributes[key]
        if rank < 0:
            cost = as_float(value)
            if cost is not None and "total" not in draft.cost:
                used.add(key)
                draft.offer_cost(total=cost)
            continue
        if name in usage:
            continue
        number = as_int(value)
        if number is None:
            continue
        previous = chosen.get(name)
        if previous is not None:
            if previous[0] <= rank:
                continue
            used.discard(previous[1])
        chosen[name] = (rank, key)
        found[name] = number
        used.add(key)
    if found:
        # Every name in ``found`` was checked absent from the draft's usage: no need to offer.
        usage.update(found)


class _UsagePlan:
    """For one shape: its ``gen_ai.request.*`` keys as (key, parameter name), the model left out, and
    its ``gen_ai.usage.*`` keys as (key, usage name, rank), rank -1 for ``gen_ai.usage.cost``."""

    __slots__ = ("parameters", "usage")

    def __init__(self, shape: Shape) -> None:
        self.parameters = tuple(
            (key, key[REQUEST_CUT:]) for key in shape.with_prefix(REQUEST_PREFIX) if key != REQUEST_MODEL
        )
        self.usage = tuple(
            (key, "", -1)
            if key == USAGE_COST
            else (key, *(USAGE_KEY_RANKS.get(key) or (key[USAGE_CUT:], DETAIL_RANK)))
            for key in shape.with_prefix(USAGE_PREFIX)
        )


def _usage_plan(shape: Shape) -> _UsagePlan:
    """The shape's ``_UsagePlan``, computed once per shape."""
    plan: _UsagePlan | None = shape.memo.get(_UsagePlan)
    if plan is None:
        plan = shape.memo[_UsagePlan] = _UsagePlan(shape)
    return plan
