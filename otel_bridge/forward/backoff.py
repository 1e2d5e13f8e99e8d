"""When to try a delivery again: exponential backoff with full jitter, honouring ``Retry-After``.

Full jitter (a uniform delay between 0 and the exponential bound) spreads the retries of many traces
that failed together, so a target coming back is not hit by all of them at once. A server's
``Retry-After`` is a floor: it knows when it will be ready, so no retry comes before it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Backoff"]


@dataclass(frozen=True)
class Backoff:
    """Delays in seconds: attempt ``n`` (1 for the first retry) waits up to ``base * 2**(n-1)``,
    capped at ``cap``, at least ``Retry-After``."""

    base: float = 0.5
    cap: float = 60.0
    rand: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """The delay before attempt ``attempt`` (≥ 1) of a delivery."""
        bound = min(self.cap, self.base * float(2 ** max(0, min(attempt - 1, 30))))
        delay = bound * float(self.rand())
        if retry_after is not None:
            delay = max(delay, min(retry_after, 3600.0))
        return delay
