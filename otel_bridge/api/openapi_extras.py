"""The part of ``/openapi.json`` that is otel-bridge's own: the routes the server answers beyond
Langfuse's API (the OTLP/HTTP receivers, ``/healthz``, ``/metrics`` and the UI pages), so that the
document describes every route (``tests/api/test_openapi_document.py`` compares it with the app's
routes). ``openapi.build_document`` adds these paths and schemas to the ones taken from Langfuse's spec.

The query parameters listed here are the ones the routes accept: the test sends each documented
one and an undocumented one to every route, and expects the 400 for the latter to list exactly these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from otel_bridge.receivers.http import TRACE_PATHS

JSON = "application/json"
PROTOBUF = "application/x-protobuf"
HTML = "text/html"
TEXT = "text/plain"

#: The Sessions view's query parameters: name → description (``ui/listing.py``'s ``PARAMETERS``, in
#: this order; ``tests/api/test_strict_parameters.py`` checks that the two agree).
SESSIONS_VIEW_PARAMETERS: Mapping[str, str] = {
    "range": "Time range of last activity: hour, day, week, or custom (with from/to).",
    "from": "With range=custom: last activity from this ISO 8601 time.",
    "to": "With range=custom: last activity before this ISO 8601 time.",
    "user": "Only sessions with this user id.",
    "env": "Only sessions in this environment.",
    "tag": "Only sessions with this tag.",
    "q": "Only sessions whose id contains this.",
    "prefix": "Only sessions whose id starts with this.",
    "min": "Only sessions with at least this many traces.",
    "errors": "yes: only sessions with errors; no: only sessions without.",
    "bookmarked": "yes: only bookmarked sessions.",
    "sort": "Sort key (a store `SessionOrder`: last_activity, created, trace_count, cost, …).",
    "order": "asc or desc (default desc).",
    "page": "Page number, starts at 1.",
    "limit": "Sessions per page, 1-100 (default 50).",
    "refresh": "Reload the page every 10, 30 or 60 seconds, keeping the filters.",
}
#: The Traces view's query parameters (``ui/trace_listing.py``'s ``PARAMETERS``, in this order).
TRACES_VIEW_PARAMETERS: Mapping[str, str] = {
    "session": "Only traces of this session.",
    "user": "Only traces of this user id.",
    "name": "Only traces with this name.",
    "tag": "Only traces with this tag.",
    "level": "error: only traces with an ERROR observation; ok: only traces without.",
    "range": "Time range: hour, day, week, or custom (with from/to).",
    "from": "With range=custom: traces from this ISO 8601 time.",
    "to": "With range=custom: traces before this ISO 8601 time.",
    "sort": "Sort key (timestamp, latency, cost, …).",
    "order": "asc or desc (default desc).",
    "page": "Page number, starts at 1.",
    "limit": "Traces per page, 1-100 (default 50).",
}


def _form(operation_id: str, summary: str, public: bool = False) -> dict[str, Any]:
    """A form post of the UI, answered by a redirect (303)."""
    return {
        "operationId": operation_id,
        "summary": summary,
        "tags": ["UI"],
        "security": [] if public else [{"BasicAuth": []}],
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}},
        },
        "responses": {
            "303": {"description": "Redirects to the next page."},
            "403": {"description": "A form posted from another site."},
        },
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, description: str, schema: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": dict(schema or {"type": "string"}),
    }


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _content(media_types: Sequence[str], schema: Mapping[str, Any]) -> dict[str, Any]:
    return {media_type: {"schema": dict(schema)} for media_type in media_types}


def _otlp_operation(path: str) -> dict[str, Any]:
    status = {"description": "", "content": _content((PROTOBUF, JSON), _ref("OtlpStatus"))}
    return {
        "operationId": "otlp_export_traces" + ("" if path == "/v1/traces" else "_langfuse_path"),
        "summary": "OTLP/HTTP trace export"
        + ("" if path == "/v1/traces" else " at Langfuse's path (for its SDK and docs)"),
        "description": "An OTLP `ExportTraceServiceRequest`, binary protobuf or OTLP/JSON, optionally "
        "`Content-Encoding: gzip`. Answered once its spans are committed; spans with bad ids are "
        "reported in `partialSuccess` and the rest stored. Errors are a `google.rpc.Status` in the "
        "request's encoding; 503 carries `Retry-After`.",
        "tags": ["OTLP"],
        "requestBody": {
            "required": True,
            "content": _content((PROTOBUF, JSON), _ref("OtlpExportTraceServiceRequest")),
        },
        "responses": {
            "200": {
                "description": "The spans are committed.",
                "content": _content((PROTOBUF, JSON), _ref("OtlpExportTraceServiceResponse")),
            },
            **{code: status for code in ("400", "401", "413", "415", "503")},
        },
    }


def _page(operation_id: str, summary: str, parameters: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "summary": summary,
        "tags": ["UI"],
        "security": [{"BasicAuth": []}],
        "parameters": list(parameters),
        "responses": {
            "200": {"description": "The page.", "content": _content((HTML,), {"type": "string"})},
            "400": {
                "description": "A page naming the bad parameter.",
                "content": _content((HTML,), {"type": "string"}),
            },
            "401": {
                "description": "The browser asks for a key pair (user = public key, password = secret key)."
            },
            "404": {"description": "Not in the project.", "content": _content((HTML,), {"type": "string"})},
        },
    }


def paths() -> dict[str, dict[str, Any]]:
    """The paths otel-bridge answers beyond Langfuse's API."""
    text = _content((TEXT,), {"type": "string"})
    document: dict[str, dict[str, Any]] = {path: {"post": _otlp_operation(path)} for path in TRACE_PATHS}
    document["/healthz"] = {
        "get": {
            "operationId": "healthz",
            "summary": "Liveness for load balancers: 200 `ok` while accepting spans, 503 once shutting down.",
            "tags": ["Operations"],
            "security": [],
            "responses": {
                "200": {"description": "", "content": text},
                "503": {"description": "", "content": text},
            },
        }
    }
    document["/metrics"] = {
        "get": {
            "operationId": "metrics",
            "summary": "Prometheus metrics (text exposition format 0.0.4).",
            "tags": ["Operations"],
            "security": [],
            "responses": {"200": {"description": "", "content": text}},
        }
    }
    document["/"] = {
        "get": {
            "operationId": "ui_home",
            "summary": "Redirects to the Sessions view.",
            "tags": ["UI"],
            "security": [],
            "responses": {"302": {"description": "Location: /sessions"}},
        }
    }
    document["/sessions"] = {
        "get": _page(
            "ui_sessions",
            "The Sessions view of the project: sortable, filterable, paged.",
            [_query(name, text_) for name, text_ in SESSIONS_VIEW_PARAMETERS.items()],
        )
    }
    document["/sessions/{sessionId}"] = {
        "get": _page(
            "ui_session",
            "One session as a conversation, its traces paged.",
            [
                _path("sessionId", "The session id."),
                _query("page", "Page of the session's traces, from 1."),
                _query(
                    "idle", "Mark gaps of at least this many minutes between traces (default 5; 0: none)."
                ),
            ],
        )
    }
    document["/traces"] = {
        "get": _page(
            "ui_traces",
            "The Traces view of the project: filterable, paged.",
            [_query(name, text_) for name, text_ in TRACES_VIEW_PARAMETERS.items()],
        )
    }
    document["/traces/{traceId}"] = {
        "get": _page(
            "ui_trace",
            "One trace as a tree of observations with a timeline, and one observation's details.",
            [_path("traceId", "The trace id."), _query("observation", "The observation shown in detail.")],
        )
    }
    document["/download/sessions/{sessionId}"] = {
        "get": _page(
            "ui_session_download",
            "One session as a JSON file: its traces with their observations.",
            [_path("sessionId", "The session id.")],
        )
    }
    document["/bookmarks/sessions/{sessionId}"] = {"post": _form("ui_bookmark", "Bookmark a session (form).")}
    document["/sign-in"] = {
        "get": {
            "operationId": "ui_sign_in_form",
            "summary": "The sign-in page: a project's key pair.",
            "tags": ["UI"],
            "security": [],
            "parameters": [_query("next", "Where to go after signing in (a path of this server).")],
            "responses": {
                "200": {"description": "The page.", "content": _content((HTML,), {"type": "string"})}
            },
        },
        "post": _form(
            "ui_sign_in", "Sign in with a key pair (form): sets the signed session cookie.", public=True
        ),
    }
    document["/sign-out"] = {"post": _form("ui_sign_out", "Sign out (form): clears the cookie.", public=True)}
    document["/static/{path}"] = {
        "get": {
            "operationId": "ui_static",
            "summary": "The UI's stylesheet (public: it holds no data).",
            "tags": ["UI"],
            "security": [],
            "parameters": [_path("path", "A file of the UI, e.g. otel-bridge.css.")],
            "responses": {
                "200": {"description": "", "content": _content(("text/css",), {"type": "string"})},
                "404": {"description": "No such file."},
            },
        }
    }
    return document


def schemas() -> dict[str, dict[str, Any]]:
    """The component schemas of ``paths()`` (OTLP's messages, as OTLP/JSON spells them)."""
    return {
        "OtlpExportTraceServiceRequest": {
            "title": "OtlpExportTraceServiceRequest",
            "description": "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest "
            "(https://opentelemetry.io/docs/specs/otlp/); as protobuf, its binary encoding.",
            "type": "object",
            "properties": {"resourceSpans": {"type": "array", "items": {"type": "object"}}},
        },
        "OtlpExportTraceServiceResponse": {
            "title": "OtlpExportTraceServiceResponse",
            "type": "object",
            "properties": {
                "partialSuccess": {
                    "type": "object",
                    "properties": {
                        "rejectedSpans": {"type": "string", "description": "int64, as OTLP/JSON writes it"},
                        "errorMessage": {"type": "string"},
                    },
                }
            },
        },
        "OtlpStatus": {
            "title": "OtlpStatus",
            "description": "google.rpc.Status: `message` names what was wrong.",
            "type": "object",
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}},
            },
        },
    }


__all__ = ["SESSIONS_VIEW_PARAMETERS", "TRACES_VIEW_PARAMETERS", "paths", "schemas"]
