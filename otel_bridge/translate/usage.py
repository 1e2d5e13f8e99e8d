"""Token usage: the draft's normalized counts → ``Usage``."""

from __future__ import annotations

from otel_bridge.model import Usage, build
from otel_bridge.translate.draft import USAGE_KEYS

#: Shared by every observation without token counts.
NO_USAGE = Usage()
_NAMED = frozenset(USAGE_KEYS)


def build_usage(counts: dict[str, int]) -> Usage:
    """``Usage`` from normalized counts; a missing total is input + output."""
    if not counts:
        return NO_USAGE
    input_ = counts.get("input", 0)
    output = counts.get("output", 0)
    total = counts.get("total")
    if total is None:
        total = input_ + output
    # Most spans report only the named counts: no need to filter for details then.
    details = {} if counts.keys() <= _NAMED else {k: v for k, v in counts.items() if k not in _NAMED}
    # ``build`` skips the frozen dataclass's slow __init__ (every field is given).
    return build(
        Usage,
        {
            "input": input_,
            "output": output,
            "total": total,
            "cached": counts.get("cached", 0),
            "reasoning": counts.get("reasoning", 0),
            "details": details,
        },
    )
