"""What the examples share: where the chat model is (``EXAMPLE_CHAT_URL``, an OpenAI-compatible
``…/v1`` base URL; unset, the shipped fake server is started in this process) and a plain HTTP call to
its chat endpoint."""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

from fake_chat_server import FakeChatServer

MODEL = "gpt-4o-mini"
#: Any key: the fake server does not check it (and otel-bridge masks keys like it before sending).
API_KEY = "sk-example-0000000000000000000000000000"

_started: list[FakeChatServer] = []


def chat_url() -> str:
    """The OpenAI-compatible base URL (ending in ``/v1``)."""
    given = os.environ.get("EXAMPLE_CHAT_URL", "").strip()
    if given:
        return given.rstrip("/")
    if not _started:
        _started.append(FakeChatServer().start())
    return f"{_started[0].url}/v1"


def post_chat(messages: list[dict[str, str]], model: str = MODEL) -> dict[str, Any]:
    """``POST /chat/completions``; the parsed response."""
    request = urllib.request.Request(
        f"{chat_url()}/chat/completions",
        data=json.dumps({"model": model, "messages": messages}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {API_KEY}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        document: dict[str, Any] = json.loads(response.read())
    return document
