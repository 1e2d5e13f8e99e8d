"""What the in-process library's tests share: the global pipeline's handles and a scripted ingestion
endpoint (a real HTTP server on a free local port)."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from otel_bridge.sdk import InMemorySink

__all__ = ["GlobalPipeline", "IngestionEndpoint", "Received", "Reply"]


@dataclass
class GlobalPipeline:
    """What the global provider's spans reach: the SDK spans and their translations."""

    spans: InMemorySpanExporter
    sink: InMemorySink

    def clear(self) -> None:
        """Forget every span so far."""
        self.spans.clear()
        self.sink.clear()


@dataclass
class Received:
    """One request the scripted endpoint got, its body parsed (``{batch, metadata}``)."""

    path: str
    headers: dict[str, str]
    body: bytes
    document: Any

    @property
    def credentials(self) -> str:
        """``public:secret`` from the Basic ``Authorization`` header."""
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        assert scheme == "Basic"
        return base64.b64decode(token).decode()


@dataclass
class Reply:
    """A scripted answer: status, headers, and a JSON body: a value, a function of the request's
    events, or None for a 207 that accepts every event."""

    status: int = 207
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


class IngestionEndpoint:
    """A local HTTP server that answers ``POST`` with the scripted replies in order (then with 207
    successes) and keeps every request."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.received: list[Received] = []
        self._lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                received = Received(self.path, headers, body, json.loads(body))
                with endpoint._lock:
                    endpoint.received.append(received)
                    reply = endpoint.replies.pop(0) if endpoint.replies else Reply()
                content = reply.body
                if content is None or callable(content):
                    events = received.document["batch"]
                    content = (
                        content(events)
                        if callable(content)
                        else {"successes": [{"id": e["id"], "status": 201} for e in events], "errors": []}
                    )
                data = json.dumps(content).encode()
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval: ``shutdown()`` waits for the next poll.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def host(self) -> str:
        """The base URL to configure a sink with."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def events(self) -> list[dict[str, Any]]:
        """Every event received so far, in order."""
        return [event for request in self.received for event in request.document["batch"]]

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)
