"""A fake OpenAI-compatible chat server for the examples and their tests: ``POST /v1/chat/completions``
(plain or ``"stream": true``) answers ``FAKE-REPLY: <last user message>`` with fixed token usage
(37 prompt, 12 completion, 49 total), echoing the requested model. Standard library only.

Run it alone (``python examples/fake_chat_server.py --port 8765``), or start it in a thread from
Python (``FakeChatServer().start()``); point a client's ``base_url`` at ``<url>/v1``.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USAGE = {"prompt_tokens": 37, "completion_tokens": 12, "total_tokens": 49}


def _last_user_text(request: dict[str, Any]) -> str:
    text = ""
    for message in request.get("messages") or []:
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # content parts
                content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            text = str(content or "")
    return text


class _Handler(BaseHTTPRequestHandler):
    server: FakeChatServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.path.split("?", 1)[0].rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            self._json(400, {"error": {"message": "the body is not JSON", "type": "invalid_request_error"}})
            return
        number = self.server.next_number()
        reply = f"FAKE-REPLY: {_last_user_text(request)}"
        model = str(request.get("model") or "fake-model")
        common = {"id": f"chatcmpl-fake-{number:04d}", "created": int(time.time()), "model": model}
        if request.get("stream"):
            self._stream(common, reply)
            return
        self._json(
            200,
            {
                **common,
                "object": "chat.completion",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
                ],
                "usage": USAGE,
            },
        )

    def _stream(self, common: dict[str, Any], reply: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        chunk = {**common, "object": "chat.completion.chunk"}
        pieces = [
            {"index": 0, "delta": {"role": "assistant", "content": reply}, "finish_reason": None},
            {"index": 0, "delta": {}, "finish_reason": "stop"},
        ]
        for piece in pieces:
            self.wfile.write(f"data: {json.dumps({**chunk, 'choices': [piece]})}\n\n".encode())
        self.wfile.write(f"data: {json.dumps({**chunk, 'choices': [], 'usage': USAGE})}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def _json(self, status: int, document: dict[str, Any]) -> None:
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeChatServer(ThreadingHTTPServer):
    """The fake server on ``127.0.0.1:port`` (0: a free port); ``calls`` counts the completions."""

    daemon_threads = True

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self._lock = threading.Lock()
        self.calls = 0
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The server's base URL (the OpenAI ``base_url`` is this plus ``/v1``)."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_number(self) -> int:
        with self._lock:
            self.calls += 1
            return self.calls

    def start(self) -> FakeChatServer:
        """Serve in a daemon thread; returns the server."""
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port."""
        self.shutdown()
        self.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    port = parser.parse_args().port
    server = FakeChatServer(port)
    print(f"fake OpenAI-compatible chat server at {server.url}/v1", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
