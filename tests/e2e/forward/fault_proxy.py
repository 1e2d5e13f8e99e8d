"""An HTTP proxy in front of the target server that can fail on purpose, and records what the target
accepted: the spans of every OTel-endpoint request and the observation events of every ingestion
batch that came back 2xx. A seam for fault tests only; the target behind it is a real server."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from otel_bridge.otlp.values import any_value


class FaultProxy:
    """Listens on ``port`` (0: a free one) and relays to ``upstream``; ``fail_next(n, status)``
    answers the next ``n`` POSTs with ``status`` (and ``Retry-After: 1``) without relaying them."""

    def __init__(self, upstream: str, port: int = 0) -> None:
        self.upstream = upstream.rstrip("/")
        self.accepted_spans: Counter[str] = Counter()
        self.accepted_span_attributes: list[dict[str, Any]] = []
        self.requests = 0
        self._failures: list[int] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, headers, answer = proxy._handle(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, count: int, status: int = 503) -> None:
        """Answer the next ``count`` requests with ``status``."""
        with self._lock:
            self._failures.extend([status] * count)

    def _handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests += 1
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return (
                failure,
                {"Retry-After": "1", "Content-Type": "application/json"},
                b'{"message":"injected"}',
            )
        sent = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length", "connection")}
        request = urllib.request.Request(self.upstream + path, data=body, headers=sent, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, answer, answer_headers = (
                    response.status,
                    response.read(),
                    dict(response.headers.items()),
                )
        except urllib.error.HTTPError as error:
            status, answer, answer_headers = error.code, error.read(), dict(error.headers.items())
        if 200 <= status < 300:
            self._record(path, body)
        kept = {k: v for k, v in answer_headers.items() if k.lower() in ("content-type", "retry-after")}
        return status, kept, answer

    def _record(self, path: str, body: bytes) -> None:
        with self._lock:
            if path.endswith("/otel/v1/traces"):
                request = ExportTraceServiceRequest.FromString(body)
                for resource_spans in request.resource_spans:
                    for scope_spans in resource_spans.scope_spans:
                        for span in scope_spans.spans:
                            self.accepted_spans[span.span_id.hex()] += 1
                            attributes = {kv.key: any_value(kv.value) for kv in span.attributes}
                            self.accepted_span_attributes.append(
                                {"span_id": span.span_id.hex(), **attributes}
                            )
            elif path.endswith("/ingestion"):
                for event in json.loads(body)["batch"]:
                    if event["type"] != "trace-create":
                        self.accepted_spans[event["body"]["id"]] += 1

    def close(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
