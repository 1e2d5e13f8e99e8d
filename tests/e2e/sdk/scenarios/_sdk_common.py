"""Shared by the scenario scripts, which run inside the client virtualenvs (never imported by pytest).

The test passes everything through ``SDK_E2E_*`` environment variables (plus the SDK's own ``LANGFUSE_*``
ones); a scenario prints one JSON object, its summary, as the last line of its standard output."""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any

LLM_BASE_URL = os.environ.get("SDK_E2E_LLM_BASE_URL", "")
SESSION_ID = os.environ.get("SDK_E2E_SESSION_ID", "")
USER_ID = os.environ.get("SDK_E2E_USER_ID", "")
MODEL = os.environ.get("SDK_E2E_MODEL", "gpt-4o-mini")
QUESTIONS = ("What is OpenTelemetry?", "And what is a session?")
API_KEY = "sk-fake-openai-key"


class _Collect(logging.Handler):
    """Keeps every warning and error the SDKs log (a failed export is only logged, never raised)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[dict[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(
            {"level": record.levelname, "logger": record.name, "message": record.getMessage()[:2000]}
        )


LOGGED = _Collect()
logging.getLogger().addHandler(LOGGED)


def emit(summary: dict[str, Any]) -> None:
    """Print the scenario's summary for the test (one JSON line, last on stdout), with what was logged."""
    summary["logged"] = LOGGED.records
    sys.stdout.write(json.dumps(summary, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()
