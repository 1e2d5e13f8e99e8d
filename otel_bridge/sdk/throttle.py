"""Warnings that cannot flood an application's log: the library's failures (an unreachable server, a
value it cannot record) repeat on every span or every export, so each kind of problem is logged the
first time and then at most once per interval, with a count of the ones held back."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

__all__ = ["ThrottledLogger", "sdk_log"]


class ThrottledLogger:
    """``report(kind, message, *args)``: logs when ``kind`` was not logged in the last ``interval``
    seconds; otherwise counts it, and the next line of that kind says how many were held back."""

    def __init__(self, logger: logging.Logger, interval: float = 60.0) -> None:
        self.logger = logger
        self.interval = interval
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def report(self, kind: str, message: str, *args: Any, exc_info: bool = False) -> None:
        """Log ``message % args`` at WARNING unless ``kind`` was logged within the interval."""
        now = time.monotonic()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self.interval:
                self._held[kind] = self._held.get(kind, 0) + 1
                return
            self._last[kind] = now
            held = self._held.pop(kind, 0)
        if held:
            message += f" ({held} more like this in the last {self.interval:.0f} s not logged)"
        self.logger.warning(message, *args, exc_info=exc_info)

    def reset(self) -> None:
        """Forget what was logged (tests)."""
        with self._lock:
            self._last.clear()
            self._held.clear()


#: The library's one throttled logger (``otel_bridge.sdk``).
sdk_log = ThrottledLogger(logging.getLogger("otel_bridge.sdk"))
