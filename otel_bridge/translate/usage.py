"""Token usage: the draft's normalized counts → ``Usage``."""

from __future__ import annotations

from otel_bridge.model import Usage
from otel_bridge.translate.draft import USAGE_KEYS

#: Shared by every observation without token counts.
NO_USAGE = Usage()


def build_usage(counts: dict[str, int]) -> Usage:
    """``Usage`` from normalized counts; a missing total is input + output."""
    if not counts:
        return NO_USAGE
    input_ = counts.get("input", 0)
    output = counts.get("output", 0)
    total = counts.get("total")
    if total is None:
        total = input_ + output
    details = {key: value for key, value in counts.items() if key not in USAGE_KEYS}
    return Usage(
        input=input_,
        output=output,
        total=total,
        cached=counts.get("cached", 0),
        reasoning=counts.get("reasoning", 0),
        details=details,
    )
